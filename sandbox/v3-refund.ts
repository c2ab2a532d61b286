import { parseJsonBody } from './http';
import { isNotifyUrl } from './notify-url';
import { RefundLedger, RefundRefusal } from './refund-ledger';
import { FundsAccount, RefundStore } from './refund-store';
import { v3Refund } from './v3-refund-object';
import { fenField, objectField, optionalStringField, paramError, stringField, V3Refusal } from './v3-refusal';

// WeChat's out_refund_no alphabet, up to 64 characters.
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const FUNDS_ACCOUNTS: readonly FundsAccount[] = [ 'AVAILABLE', 'UNSETTLED' ];

const REFUSALS: Record<RefundRefusal, () => V3Refusal> = {
  TRADE_NOT_FOUND: () => new V3Refusal(404, 'RESOURCE_NOT_EXISTS', '订单不存在'),
  TRADE_OVERDUE: () => new V3Refusal(400, 'INVALID_REQUEST', '订单已超过退款期限'),
  PARAMS_MISMATCH: () => new V3Refusal(400, 'INVALID_REQUEST', '订单金额或退款金额与之前请求不一致,请核实后再试'),
  EXCEEDS_REFUNDABLE: () => new V3Refusal(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额'),
  TOO_MANY_REFUNDS: () => new V3Refusal(400, 'INVALID_REQUEST', '退款次数超过限制'),
};

/** The out_refund_no in a URL path: percent-decoded and checked. */
function pathOutRefundNo(encoded: string): string {
  let outRefundNo: string;
  try {
    outRefundNo = decodeURIComponent(encoded);
  } catch {
    throw paramError('/uri_template/out_refund_no', '格式错误');
  }
  if (!OUT_REFUND_NO.test(outRefundNo)) throw paramError('/uri_template/out_refund_no', '须为1-64位数字、大小写字母或_-|*@');
  return outRefundNo;
}

/**
 * v3's domestic refunds (WeChat Pay's API v3 refund pages): apply and query by
 * out_refund_no, on the ledger every API shares. The simulator around it
 * checks the merchant's signature, injects faults and signs the answers;
 * these operations return the Refund object or throw a V3Refusal.
 */
export class RefundV3Operations {
  constructor(private readonly ledger: RefundLedger, private readonly refunds: RefundStore) {}

  // POST /v3/refund/domestic/refunds
  create(requestBody: string): Record<string, unknown> {
    const body = parseJsonBody(requestBody);
    if (!body) throw new V3Refusal(400, 'PARAM_ERROR', '请求体不是合法的JSON对象');
    const transactionId = optionalStringField(body, 'transaction_id', '/body/transaction_id', 32);
    const outTradeNo = optionalStringField(body, 'out_trade_no', '/body/out_trade_no', 32);
    if (transactionId === undefined && outTradeNo === undefined) throw paramError('/body/transaction_id', '与out_trade_no须二选一');
    const outRefundNo = stringField(body, 'out_refund_no', '/body/out_refund_no', 64);
    if (!OUT_REFUND_NO.test(outRefundNo)) throw paramError('/body/out_refund_no', '须为1-64位数字、大小写字母或_-|*@');
    const reason = optionalStringField(body, 'reason', '/body/reason', 80);
    const notifyUrl = optionalStringField(body, 'notify_url', '/body/notify_url', 256);
    if (notifyUrl !== undefined && !isNotifyUrl(notifyUrl)) throw paramError('/body/notify_url', '须为可直接访问、不带参数的URL');
    const fundsAccount = optionalStringField(body, 'funds_account', '/body/funds_account', 32) ?? 'UNSETTLED';
    if (!FUNDS_ACCOUNTS.includes(fundsAccount as FundsAccount)) throw paramError('/body/funds_account', '须为AVAILABLE或UNSETTLED');
    const amount = objectField(body, 'amount', '/body/amount');
    const refund = fenField(amount, 'refund', '/body/amount/refund');
    const total = fenField(amount, 'total', '/body/amount/total');
    if (amount.currency !== 'CNY') throw paramError('/body/amount/currency', '必填，仅支持CNY');
    if (refund > total) throw paramError('/body/amount/refund', '退款金额不能大于原订单金额');

    const decision = this.ledger.apply({
      transactionId,
      outTradeNo,
      outRefundNo,
      total,
      refund,
      reason,
      notifyUrl,
      notifyForm: 'v3',
      source: 'API',
      fundsAccount: fundsAccount as FundsAccount,
    });
    if ('refusal' in decision) throw REFUSALS[decision.refusal]();
    return v3Refund(decision.refund);
  }

  // GET /v3/refund/domestic/refunds/{out_refund_no}
  query(encodedOutRefundNo: string): Record<string, unknown> {
    const refund = this.refunds.find(pathOutRefundNo(encodedOutRefundNo));
    if (!refund) throw new V3Refusal(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    return v3Refund(refund);
  }
}
