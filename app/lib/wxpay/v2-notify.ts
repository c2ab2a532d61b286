import { TradeReport, v2TradeReport } from './gateway';
import { V2SignType, verifyV2Signature } from './v2-sign';
import { buildXml, parseXml, XmlError } from './xml';

export interface V2NotifyContext {
  apiKey: string;
  signType: V2SignType;
  appId: string;
  mchId: string;
}

/** A notify that passed every check that does not need the database. */
export interface VerifiedV2Notify {
  ok: true;
  /** result_code: SUCCESS means paid; FAIL is a failed payment, acknowledged and recorded */
  paid: boolean;
  report: TradeReport;
  failure?: string;
}

export interface RejectedV2Notify {
  ok: false;
  /** stable code recorded in payment_events.outcome */
  code: 'XML_INVALID' | 'SIGNATURE_INVALID' | 'RETURN_FAIL' | 'APPID_MISMATCH' | 'MCHID_MISMATCH' | 'FIELDS_INVALID';
  reason: string;
  orderNo?: string;
}

const AMOUNT = /^[1-9]\d{0,9}$/;

/**
 * Checks a v2 notify body in the order that keeps forgeries cheap to turn
 * away: safe XML parse → signature (unconditionally, with our key and sign
 * type) → return_code → appid and mch_id are ours → the fields we rely on
 * are well formed. Pure: the order's existence and amount are the service's.
 */
export function verifyV2Notify(raw: string, context: V2NotifyContext): VerifiedV2Notify | RejectedV2Notify {
  let fields: Record<string, string>;
  try {
    fields = parseXml(raw);
  } catch (err) {
    const detail = err instanceof XmlError ? err.code : 'XML_MALFORMED';
    return { ok: false, code: 'XML_INVALID', reason: `body is not acceptable XML (${detail})` };
  }
  const orderNo = typeof fields.out_trade_no === 'string' ? fields.out_trade_no.slice(0, 64) : undefined;
  if (fields.sign_type !== undefined && fields.sign_type !== context.signType) {
    return { ok: false, code: 'SIGNATURE_INVALID', reason: 'unexpected sign_type', orderNo };
  }
  if (!verifyV2Signature(fields, context.apiKey, context.signType)) {
    return { ok: false, code: 'SIGNATURE_INVALID', reason: 'signature does not verify', orderNo };
  }
  if (fields.return_code !== 'SUCCESS') {
    return { ok: false, code: 'RETURN_FAIL', reason: `return_code ${fields.return_code ?? 'missing'}`, orderNo };
  }
  if (fields.appid !== context.appId) return { ok: false, code: 'APPID_MISMATCH', reason: 'appid is not ours', orderNo };
  if (fields.mch_id !== context.mchId) return { ok: false, code: 'MCHID_MISMATCH', reason: 'mch_id is not ours', orderNo };
  if (!orderNo) return { ok: false, code: 'FIELDS_INVALID', reason: 'out_trade_no missing' };

  if (fields.result_code !== 'SUCCESS') {
    const failure = `${fields.err_code ?? 'FAIL'}: ${fields.err_code_des ?? ''}`.slice(0, 200);
    return { ok: true, paid: false, report: v2TradeReport(fields, 'PAYERROR'), failure };
  }
  if (!AMOUNT.test(fields.total_fee ?? '') || !fields.transaction_id) {
    return { ok: false, code: 'FIELDS_INVALID', reason: 'total_fee or transaction_id missing or malformed', orderNo };
  }
  return { ok: true, paid: true, report: v2TradeReport(fields, 'SUCCESS') };
}

/** The XML reply WeChat expects from a notify endpoint. */
export function v2NotifyReply(ok: boolean, message: string): string {
  return buildXml({ return_code: ok ? 'SUCCESS' : 'FAIL', return_msg: message });
}
