import { isNotifyUrl } from './notify-url';
import { FundsAccount } from './refund-store';

/** A v2 refund request's business parameters, checked. */
export interface V2RefundParams {
  transactionId?: string;
  outTradeNo?: string;
  outRefundNo: string;
  /** the trade's total as the merchant states it, fen */
  totalFee: number;
  refundFee: number;
  refundDesc?: string;
  notifyUrl?: string;
  fundsAccount: FundsAccount;
}

/**
 * params: checked; paramError: err_code PARAM_ERROR with this description;
 * returnMsg: refused before any business logic (return_code FAIL), as WeChat
 * refuses a refund_fee over total_fee.
 */
export type V2RefundParsing = { params: V2RefundParams } | { paramError: string } | { returnMsg: string };

const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{1,32}$/;
const TRANSACTION_ID = /^[0-9A-Za-z]{1,32}$/;
const POSITIVE_INTEGER = /^[1-9][0-9]{0,15}$/;
const MAX_REFUND_DESC_LENGTH = 80;
// v2 names the funds accounts after their source; the refund store keeps v3's names.
const REFUND_ACCOUNTS: Record<string, FundsAccount> = {
  REFUND_SOURCE_UNSETTLED_FUNDS: 'UNSETTLED',
  REFUND_SOURCE_RECHARGE_FUNDS: 'AVAILABLE',
};

/** A funds account as v2 names it (refund_account). */
export function v2RefundAccount(fundsAccount: FundsAccount): string {
  return fundsAccount === 'AVAILABLE' ? 'REFUND_SOURCE_RECHARGE_FUNDS' : 'REFUND_SOURCE_UNSETTLED_FUNDS';
}

function fen(value: string): number | undefined {
  return POSITIVE_INTEGER.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : undefined;
}

/**
 * Checks a /secapi/pay/refund request (pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4): one of
 * transaction_id and out_trade_no (transaction_id wins when both come),
 * out_refund_no, the trade's total_fee and this refund's refund_fee.
 * op_user_id, which old SDKs still send, is signed like any field and ignored.
 */
export function parseV2Refund(fields: Record<string, string>): V2RefundParsing {
  const { transaction_id: transactionId, out_trade_no: outTradeNo, out_refund_no: outRefundNo } = fields;
  if (!transactionId && !outTradeNo) return { paramError: 'transaction_id和out_trade_no不能同时为空' };
  if (transactionId && !TRANSACTION_ID.test(transactionId)) return { paramError: 'transaction_id参数格式错误' };
  if (!transactionId && !OUT_TRADE_NO.test(outTradeNo)) return { paramError: 'out_trade_no参数格式错误' };
  for (const name of [ 'out_refund_no', 'total_fee', 'refund_fee' ]) {
    if (!fields[name]) return { paramError: `缺少参数${name}` };
  }
  if (!OUT_REFUND_NO.test(outRefundNo)) return { paramError: 'out_refund_no参数格式错误' };
  const totalFee = fen(fields.total_fee);
  if (totalFee === undefined) return { paramError: 'total_fee参数格式错误' };
  const refundFee = fen(fields.refund_fee);
  if (refundFee === undefined) return { paramError: 'refund_fee参数格式错误' };
  if (fields.refund_fee_type && fields.refund_fee_type !== 'CNY') return { paramError: 'refund_fee_type参数格式错误' };
  if (fields.refund_desc && fields.refund_desc.length > MAX_REFUND_DESC_LENGTH) return { paramError: 'refund_desc参数长度有误' };
  if (fields.notify_url && !isNotifyUrl(fields.notify_url)) return { paramError: 'notify_url参数格式错误' };
  const fundsAccount = fields.refund_account ? REFUND_ACCOUNTS[fields.refund_account] : 'UNSETTLED';
  if (!fundsAccount) return { paramError: 'refund_account参数格式错误' };
  if (refundFee > totalFee) return { returnMsg: 'invalid refund_fee' };
  return {
    params: {
      transactionId: transactionId || undefined,
      outTradeNo: transactionId ? undefined : outTradeNo,
      outRefundNo,
      totalFee,
      refundFee,
      refundDesc: fields.refund_desc || undefined,
      notifyUrl: fields.notify_url || undefined,
      fundsAccount,
    },
  };
}
