import { KeyObject, randomBytes, randomInt } from 'node:crypto';
import { SandboxReply } from './http';
import { wechatpaySignatureHeaders } from './wechat/wechatpay-signature';

/**
 * Which serial the merchant sees in Wechatpay-Serial: the WeChat Pay public
 * key id (public-key mode, merchants onboarded since 2024) or the platform
 * certificate's serial (platform-certificate mode).
 */
export type V3SerialMode = 'publicKey' | 'certificate';

/** A key the simulator signs with instead of its own, to show that merchants reject what WeChat did not sign. */
export interface ForgedSigner {
  privateKey: KeyObject;
  /** the serial to claim; default: the genuine one */
  serial?: string;
}

/** A platform certificate serial like WeChat's: 40 upper-case hex digits, positive, no leading zero. */
function newCertificateSerial(): string {
  // A first digit of 1-7 keeps the ASN.1 integer positive and all 40 digits significant.
  return `${randomInt(1, 8)}${randomBytes(20).toString('hex').slice(1)}`.toUpperCase();
}

/**
 * Signs what the simulated WeChat Pay sends (API replies and notifies) as
 * WeChat does: SHA256withRSA over `timestamp\nnonce\nbody\n`, in the four
 * Wechatpay-* headers. One RSA key serves both modes; only the serial differs.
 */
export class WechatpayReplySigner {
  mode: V3SerialMode;
  forged?: ForgedSigner;
  /** chosen up front so replies can name it before the certificate itself is generated */
  readonly certificateSerial = newCertificateSerial();

  constructor(readonly privateKey: KeyObject, readonly publicKeyId: string) {
    this.mode = publicKeyId ? 'publicKey' : 'certificate';
  }

  /** The serial replies name in the current mode. */
  serial(mode: V3SerialMode = this.mode): string {
    return mode === 'publicKey' ? this.publicKeyId : this.certificateSerial;
  }

  /** The Wechatpay-* headers for a body; `mode` overrides the current mode (certificate downloads). */
  headers(body: string, mode: V3SerialMode = this.mode): Record<string, string> {
    const key = this.forged?.privateKey ?? this.privateKey;
    const serial = this.forged?.serial ?? this.serial(mode);
    return wechatpaySignatureHeaders(body, key, serial);
  }

  /** Back to the genuine key and the mode the options imply. */
  reset(): void {
    this.forged = undefined;
    this.mode = this.publicKeyId ? 'publicKey' : 'certificate';
  }
}

/** WeChat answers every v3 call with a Request-ID to quote to support. */
function requestId(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** A signed v3 reply: JSON (or no body, for 204) with the Wechatpay-* headers. */
export function signedReply(signer: WechatpayReplySigner, status: number, value?: unknown, mode?: V3SerialMode): SandboxReply {
  const body = value === undefined ? '' : JSON.stringify(value);
  const headers: Record<string, string> = { 'request-id': requestId(), ...signer.headers(body, mode) };
  if (body) headers['content-type'] = 'application/json; charset=utf-8';
  return { status, headers, body };
}

/** A signed v3 error: `{ code, message }` (plus `detail` for parameter errors), as WeChat answers them. */
export function signedError(
  signer: WechatpayReplySigner,
  status: number,
  code: string,
  message: string,
  detail?: Record<string, unknown>,
): SandboxReply {
  return signedReply(signer, status, detail ? { code, message, detail } : { code, message });
}
