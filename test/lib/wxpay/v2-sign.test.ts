import assert from 'node:assert/strict';
import {
  buildV2SignString,
  isV2SignType,
  signV2,
  verifyV2Signature,
  V2Params,
} from '../../../app/lib/wxpay/v2-sign';
import { JSAPI_PAY_SIGN, V2_DOC } from '../../fixtures/wechatpay-vectors';

// Example from the WeChat Pay v2 signature documentation (test/fixtures/README.md).
const DOC_KEY = V2_DOC.key;
const DOC_PARAMS: V2Params = V2_DOC.params;
const DOC_SIGN_STRING = V2_DOC.stringToSign;
const DOC_MD5 = V2_DOC.md5;
const DOC_HMAC_SHA256 = V2_DOC.hmacSha256;

describe('test/lib/wxpay/v2-sign.test.ts', () => {
  describe('buildV2SignString()', () => {
    it('should build the documented string to sign', () => {
      assert.equal(buildV2SignString(DOC_PARAMS, DOC_KEY), DOC_SIGN_STRING);
    });

    it('should skip sign and empty values', () => {
      const params: V2Params = {
        ...DOC_PARAMS,
        sign: 'SHOULD_NOT_APPEAR',
        attach: '',
        detail: undefined,
        goods_tag: null,
      };
      assert.equal(buildV2SignString(params, DOC_KEY), DOC_SIGN_STRING);
    });

    it('should keep zero, which is not an empty value', () => {
      assert.equal(buildV2SignString({ total_fee: 0 }, 'k'), 'total_fee=0&key=k');
    });

    it('should sort keys in ASCII order with upper-case before lower-case', () => {
      const params: V2Params = { b: '1', a: '2', B: '3', A: '4', _x: '5', a1: '6' };
      assert.equal(buildV2SignString(params, 'k'), 'A=4&B=3&_x=5&a=2&a1=6&b=1&key=k');
    });

    it('should reject an empty key', () => {
      assert.throws(() => buildV2SignString(DOC_PARAMS, ''), TypeError);
    });
  });

  describe('signV2()', () => {
    it('should produce the documented MD5 signature', () => {
      assert.equal(signV2(DOC_PARAMS, DOC_KEY, 'MD5'), DOC_MD5);
    });

    it('should produce the documented HMAC-SHA256 signature', () => {
      assert.equal(signV2(DOC_PARAMS, DOC_KEY, 'HMAC-SHA256'), DOC_HMAC_SHA256);
    });

    it('should produce the published JSAPI paySign with MD5 (easywechat vector)', () => {
      assert.equal(signV2({ ...JSAPI_PAY_SIGN.params, signType: 'MD5' }, JSAPI_PAY_SIGN.key, 'MD5'), JSAPI_PAY_SIGN.md5);
    });

    it('should produce the published JSAPI paySign with HMAC-SHA256 (easywechat vector)', () => {
      const params = { ...JSAPI_PAY_SIGN.params, signType: 'HMAC-SHA256' };
      assert.equal(signV2(params, JSAPI_PAY_SIGN.key, 'HMAC-SHA256'), JSAPI_PAY_SIGN.hmacSha256);
    });

    it('should give the same signature for numbers and their decimal strings', () => {
      const asStrings: V2Params = { ...DOC_PARAMS, mch_id: '10000100', device_info: '1000' };
      assert.equal(signV2(asStrings, DOC_KEY, 'MD5'), DOC_MD5);
    });

    it('should sign UTF-8 text', () => {
      const sign = signV2({ body: '腾讯充值中心-QQ会员充值' }, DOC_KEY, 'MD5');
      assert.match(sign, /^[0-9A-F]{32}$/);
      assert.notEqual(sign, signV2({ body: 'QQ' }, DOC_KEY, 'MD5'));
    });

    it('should reject an unknown sign type', () => {
      assert.throws(() => signV2(DOC_PARAMS, DOC_KEY, 'SHA1' as never), TypeError);
    });
  });

  describe('verifyV2Signature()', () => {
    it('should accept a correct MD5 and HMAC-SHA256 signature', () => {
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: DOC_MD5 }, DOC_KEY, 'MD5'), true);
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: DOC_HMAC_SHA256 }, DOC_KEY, 'HMAC-SHA256'), true);
    });

    it('should accept a lower-case signature', () => {
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: DOC_MD5.toLowerCase() }, DOC_KEY, 'MD5'), true);
    });

    it('should reject a tampered field', () => {
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, body: 'tEst', sign: DOC_MD5 }, DOC_KEY, 'MD5'), false);
    });

    it('should reject an added field', () => {
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, total_fee: 1, sign: DOC_MD5 }, DOC_KEY, 'MD5'), false);
    });

    it('should reject a wrong key', () => {
      const wrongKey = DOC_KEY.replace(/^1/, '2');
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: DOC_MD5 }, wrongKey, 'MD5'), false);
    });

    it('should reject a wrong sign type', () => {
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: DOC_MD5 }, DOC_KEY, 'HMAC-SHA256'), false);
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: DOC_HMAC_SHA256 }, DOC_KEY, 'MD5'), false);
    });

    it('should reject an unknown sign type without throwing', () => {
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: DOC_MD5 }, DOC_KEY, 'md5' as never), false);
    });

    it('should reject a missing or non-string sign', () => {
      assert.equal(verifyV2Signature(DOC_PARAMS, DOC_KEY, 'MD5'), false);
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: '' }, DOC_KEY, 'MD5'), false);
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: null }, DOC_KEY, 'MD5'), false);
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: 12345 }, DOC_KEY, 'MD5'), false);
    });

    it('should reject a signature of a different length', () => {
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: DOC_MD5.slice(0, -1) }, DOC_KEY, 'MD5'), false);
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: `${DOC_MD5}0` }, DOC_KEY, 'MD5'), false);
      // Same character count, more bytes: must not reach timingSafeEqual with unequal buffers.
      assert.equal(verifyV2Signature({ ...DOC_PARAMS, sign: `${DOC_MD5.slice(0, -1)}é` }, DOC_KEY, 'MD5'), false);
    });
  });

  describe('isV2SignType()', () => {
    it('should recognise only the two v2 sign types', () => {
      assert.equal(isV2SignType('MD5'), true);
      assert.equal(isV2SignType('HMAC-SHA256'), true);
      assert.equal(isV2SignType('md5'), false);
      assert.equal(isV2SignType('RSA'), false);
      assert.equal(isV2SignType(undefined), false);
      assert.equal(isV2SignType(5), false);
    });
  });
});
