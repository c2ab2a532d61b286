import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { paySignProblem, RequestPaymentParams, v3PaySignMessage } from '../../../sandbox/wechat/pay-sign';
import { JSAPI_PAY_SIGN, SHA256_WITH_RSA } from '../../fixtures/wechatpay-vectors';

// WeChat Pay's v3 "小程序调起支付" page: its example parameters and the message they make.
const V3_DOC_PARAMS = {
  appId: 'wx8888888888888888',
  timeStamp: '1414561699',
  nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
  package: 'prepay_id=wx201410272009395522657a690389285100',
};

describe('test/sandbox/wechat/pay-sign.test.ts', () => {
  describe('v2 (MD5, HMAC-SHA256): the JSAPI paySign vector of easywechat', () => {
    const keys = { apiKey: JSAPI_PAY_SIGN.key };
    const md5: RequestPaymentParams = { ...JSAPI_PAY_SIGN.params, signType: 'MD5', paySign: JSAPI_PAY_SIGN.md5 };
    const hmac: RequestPaymentParams = { ...JSAPI_PAY_SIGN.params, signType: 'HMAC-SHA256', paySign: JSAPI_PAY_SIGN.hmacSha256 };

    it('should accept the published MD5 and HMAC-SHA256 paySigns, in either case', () => {
      assert.equal(paySignProblem(md5, keys), undefined);
      assert.equal(paySignProblem(hmac, keys), undefined);
      assert.equal(paySignProblem({ ...md5, paySign: md5.paySign.toLowerCase() }, keys), undefined);
    });

    it('should refuse them under the other sign type, another key or any changed parameter', () => {
      assert.match(paySignProblem({ ...md5, signType: 'HMAC-SHA256' }, keys)!, /not the HMAC-SHA256 signature/);
      assert.match(paySignProblem(md5, { apiKey: 'another-key' })!, /not the MD5 signature/);
      for (const name of [ 'appId', 'timeStamp', 'nonceStr', 'package' ] as const) {
        assert.ok(paySignProblem({ ...md5, [name]: `${md5[name]}0` }, keys), name);
        assert.ok(paySignProblem({ ...hmac, [name]: `${hmac[name]}0` }, keys), name);
      }
    });
  });

  describe('v3 (RSA)', () => {
    // wechatpay-go's published test key; its SHA256withRSA vector pins the primitive (rsa.test.ts).
    const privateKey = createPrivateKey(SHA256_WITH_RSA.privateKeyPem);
    const keys = { apiKey: '', merchantPublicKey: createPublicKey(privateKey) };
    // Signed here with Node's crypto, not with the sandbox's code.
    const paySign = sign('sha256', Buffer.from(v3PaySignMessage(V3_DOC_PARAMS)), privateKey).toString('base64');
    const params: RequestPaymentParams = { ...V3_DOC_PARAMS, signType: 'RSA', paySign };

    it('should sign the documented message: appId, timeStamp, nonceStr and package, each followed by a newline', () => {
      assert.equal(v3PaySignMessage(V3_DOC_PARAMS),
        'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n');
    });

    it('should accept the SHA256withRSA signature of that message with the merchant key', () => {
      assert.equal(paySignProblem(params, keys), undefined);
    });

    it('should refuse a changed parameter, another key, a malformed signature, or no key at all', () => {
      for (const name of [ 'appId', 'timeStamp', 'nonceStr', 'package' ] as const) {
        assert.match(paySignProblem({ ...params, [name]: `${params[name]}0` }, keys)!, /SHA256withRSA/, name);
      }
      const { publicKey: stranger } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      assert.ok(paySignProblem(params, { apiKey: '', merchantPublicKey: stranger }));
      assert.ok(paySignProblem({ ...params, paySign: 'not base64!' }, keys));
      assert.match(paySignProblem(params, { apiKey: '' })!, /no merchant key/);
      assert.match(paySignProblem({ ...params, nonceStr: 'a\nb' }, keys)!, /newline/);
    });
  });

  it('should refuse an unknown signType', () => {
    assert.match(paySignProblem({ ...V3_DOC_PARAMS, signType: 'SHA1', paySign: 'x' }, { apiKey: 'k' })!, /unknown signType/);
  });
});
