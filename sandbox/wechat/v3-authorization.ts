/**
 * The Authorization header of a merchant's v3 request ("签名生成"):
 * `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"`,
 * parameters in any order. WeChat reads it; it never writes one.
 */
export const V3_AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';

export interface MerchantAuthorization {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

const PARAMETERS: ReadonlyArray<keyof MerchantAuthorization> = [ 'mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no' ];
const PARAMETER = /^\s*([a-z_]+)="([^"]*)"\s*$/;

/** The five parameters, or undefined when the scheme is another, one is missing, empty or repeated, or anything else is there. */
export function parseMerchantAuthorization(header: string | undefined): MerchantAuthorization | undefined {
  if (typeof header !== 'string' || !header.startsWith(`${V3_AUTH_SCHEME} `)) return undefined;
  const seen = new Map<string, string>();
  for (const part of header.slice(V3_AUTH_SCHEME.length + 1).split(',')) {
    const m = PARAMETER.exec(part);
    // A repeated parameter would leave open which copy was signed.
    if (!m || seen.has(m[1])) return undefined;
    seen.set(m[1], m[2]);
  }
  const parsed = {} as MerchantAuthorization;
  for (const name of PARAMETERS) {
    const value = seen.get(name);
    if (!value) return undefined;
    parsed[name] = value;
  }
  return parsed;
}
