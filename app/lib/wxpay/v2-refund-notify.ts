import crypto from 'node:crypto';
import { parseV2RefundTime, RefundReport, v2Fen, v2RefundState } from './refund';
import { parseXml, XmlError } from './xml';

export interface V2RefundNotifyContext {
  /** the v2 API key: its lowercase hex MD5 is the AES-256 key of req_info */
  apiKey: string;
  appId: string;
  mchId: string;
}

export interface VerifiedV2RefundNotify {
  ok: true;
  report: RefundReport & { transactionId: string; orderNo: string; total: number; amount: number };
}

export interface RejectedV2RefundNotify {
  ok: false;
  /** stable code recorded in payment_events.outcome */
  code: 'XML_INVALID' | 'RETURN_FAIL' | 'APPID_MISMATCH' | 'MCHID_MISMATCH' | 'REQ_INFO_INVALID' | 'FIELDS_INVALID';
  reason: string;
  refundNo?: string;
  orderNo?: string;
}

/**
 * Decrypts a refund notify's `req_info`: base64, AES-256-ECB with PKCS#7
 * padding, the key being the 32 ASCII characters of the lowercase hex MD5 of
 * the v2 API key. Throws when it does not decrypt (wrong key, tampering).
 */
export function decryptRefundReqInfo(reqInfo: string, apiKey: string): string {
  const key = Buffer.from(crypto.createHash('md5').update(apiKey, 'utf8').digest('hex'), 'ascii');
  const decipher = crypto.createDecipheriv('aes-256-ecb', key, null);
  return Buffer.concat([ decipher.update(Buffer.from(reqInfo, 'base64')), decipher.final() ]).toString('utf8');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Checks a v2 refund notify. It carries no signature: authenticity is that
 * `req_info` decrypts with our key (only WeChat and we hold it) and, in the
 * service, that the refund it describes matches ours. Order: safe XML parse →
 * return_code → appid and mch_id are ours → req_info decrypts → its `<root>`
 * has the fields we rely on, well formed. Pure.
 */
export function verifyV2RefundNotify(raw: string, context: V2RefundNotifyContext): VerifiedV2RefundNotify | RejectedV2RefundNotify {
  let outer: Record<string, string>;
  try {
    outer = parseXml(raw);
  } catch (err) {
    return { ok: false, code: 'XML_INVALID', reason: `body is not acceptable XML (${err instanceof XmlError ? err.code : 'XML_MALFORMED'})` };
  }
  if (outer.return_code !== 'SUCCESS') return { ok: false, code: 'RETURN_FAIL', reason: `return_code ${outer.return_code ?? 'missing'}` };
  if (outer.appid !== context.appId) return { ok: false, code: 'APPID_MISMATCH', reason: 'appid is not ours' };
  if (outer.mch_id !== context.mchId) return { ok: false, code: 'MCHID_MISMATCH', reason: 'mch_id is not ours' };
  const reqInfo = outer.req_info ?? '';
  if (!BASE64.test(reqInfo)) return { ok: false, code: 'REQ_INFO_INVALID', reason: 'req_info missing or not base64' };

  let fields: Record<string, string>;
  try {
    fields = parseXml(decryptRefundReqInfo(reqInfo, context.apiKey), 'root');
  } catch {
    // A wrong key shows up as bad padding: the notify is not provably WeChat's.
    return { ok: false, code: 'REQ_INFO_INVALID', reason: 'req_info does not decrypt with our key' };
  }
  const refundNo = fields.out_refund_no || undefined;
  const orderNo = fields.out_trade_no || undefined;
  const state = v2RefundState(fields.refund_status);
  const total = v2Fen(fields.total_fee);
  const amount = v2Fen(fields.refund_fee);
  const transactionId = fields.transaction_id || undefined;
  if (!refundNo || !orderNo || !transactionId || !state || total === undefined || amount === undefined || amount === 0) {
    return { ok: false, code: 'FIELDS_INVALID', reason: 'req_info lacks a well-formed refund', refundNo, orderNo };
  }
  return {
    ok: true,
    report: {
      refundNo,
      refundId: fields.refund_id || undefined,
      orderNo,
      transactionId,
      total,
      amount,
      state,
      succeededAt: state === 'SUCCESS' ? parseV2RefundTime(fields.success_time) : undefined,
      appId: outer.appid,
      mchId: outer.mch_id,
      requestSource: fields.refund_request_source || undefined,
    },
  };
}
