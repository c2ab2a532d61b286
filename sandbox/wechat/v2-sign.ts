import { createHash, createHmac } from 'node:crypto';

/**
 * Pay API v2 signatures, as WeChat Pay's "安全规范" page describes them:
 * 1. take every parameter whose value is not empty, except `sign`;
 * 2. sort them by parameter name in ASCII order and join as `k=v&k=v`;
 * 3. append `&key=<API key>`;
 * 4. MD5 of that string, or HMAC-SHA256 keyed with the API key, as upper-case hex.
 * The simulator's own implementation, so that a mistake in the service's
 * cannot be mirrored here.
 */
export type V2SignType = 'MD5' | 'HMAC-SHA256';

export type V2Params = Record<string, string | number | undefined | null>;

export const V2_SIGN_TYPES: readonly V2SignType[] = [ 'MD5', 'HMAC-SHA256' ];

export function isV2SignType(value: unknown): value is V2SignType {
  return (V2_SIGN_TYPES as readonly unknown[]).includes(value);
}

/** Steps 1 to 3: the string WeChat signs. */
export function v2StringToSign(params: V2Params, apiKey: string): string {
  if (!apiKey) throw new TypeError('a v2 signature needs the API key');
  const names = Object.keys(params)
    .filter(name => name !== 'sign' && params[name] !== undefined && params[name] !== null && params[name] !== '')
    // Plain code-unit order is ASCII order for the ASCII names v2 uses ('Z' < '_' < 'a').
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return [ ...names.map(name => `${name}=${params[name]}`), `key=${apiKey}` ].join('&');
}

/** Step 4: the `sign` value. */
export function v2Sign(params: V2Params, apiKey: string, signType: V2SignType): string {
  const text = v2StringToSign(params, apiKey);
  let digest: string;
  switch (signType) {
    case 'MD5': digest = createHash('md5').update(text, 'utf8').digest('hex'); break;
    case 'HMAC-SHA256': digest = createHmac('sha256', apiKey).update(text, 'utf8').digest('hex'); break;
    default: throw new TypeError(`unknown v2 sign type ${String(signType)}`);
  }
  return digest.toUpperCase();
}

/** Whether `params.sign` is the signature of the other parameters (hex compared without regard to case). */
export function v2SignMatches(params: V2Params, apiKey: string, signType: V2SignType): boolean {
  const sign = params.sign;
  if (typeof sign !== 'string' || !isV2SignType(signType)) return false;
  return sign.toUpperCase() === v2Sign(params, apiKey, signType);
}
