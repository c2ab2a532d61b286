import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Signature algorithms accepted by WeChat Pay API v2. */
export type V2SignType = 'MD5' | 'HMAC-SHA256';

/** Request or notification fields as they go into the v2 signature. */
export type V2Params = Record<string, string | number | undefined | null>;

const SIGN_FIELD = 'sign';

/** True when `value` names a v2 signature algorithm (use it to check an untrusted `sign_type`). */
export function isV2SignType(value: unknown): value is V2SignType {
  return value === 'MD5' || value === 'HMAC-SHA256';
}

// WeChat treats these as "not sent", so they never take part in the signature.
function isEmptyValue(value: V2Params[string]): value is undefined | null | '' {
  return value === undefined || value === null || value === '';
}

// Byte-wise ASCII order, as the v2 spec requires; localeCompare would put 'a' before 'B'.
function compareAscii(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** Builds the v2 string-to-sign: sorted non-empty `k=v` pairs (without `sign`), then `&key=<apiKey>`. */
export function buildV2SignString(params: V2Params, key: string): string {
  // Signing with an empty key would produce a signature anyone can forge: fail loudly on misconfiguration.
  if (typeof key !== 'string' || key === '') {
    throw new TypeError('WeChat Pay v2 API key must be a non-empty string');
  }
  const pairs: string[] = [];
  for (const name of Object.keys(params).sort(compareAscii)) {
    const value = params[name];
    if (name === SIGN_FIELD || isEmptyValue(value)) continue;
    pairs.push(`${name}=${value}`);
  }
  pairs.push(`key=${key}`);
  return pairs.join('&');
}

/** Signs `params` with the v2 API key; returns the upper-case hex digest. */
export function signV2(params: V2Params, key: string, signType: V2SignType): string {
  const signString = buildV2SignString(params, key);
  let digest: string;
  if (signType === 'MD5') {
    digest = createHash('md5').update(signString, 'utf8').digest('hex');
  } else if (signType === 'HMAC-SHA256') {
    digest = createHmac('sha256', key).update(signString, 'utf8').digest('hex');
  } else {
    throw new TypeError(`Unsupported WeChat Pay v2 sign type: ${String(signType)}`);
  }
  return digest.toUpperCase();
}

/** Checks the `sign` field of `params` in constant time; any malformed input yields false. */
export function verifyV2Signature(params: V2Params, key: string, signType: V2SignType): boolean {
  const received = params[SIGN_FIELD];
  // signType often comes straight from the notification body, so an unknown value must fail closed.
  if (typeof received !== 'string' || !isV2SignType(signType)) return false;

  const expected = Buffer.from(signV2(params, key, signType), 'utf8');
  // WeChat documents upper-case hex, but some SDKs send lower-case; hex is case-insensitive.
  const actual = Buffer.from(received.toUpperCase(), 'utf8');
  // timingSafeEqual throws on unequal lengths; the length of a digest is not a secret.
  if (actual.length !== expected.length) return false;
  return timingSafeEqual(actual, expected);
}
