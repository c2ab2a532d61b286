import assert from 'node:assert/strict';
import { isV2SignType, v2Sign, v2SignMatches, v2StringToSign } from '../../../sandbox/wechat/v2-sign';
import { JSAPI_PAY_SIGN, V2_DOC } from '../../fixtures/wechatpay-vectors';

describe('test/sandbox/wechat/v2-sign.test.ts', () => {
  describe('the documentation example', () => {
    it('should build the documented string to sign', () => {
      assert.equal(v2StringToSign(V2_DOC.params, V2_DOC.key), V2_DOC.stringToSign);
    });

    it('should give the documented MD5 and HMAC-SHA256 signatures', () => {
      assert.equal(v2Sign(V2_DOC.params, V2_DOC.key, 'MD5'), V2_DOC.md5);
      assert.equal(v2Sign(V2_DOC.params, V2_DOC.key, 'HMAC-SHA256'), V2_DOC.hmacSha256);
    });
  });

  describe('the JSAPI paySign vector (easywechat)', () => {
    it('should give the published MD5 paySign', () => {
      assert.equal(v2Sign({ ...JSAPI_PAY_SIGN.params, signType: 'MD5' }, JSAPI_PAY_SIGN.key, 'MD5'), JSAPI_PAY_SIGN.md5);
    });

    it('should give the published HMAC-SHA256 paySign', () => {
      const params = { ...JSAPI_PAY_SIGN.params, signType: 'HMAC-SHA256' };
      assert.equal(v2Sign(params, JSAPI_PAY_SIGN.key, 'HMAC-SHA256'), JSAPI_PAY_SIGN.hmacSha256);
    });
  });

  it('should leave out sign and empty values but keep zero', () => {
    const params = { ...V2_DOC.params, sign: 'X', attach: '', detail: undefined, goods_tag: null };
    assert.equal(v2StringToSign(params, V2_DOC.key), V2_DOC.stringToSign);
    assert.equal(v2StringToSign({ total_fee: 0 }, 'k'), 'total_fee=0&key=k');
  });

  it('should sort names in ASCII order, upper case first', () => {
    assert.equal(v2StringToSign({ b: 1, a: 2, B: 3, _x: 4 }, 'k'), 'B=3&_x=4&a=2&b=1&key=k');
  });

  it('should match a signature in either case and refuse a wrong one or an unknown sign type', () => {
    assert.equal(v2SignMatches({ ...V2_DOC.params, sign: V2_DOC.md5 }, V2_DOC.key, 'MD5'), true);
    assert.equal(v2SignMatches({ ...V2_DOC.params, sign: V2_DOC.md5.toLowerCase() }, V2_DOC.key, 'MD5'), true);
    assert.equal(v2SignMatches({ ...V2_DOC.params, sign: V2_DOC.md5 }, V2_DOC.key, 'HMAC-SHA256'), false);
    assert.equal(v2SignMatches({ ...V2_DOC.params, body: 'tests', sign: V2_DOC.md5 }, V2_DOC.key, 'MD5'), false);
    assert.equal(v2SignMatches(V2_DOC.params, V2_DOC.key, 'MD5'), false);
    assert.equal(isV2SignType('SHA1'), false);
  });

  it('should refuse to sign without a key', () => {
    assert.throws(() => v2Sign(V2_DOC.params, '', 'MD5'), TypeError);
  });
});
