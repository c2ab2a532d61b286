import assert from 'node:assert/strict';
import { buildPaySignMessage, signJsapiPayment } from '../../../app/lib/wxpay/v3-pay-sign';
import { rsaVerify } from '../../../app/lib/wxpay/v3-signature';
import { rsaKeyPair, TestKeyPair } from './v3-fixtures';

const PARAMS = {
  appId: 'wx8888888888888888',
  timeStamp: '1414561699',
  nonceStr: '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
  package: 'prepay_id=wx201410272009395522657a690389285100',
};

describe('test/lib/wxpay/v3-pay-sign.test.ts', () => {
  let merchant: TestKeyPair;

  before(() => {
    merchant = rsaKeyPair('merchant');
  });

  it('should build appId, timeStamp, nonceStr and package each followed by a newline', () => {
    assert.equal(
      buildPaySignMessage(PARAMS.appId, PARAMS.timeStamp, PARAMS.nonceStr, PARAMS.package),
      'wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n',
    );
  });

  it('should reject empty fields or fields containing a newline', () => {
    assert.throws(() => buildPaySignMessage('', PARAMS.timeStamp, PARAMS.nonceStr, PARAMS.package), TypeError);
    assert.throws(() => buildPaySignMessage(PARAMS.appId, '1\n2', PARAMS.nonceStr, PARAMS.package), TypeError);
    assert.throws(() => buildPaySignMessage(PARAMS.appId, PARAMS.timeStamp, PARAMS.nonceStr, 'prepay_id=x\n'), TypeError);
  });

  it('should return the wx.requestPayment object with signType RSA and a paySign that verifies', () => {
    const signed = signJsapiPayment(PARAMS, merchant.privateKey);
    assert.deepEqual({ ...signed, paySign: '' }, { ...PARAMS, signType: 'RSA', paySign: '' });
    const message = buildPaySignMessage(PARAMS.appId, PARAMS.timeStamp, PARAMS.nonceStr, PARAMS.package);
    assert.equal(rsaVerify(message, signed.paySign, merchant.publicKey), true);
  });

  it('should give a paySign that fails for any changed field', () => {
    const { paySign } = signJsapiPayment(PARAMS, merchant.privateKey);
    const variants = [
      { ...PARAMS, appId: 'wx8888888888888889' },
      { ...PARAMS, timeStamp: '1414561700' },
      { ...PARAMS, nonceStr: PARAMS.nonceStr.toLowerCase() },
      { ...PARAMS, package: 'prepay_id=wx201410272009395522657a690389285101' },
    ];
    for (const variant of variants) {
      const message = buildPaySignMessage(variant.appId, variant.timeStamp, variant.nonceStr, variant.package);
      assert.equal(rsaVerify(message, paySign, merchant.publicKey), false);
    }
  });

  it('should be deterministic and accept the private key as PEM text too', () => {
    const fromKeyObject = signJsapiPayment(PARAMS, merchant.privateKey);
    const fromPem = signJsapiPayment(PARAMS, merchant.privatePem);
    assert.equal(fromPem.paySign, fromKeyObject.paySign);
  });
});
