import type { KeyObject } from 'node:crypto';
import { rsaSha256Verify } from './rsa';
import { isV2SignType, v2SignMatches } from './v2-sign';

/**
 * The paySign of wx.requestPayment, as the WeChat client checks it before it
 * shows the payment sheet. The simulator's own code, written from WeChat
 * Pay's "小程序调起支付" pages for both API versions:
 * - v2 (signType MD5 or HMAC-SHA256): the v2 signature over appId, nonceStr,
 *   package, signType and timeStamp (camel-case names, ASCII order) with the
 *   merchant's v2 API key;
 * - v3 (signType RSA): SHA256withRSA with the merchant's private key over
 *   "appId\ntimeStamp\nnonceStr\npackage\n", checked with its public half.
 */
export interface RequestPaymentParams {
  appId: string;
  timeStamp: string;
  nonceStr: string;
  package: string;
  signType: string;
  paySign: string;
}

export const PAY_SIGN_TYPES = [ 'MD5', 'HMAC-SHA256', 'RSA' ] as const;

/** The message a v3 paySign signs: the four values, each followed by a newline. */
export function v3PaySignMessage(params: Pick<RequestPaymentParams, 'appId' | 'timeStamp' | 'nonceStr' | 'package'>): string {
  return `${params.appId}\n${params.timeStamp}\n${params.nonceStr}\n${params.package}\n`;
}

/** The parameters a v2 paySign signs (paySign itself is not one of them). */
export function v2PaySignParams(params: RequestPaymentParams): Record<string, string> {
  return {
    appId: params.appId,
    nonceStr: params.nonceStr,
    package: params.package,
    signType: params.signType,
    timeStamp: params.timeStamp,
  };
}

export interface PaySignKeys {
  /** the v2 API key */
  apiKey: string;
  /** the public half of the merchant's v3 key; absent when the sandbox was given none */
  merchantPublicKey?: KeyObject;
}

/** Why the paySign does not verify; undefined when it does. */
export function paySignProblem(params: RequestPaymentParams, keys: PaySignKeys): string | undefined {
  const { signType, paySign } = params;
  if (isV2SignType(signType)) {
    if (!keys.apiKey) return 'the sandbox has no v2 API key';
    return v2SignMatches({ ...v2PaySignParams(params), sign: paySign }, keys.apiKey, signType)
      ? undefined
      : `paySign is not the ${signType} signature of these parameters with the merchant's v2 API key`;
  }
  if (signType === 'RSA') {
    if (!keys.merchantPublicKey) return 'the sandbox has no merchant key to check an RSA paySign';
    // A newline inside a value would let two different parameter sets sign the same message.
    if ([ params.appId, params.timeStamp, params.nonceStr, params.package ].some(value => value.includes('\n'))) {
      return 'a parameter contains a newline';
    }
    return rsaSha256Verify(v3PaySignMessage(params), paySign, keys.merchantPublicKey)
      ? undefined
      : 'paySign is not the SHA256withRSA signature of these parameters with the merchant\'s private key';
  }
  return `unknown signType ${JSON.stringify(signType)} (expected ${PAY_SIGN_TYPES.join(', ')})`;
}
