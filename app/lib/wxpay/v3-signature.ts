// WeChat Pay API v3 request/response signatures (SHA256withRSA, PKCS#1 v1.5).
// Pure node:crypto; callers pass KeyObjects so no PEM is parsed on hot paths.
import crypto from 'node:crypto';

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
export const SIGNTEST_PREFIX = 'WECHATPAY/SIGNTEST/';
export const DEFAULT_MAX_SKEW_SECONDS = 300;

const TIMESTAMP_PATTERN = /^\d{1,12}$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Throws when a single-line field contains a newline, which would make the signed message ambiguous. */
function assertSingleLine(name: string, value: string): void {
  if (value.includes('\n')) {
    throw new TypeError(`${name} must not contain a newline`);
  }
}

/** Builds the string a merchant signs for a request: METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n. */
export function buildRequestMessage(method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string {
  const upperMethod = method.toUpperCase();
  if (!pathWithQuery.startsWith('/')) {
    // A full URL here is a common bug; WeChat signs only the absolute path plus query.
    throw new TypeError('pathWithQuery must start with "/" (path and query only, no scheme or host)');
  }
  assertSingleLine('method', upperMethod);
  assertSingleLine('pathWithQuery', pathWithQuery);
  assertSingleLine('timestamp', timestamp);
  assertSingleLine('nonce', nonce);
  // GET requests carry no body, and WeChat signs them with an empty body line.
  const signedBody = upperMethod === 'GET' ? '' : body;
  return `${upperMethod}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${signedBody}\n`;
}

/** Builds the string WeChat Pay signs for a response or notify: TIMESTAMP\nNONCE\nBODY\n. */
export function buildResponseMessage(timestamp: string, nonce: string, body: string): string {
  assertSingleLine('timestamp', timestamp);
  assertSingleLine('nonce', nonce);
  return `${timestamp}\n${nonce}\n${body}\n`;
}

/** Signs a message with SHA256withRSA (PKCS#1 v1.5) and returns base64. */
export function rsaSign(message: string, privateKey: crypto.KeyObject | string): string {
  // PEM strings are accepted for convenience but parsed on every call; hot paths should pass a KeyObject.
  const key = typeof privateKey === 'string' ? crypto.createPrivateKey(privateKey) : privateKey;
  return crypto
    .sign('sha256', Buffer.from(message, 'utf8'), { key, padding: crypto.constants.RSA_PKCS1_PADDING })
    .toString('base64');
}

/** Verifies a base64 SHA256withRSA (PKCS#1 v1.5) signature; a malformed signature gives false, never an exception. */
export function rsaVerify(message: string, signatureBase64: string, publicKey: crypto.KeyObject | string): boolean {
  if (typeof signatureBase64 !== 'string' || signatureBase64.length === 0 || !BASE64_PATTERN.test(signatureBase64)) {
    return false;
  }
  // A bad key is a configuration error and should surface, so it is parsed outside the try.
  const key = typeof publicKey === 'string' ? crypto.createPublicKey(publicKey) : publicKey;
  try {
    return crypto.verify(
      'sha256',
      Buffer.from(message, 'utf8'),
      { key, padding: crypto.constants.RSA_PKCS1_PADDING },
      Buffer.from(signatureBase64, 'base64'),
    );
  } catch {
    // OpenSSL rejects wrong-length signatures with an exception; for callers that is simply "not valid".
    return false;
  }
}

export interface MerchantSigner {
  mchId: string;
  serialNo: string;
  privateKey: crypto.KeyObject;
}

export interface AuthorizationFields {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

const AUTH_FIELD_NAMES: ReadonlyArray<keyof AuthorizationFields> = [ 'mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no' ];

/** Builds the Authorization header value for a merchant request to WeChat Pay. */
export function buildAuthorization(
  signer: MerchantSigner,
  method: string,
  pathWithQuery: string,
  body: string,
  timestamp: string,
  nonce: string,
): string {
  const signature = rsaSign(buildRequestMessage(method, pathWithQuery, timestamp, nonce, body), signer.privateKey);
  const fields: AuthorizationFields = {
    mchid: signer.mchId,
    nonce_str: nonce,
    signature,
    timestamp,
    serial_no: signer.serialNo,
  };
  for (const name of AUTH_FIELD_NAMES) {
    // A quote or control character would let a value break out of its quoted slot in the header.
    if (/["\\]|\p{Cc}/u.test(fields[name])) {
      throw new TypeError(`Authorization field ${name} contains a character not allowed in a header`);
    }
  }
  return `${AUTH_SCHEME} mchid="${fields.mchid}",nonce_str="${fields.nonce_str}",signature="${fields.signature}",` +
    `timestamp="${fields.timestamp}",serial_no="${fields.serial_no}"`;
}

export type WechatpayVerifyErrorCode =
  | 'HEADER_MISSING'
  | 'TIMESTAMP_INVALID'
  | 'TIMESTAMP_EXPIRED'
  | 'SERIAL_UNKNOWN'
  | 'SIGNATURE_INVALID';

export class WechatpayVerifyError extends Error {
  readonly code: WechatpayVerifyErrorCode;

  constructor(code: WechatpayVerifyErrorCode, message: string) {
    super(message);
    this.name = 'WechatpayVerifyError';
    this.code = code;
  }
}

export interface PublicKeyResolver {
  get(serial: string): crypto.KeyObject | undefined;
}

export type IncomingHeaders = Record<string, string | string[] | undefined>;

export interface VerifyWechatpayInput {
  headers: IncomingHeaders;
  body: string;
  keys: PublicKeyResolver;
  /** Current time in milliseconds; defaults to Date.now(). */
  now?: number;
  /** Allowed clock difference in seconds, either direction; defaults to 300. */
  maxSkewSeconds?: number;
}

/** Reads a header by lower-case name, falling back to a case-insensitive scan for callers that keep original casing. */
function readHeader(headers: IncomingHeaders, lowerName: string): string | undefined {
  let value = headers[lowerName];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lowerName) {
        value = headers[key];
        break;
      }
    }
  }
  if (Array.isArray(value)) {
    // Several copies of one signature header cannot be told apart, so only a single value counts.
    return value.length === 1 ? value[0] : undefined;
  }
  return value;
}

/** Keeps attacker-supplied values out of error messages unless they look like a plain identifier. */
function printable(value: string): string {
  return /^[A-Za-z0-9_]{1,64}$/.test(value) ? value : '(not shown)';
}

/** Verifies the Wechatpay-* signature headers of a response or notify over its raw body; throws WechatpayVerifyError. */
export function verifyWechatpaySignature(input: VerifyWechatpayInput): { serial: string; timestamp: number } {
  const { headers, body, keys } = input;
  const now = input.now ?? Date.now();
  const maxSkewSeconds = input.maxSkewSeconds ?? DEFAULT_MAX_SKEW_SECONDS;

  const timestampHeader = readHeader(headers, 'wechatpay-timestamp');
  const nonce = readHeader(headers, 'wechatpay-nonce');
  const signature = readHeader(headers, 'wechatpay-signature');
  const serial = readHeader(headers, 'wechatpay-serial');
  const missing: string[] = [];
  if (!timestampHeader) missing.push('Wechatpay-Timestamp');
  if (!nonce) missing.push('Wechatpay-Nonce');
  if (!signature) missing.push('Wechatpay-Signature');
  if (!serial) missing.push('Wechatpay-Serial');
  if (!timestampHeader || !nonce || !signature || !serial) {
    throw new WechatpayVerifyError('HEADER_MISSING', `Missing or repeated header(s): ${missing.join(', ')}`);
  }

  if (!TIMESTAMP_PATTERN.test(timestampHeader)) {
    throw new WechatpayVerifyError('TIMESTAMP_INVALID', 'Wechatpay-Timestamp is not a number of seconds');
  }
  const timestamp = Number(timestampHeader);
  const skewSeconds = Math.floor(now / 1000) - timestamp;
  if (Math.abs(skewSeconds) > maxSkewSeconds) {
    // Bounds replay of captured notifies and flags a badly drifted server clock.
    throw new WechatpayVerifyError(
      'TIMESTAMP_EXPIRED',
      `Wechatpay-Timestamp is ${Math.abs(skewSeconds)}s ${skewSeconds > 0 ? 'old' : 'in the future'} (max ${maxSkewSeconds}s)`,
    );
  }

  const publicKey = keys.get(serial);
  if (!publicKey) {
    throw new WechatpayVerifyError('SERIAL_UNKNOWN', `No valid WeChat Pay public key for serial ${printable(serial)}`);
  }

  if (signature.startsWith(SIGNTEST_PREFIX)) {
    // WeChat Pay sends deliberately bad signatures with this prefix to probe that merchants really verify.
    throw new WechatpayVerifyError('SIGNATURE_INVALID', 'Signature is a WECHATPAY/SIGNTEST probe');
  }

  if (!rsaVerify(buildResponseMessage(timestampHeader, nonce, body), signature, publicKey)) {
    throw new WechatpayVerifyError('SIGNATURE_INVALID', 'Wechatpay-Signature does not match the body');
  }
  return { serial, timestamp };
}
