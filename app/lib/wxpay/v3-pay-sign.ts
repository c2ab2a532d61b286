// paySign for wx.requestPayment (JSAPI / mini-program) under WeChat Pay v3.
import crypto from 'node:crypto';
import { rsaSign } from './v3-signature';

export interface JsapiPaymentParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  /** Always of the form 'prepay_id=…'. */
  package: string;
}

export interface SignedJsapiPayment extends JsapiPaymentParams {
  signType: 'RSA';
  paySign: string;
}

/** Builds the string signed for paySign: appId\ntimeStamp\nnonceStr\npackage\n. */
export function buildPaySignMessage(appId: string, timeStamp: string, nonceStr: string, pkg: string): string {
  const fields: Array<[string, string]> = [[ 'appId', appId ], [ 'timeStamp', timeStamp ], [ 'nonceStr', nonceStr ], [ 'package', pkg ]];
  for (const [ name, value ] of fields) {
    // A newline inside one field would shift the others and let two parameter sets share a signature.
    if (typeof value !== 'string' || value.length === 0 || value.includes('\n')) {
      throw new TypeError(`${name} must be a non-empty single-line string`);
    }
  }
  return `${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`;
}

/** Signs JSAPI payment parameters with the merchant private key, giving the object wx.requestPayment takes. */
export function signJsapiPayment(params: JsapiPaymentParams, privateKey: crypto.KeyObject | string): SignedJsapiPayment {
  const message = buildPaySignMessage(params.appId, params.timeStamp, params.nonceStr, params.package);
  return {
    appId: params.appId,
    timeStamp: params.timeStamp,
    nonceStr: params.nonceStr,
    package: params.package,
    signType: 'RSA',
    paySign: rsaSign(message, privateKey),
  };
}
