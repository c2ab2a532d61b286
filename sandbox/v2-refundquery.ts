import { FaultInjector } from './faults';
import { SandboxReply, SandboxRequest, sleep } from './http';
import { Refund, RefundStatus, RefundStore, USER_RECEIVED_ACCOUNT } from './refund-store';
import { TradeStore } from './trade-store';
import { v2FaultError } from './v2-refund-faults';
import { v2RefundAccount } from './v2-refund-params';
import { businessFailure, readV2Request, signedReply, V2Merchant } from './v2-message';
import { beijingDateTime } from './wechat/time';
import type { XmlFields } from './wechat/xml';

/** v2's names of the refund statuses. */
export const V2_REFUND_STATUS: Record<RefundStatus, string> = {
  PROCESSING: 'PROCESSING',
  SUCCESS: 'SUCCESS',
  CLOSED: 'REFUNDCLOSE',
  ABNORMAL: 'CHANGE',
};

// A query by order number answers ten refunds at a time; `offset` pages on.
const PAGE_SIZE = 10;
const OFFSET = /^(0|[1-9][0-9]{0,5})$/;

/** The refunds a query names, and whether it named them by their order (which pages). */
interface Selection {
  refunds: Refund[];
  byOrder: boolean;
}

/**
 * api.mch.weixin.qq.com's v2 /pay/refundquery (pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_5; no
 * client certificate): one of refund_id, out_refund_no, transaction_id,
 * out_trade_no, in that priority. A refund number answers that refund; an
 * order number answers the order's refunds, ten from `offset`, with
 * total_refund_count. Each refund is a group of `_$n` fields, n from 0.
 */
export class RefundQueryV2Simulator {
  constructor(
    private readonly merchant: V2Merchant,
    private readonly trades: TradeStore,
    private readonly refunds: RefundStore,
    private readonly faults: FaultInjector,
  ) {}

  async query(request: SandboxRequest): Promise<SandboxReply> {
    const fault = this.faults.take('refundquery', 'pay');
    if (fault?.kind === 'HTTP_500') return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' };
    if (fault?.kind === 'DELAY') await sleep(fault.delayMs ?? 0);

    const read = readV2Request(request.body, this.merchant);
    if ('reply' in read) return read.reply;
    const { fields, signType } = read.request;
    const failure = (errCode: string, errCodeDes: string) => businessFailure(this.merchant, signType, errCode, errCodeDes);
    const faultError = v2FaultError(fault?.kind);
    if (faultError) return failure(faultError.errCode, faultError.errCodeDes);

    if (fields.offset && !OFFSET.test(fields.offset)) return failure('PARAM_ERROR', 'offset参数格式错误');
    const selection = this.select(fields);
    if (!selection) return failure('PARAM_ERROR', 'refund_id、out_refund_no、transaction_id、out_trade_no不能同时为空');
    if (selection.refunds.length === 0) return failure('REFUNDNOTEXIST', 'not exist');
    const offset = selection.byOrder ? Number(fields.offset ?? 0) : 0;
    if (offset >= selection.refunds.length) return failure('PARAM_ERROR', 'offset超过退款总笔数');
    const page = selection.refunds.slice(offset, offset + PAGE_SIZE);

    const trade = this.trades.find(page[0].outTradeNo)!;
    const reply: XmlFields = {
      result_code: 'SUCCESS',
      transaction_id: page[0].transactionId,
      out_trade_no: trade.outTradeNo,
      total_fee: trade.totalFee,
      cash_fee: trade.totalFee,
      fee_type: 'CNY',
      total_refund_count: selection.byOrder ? selection.refunds.length : undefined,
      refund_count: page.length,
    };
    page.forEach((refund, n) => Object.assign(reply, refundGroup(refund, n)));
    return signedReply(this.merchant, signType, reply);
  }

  private select(fields: Record<string, string>): Selection | undefined {
    const one = (refund: Refund | undefined): Selection => ({ refunds: refund ? [ refund ] : [], byOrder: false });
    if (fields.refund_id) return one(this.refunds.findById(fields.refund_id));
    if (fields.out_refund_no) return one(this.refunds.find(fields.out_refund_no));
    if (fields.transaction_id) {
      const trade = this.trades.findByTransactionId(fields.transaction_id);
      return { refunds: trade ? this.refunds.ofTrade(trade.outTradeNo) : [], byOrder: true };
    }
    if (fields.out_trade_no) return { refunds: this.refunds.ofTrade(fields.out_trade_no), byOrder: true };
    return undefined;
  }
}

/** One refund's `_$n` fields. */
function refundGroup(refund: Refund, n: number): XmlFields {
  return {
    [`out_refund_no_${n}`]: refund.outRefundNo,
    [`refund_id_${n}`]: refund.refundId,
    [`refund_channel_${n}`]: 'ORIGINAL',
    [`refund_fee_${n}`]: refund.refundFee,
    [`settlement_refund_fee_${n}`]: refund.refundFee,
    [`coupon_refund_fee_${n}`]: 0,
    [`refund_status_${n}`]: V2_REFUND_STATUS[refund.status],
    [`refund_account_${n}`]: v2RefundAccount(refund.fundsAccount),
    // sic: v2 spells it "accout"
    [`refund_recv_accout_${n}`]: USER_RECEIVED_ACCOUNT,
    [`refund_success_time_${n}`]: refund.status === 'SUCCESS' ? beijingDateTime(refund.succeededAt!) : undefined,
  };
}
