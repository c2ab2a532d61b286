import { Refund, USER_RECEIVED_ACCOUNT } from './refund-store';
import { beijingRfc3339 } from './wechat/time';

/**
 * A refund as v3 describes it in the create and query answers (the Refund
 * object of WeChat Pay's API v3 refund page). The sandbox has no coupons and every
 * payer pays from the wallet, so what the payer paid is the total, what is
 * settled is what is refunded, and the money goes back the way it came.
 */
export function v3Refund(refund: Readonly<Refund>): Record<string, unknown> {
  const value: Record<string, unknown> = {
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    channel: 'ORIGINAL',
    user_received_account: USER_RECEIVED_ACCOUNT,
  };
  if (refund.status === 'SUCCESS') value.success_time = beijingRfc3339(refund.succeededAt!);
  value.create_time = beijingRfc3339(refund.createdAt);
  value.status = refund.status;
  value.funds_account = refund.fundsAccount;
  value.amount = {
    total: refund.totalFee,
    refund: refund.refundFee,
    from: [],
    payer_total: refund.totalFee,
    payer_refund: refund.refundFee,
    settlement_refund: refund.refundFee,
    settlement_total: refund.totalFee,
    discount_refund: 0,
    currency: 'CNY',
    refund_fee: 0,
  };
  value.promotion_detail = [];
  return value;
}

/** The resource of a v3 refund notify, decrypted (the v3 refund notify page of WeChat Pay's API v3 docs). */
export function v3RefundNotifyResource(refund: Readonly<Refund>): Record<string, unknown> {
  const value: Record<string, unknown> = {
    mchid: refund.mchid,
    transaction_id: refund.transactionId,
    out_trade_no: refund.outTradeNo,
    refund_id: refund.refundId,
    out_refund_no: refund.outRefundNo,
    refund_status: refund.status,
  };
  if (refund.status === 'SUCCESS') value.success_time = beijingRfc3339(refund.succeededAt!);
  value.user_received_account = USER_RECEIVED_ACCOUNT;
  value.amount = { total: refund.totalFee, refund: refund.refundFee, payer_total: refund.totalFee, payer_refund: refund.refundFee };
  return value;
}
