import { KeyObject } from 'node:crypto';
import { nonceStr } from './nonce';
import { rsaSha256Sign } from './rsa';
import { v3ResponseMessage } from './v3-message';

/** The headers in which WeChat Pay signs every v3 reply and notify ("应答签名"). */
export const WECHATPAY_TIMESTAMP = 'Wechatpay-Timestamp';
export const WECHATPAY_NONCE = 'Wechatpay-Nonce';
export const WECHATPAY_SIGNATURE = 'Wechatpay-Signature';
export const WECHATPAY_SERIAL = 'Wechatpay-Serial';

/**
 * The four Wechatpay-* headers for `body`: SHA256withRSA with WeChat Pay's
 * private key over `timestamp\nnonce\nbody\n`, and the serial (platform
 * certificate serial or public key id) that tells the merchant which key verifies it.
 */
export function wechatpaySignatureHeaders(
  body: string,
  privateKey: KeyObject,
  serial: string,
  timestamp: string = String(Math.floor(Date.now() / 1000)),
  nonce: string = nonceStr(),
): Record<string, string> {
  return {
    [WECHATPAY_TIMESTAMP]: timestamp,
    [WECHATPAY_NONCE]: nonce,
    [WECHATPAY_SIGNATURE]: rsaSha256Sign(v3ResponseMessage(timestamp, nonce, body), privateKey),
    [WECHATPAY_SERIAL]: serial,
  };
}
