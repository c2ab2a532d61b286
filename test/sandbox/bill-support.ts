import { gunzipSync } from 'node:zlib';
// The merchant's side is played with the service's own app/lib code, as in support.ts.
import { createNonce, unixTimestamp } from '../../app/lib/wxpay/nonce';
import { buildAuthorization, MerchantSigner } from '../../app/lib/wxpay/v3-signature';
import { buildXml, XmlFields } from '../../app/lib/wxpay/xml';
import { SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { signRequest } from './support';
import { MERCHANT_SIGNER } from './refund-support';

/**
 * Written out here by hand from WeChat Pay's trade bill format page
 * (pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html),
 * not taken from the sandbox, so that a typo there cannot pass.
 */
export const ALL_DETAIL_HEADER = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,'
  + '货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,'
  + '订单金额,申请退款金额,费率备注';
export const ALL_SUMMARY_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

/** An instant given as Beijing wall-clock time, `YYYY-MM-DDTHH:mm:ss`. */
export function beijing(wallClock: string): number {
  return Date.parse(`${wallClock}+08:00`);
}

/** A reply read as bytes: a bill may be gzip. */
export interface RawReply {
  status: number;
  headers: Headers;
  bytes: Buffer;
  /** the bytes as UTF-8, or gunzipped first when they are gzip */
  text: string;
  gzip: boolean;
  /** the JSON body, when there is one */
  json?: Record<string, unknown>;
}

async function readRaw(response: Response): Promise<RawReply> {
  const bytes = Buffer.from(await response.arrayBuffer());
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const text = (gzip ? gunzipSync(bytes) : bytes).toString('utf8');
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a bill, or XML
  }
  return { status: response.status, headers: response.headers, bytes, text, gzip, json };
}

/** A downloadbill request before signing: the merchant's ids, the day, ALL. */
export function downloadBillFields(billDate: string, overrides: XmlFields = {}): XmlFields {
  return { appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, bill_date: billDate, bill_type: 'ALL', ...overrides };
}

/** POSTs a raw body to v2's /pay/downloadbill and reads the answer as bytes. */
export async function postDownloadBill(origin: string, body: string): Promise<RawReply> {
  return readRaw(await fetch(`${origin}/sandbox/pay/pay/downloadbill`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body }));
}

/** Signs `fields` as the merchant would and asks v2 for the bill. */
export function downloadBillV2(origin: string, fields: XmlFields): Promise<RawReply> {
  return postDownloadBill(origin, buildXml(signRequest(fields)));
}

/**
 * A v3 GET of a path under the Pay API base (`/v3/...?...`), or of a full
 * URL the sandbox handed out; signed as the merchant unless `signer` is null.
 */
export async function getV3(origin: string, pathOrUrl: string, signer: MerchantSigner | null = MERCHANT_SIGNER): Promise<RawReply> {
  const url = pathOrUrl.startsWith('http') ? new URL(pathOrUrl) : new URL(`/sandbox/pay${pathOrUrl}`, origin);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (signer) headers.authorization = buildAuthorization(signer, 'GET', `${url.pathname}${url.search}`, '', unixTimestamp(), createNonce());
  return readRaw(await fetch(url, { headers }));
}

/** The names of the Wechatpay-* headers of a reply. */
export function wechatpayHeaders(reply: RawReply): string[] {
  return [ ...reply.headers.keys() ].filter(name => name.toLowerCase().startsWith('wechatpay-'));
}
