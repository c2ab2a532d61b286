import { FundsAccount, Refund, RefundNotifyForm, RefundRequestSource, RefundStore } from './refund-store';
import { Trade, TradeStore } from './trade-store';
import { compactToMs } from './wechat/time';

/** A refund as asked for, through any API or the merchant platform, its format already checked. */
export interface RefundApplication {
  /** names the trade; takes priority over outTradeNo, as WeChat documents */
  transactionId?: string;
  outTradeNo?: string;
  outRefundNo: string;
  /** the trade's total as the merchant states it, fen */
  total: number;
  refund: number;
  reason?: string;
  notifyUrl?: string;
  notifyForm: RefundNotifyForm;
  source: RefundRequestSource;
  fundsAccount: FundsAccount;
}

/**
 * Why WeChat refuses a refund. TRADE_NOT_FOUND: unknown or unpaid;
 * PARAMS_MISMATCH: the out_refund_no was used for another trade or amount,
 * or the total is not the trade's; EXCEEDS_REFUNDABLE: with the refunds not
 * closed it would give back more than was paid.
 */
export type RefundRefusal = 'TRADE_NOT_FOUND' | 'TRADE_OVERDUE' | 'PARAMS_MISMATCH' | 'EXCEEDS_REFUNDABLE' | 'TOO_MANY_REFUNDS';

export type RefundDecision = { refund: Refund; replayed: boolean } | { refusal: RefundRefusal };

// 支付后一年内可退款: from the success time, plus 365 days.
const REFUND_WINDOW_MS = 365 * 24 * 60 * 60 * 1000;
// At most 50 partial refunds per order (WeChat names no code for the 51st).
const MAX_REFUNDS_PER_TRADE = 50;

/**
 * WeChat's refund rules, the same for v2, v3 and the merchant platform
 * (the v2 refund page's notes, pay.weixin.qq.com/wiki/doc/api/jsapi.php?chapter=9_4): a paid trade, named by transaction_id first;
 * one out_refund_no is one refund, so the same request again is answered
 * with the same refund and a different one is refused; the total is the
 * trade's; refunds that are not closed never add up to more than it.
 */
export class RefundLedger {
  constructor(
    private readonly trades: TradeStore,
    private readonly refunds: RefundStore,
    /** told of every refund accepted (refund-auto-settle.ts) */
    private readonly onAccepted: (refund: Refund) => void = () => undefined,
  ) {}

  /** The paid trade a refund names; undefined when unknown or unpaid. */
  paidTrade(names: { transactionId?: string; outTradeNo?: string }): Trade | undefined {
    const trade = names.transactionId !== undefined
      ? this.trades.findByTransactionId(names.transactionId)
      : names.outTradeNo !== undefined ? this.trades.find(names.outTradeNo) : undefined;
    return trade?.state === 'SUCCESS' ? trade : undefined;
  }

  /** What is left to refund of a trade: its total less every refund that is not closed. */
  refundable(trade: Readonly<Trade>): number {
    const reserved = this.refunds.ofTrade(trade.outTradeNo)
      .filter(refund => refund.status !== 'CLOSED')
      .reduce((sum, refund) => sum + refund.refundFee, 0);
    return trade.totalFee - reserved;
  }

  apply(application: RefundApplication): RefundDecision {
    const trade = this.paidTrade(application);
    if (!trade) return { refusal: 'TRADE_NOT_FOUND' };
    const known = this.refunds.find(application.outRefundNo);
    if (known) {
      const same = known.outTradeNo === trade.outTradeNo && known.totalFee === application.total && known.refundFee === application.refund;
      return same ? { refund: known, replayed: true } : { refusal: 'PARAMS_MISMATCH' };
    }
    if (this.trades.clock() - compactToMs(trade.timeEnd!) > REFUND_WINDOW_MS) return { refusal: 'TRADE_OVERDUE' };
    if (application.total !== trade.totalFee) return { refusal: 'PARAMS_MISMATCH' };
    if (this.refunds.ofTrade(trade.outTradeNo).length >= MAX_REFUNDS_PER_TRADE) return { refusal: 'TOO_MANY_REFUNDS' };
    if (application.refund > this.refundable(trade)) return { refusal: 'EXCEEDS_REFUNDABLE' };
    const refund = this.refunds.create({
      outRefundNo: application.outRefundNo,
      outTradeNo: trade.outTradeNo,
      transactionId: trade.transactionId!,
      appid: trade.appid,
      mchid: trade.mchid,
      totalFee: trade.totalFee,
      refundFee: application.refund,
      reason: application.reason,
      notifyUrl: application.notifyUrl,
      notifyForm: application.notifyForm,
      source: application.source,
      fundsAccount: application.fundsAccount,
    });
    this.onAccepted(refund);
    return { refund, replayed: false };
  }
}
