import { BillBook, BillDaySettings } from './bill-book';
import { beijingDay } from './bill-date';
import { Refund, RefundStore } from './refund-store';
import { Trade, TradeStore } from './trade-store';
import { beijingDateTime, compactToMs } from './wechat/time';
import { BillLine, BillTextOptions, tradeBillText } from './wechat/trade-bill';

/** A day's bill: its text, or nothing when the day had no payment and no refund. */
export interface DayBill {
  settings: BillDaySettings;
  /** undefined: WeChat has no bill for the day (No Bill Exist / NO_STATEMENT_EXIST) */
  text?: string;
}

// An order paid through a cashier the sandbox does not simulate names no payer; bills still need a 用户标识.
const UNKNOWN_PAYER = '';

function tradeColumns(trade: Trade) {
  return {
    appid: trade.appid,
    mchid: trade.mchid,
    transactionId: trade.transactionId!,
    outTradeNo: trade.outTradeNo,
    openid: trade.openid ?? UNKNOWN_PAYER,
    tradeType: trade.tradeType,
    bankType: trade.bankType ?? 'OTHERS',
    description: trade.description,
    attach: trade.attach ?? '',
  };
}

/** A paid trade's row, on the day it was paid. */
export function paymentLine(trade: Trade): BillLine {
  return {
    kind: 'PAYMENT',
    time: beijingDateTime(compactToMs(trade.timeEnd!)),
    ...tradeColumns(trade),
    settled: trade.totalFee,
    total: trade.totalFee,
  };
}

/**
 * A refund's row, on the day WeChat accepted it and as it stood then:
 * PROCESSING, whatever became of it since (bill rows are never updated).
 */
export function refundLine(refund: Refund, trade: Trade): BillLine {
  return {
    kind: 'REFUND',
    time: beijingDateTime(refund.createdAt),
    ...tradeColumns(trade),
    // The refund names the payment it gives back, which is the trade's paid transaction.
    transactionId: refund.transactionId,
    refundId: refund.refundId,
    outRefundNo: refund.outRefundNo,
    refund: refund.refundFee,
    refundStatus: 'PROCESSING',
  };
}

/** The line with the amount a control call made the bill report instead of the real one, if any. */
function reportedAmount(line: BillLine, book: BillBook): BillLine {
  if (line.kind === 'PAYMENT') {
    const amount = book.amountOf({ orderNo: line.outTradeNo });
    // The bill misreports the whole order: 应结订单金额 and 订单金额 alike.
    return amount === undefined ? line : { ...line, settled: amount, total: amount };
  }
  const amount = book.amountOf({ refundNo: line.outRefundNo });
  return amount === undefined ? line : { ...line, refund: amount };
}

/**
 * WeChat's ALL trade bill of a Beijing day, generated on demand from what
 * the simulator holds: paid trades (SUCCESS on their success day, even when
 * refunded later), accepted refunds (on their acceptance day), and the extra
 * rows a control call staged, each with the amount a control call made it
 * report. Lines sorted by time, payments first on a tie.
 */
export class TradeBills {
  constructor(private readonly trades: TradeStore, private readonly refunds: RefundStore, readonly book: BillBook) {}

  lines(day: string): BillLine[] {
    const lines: BillLine[] = [];
    for (const trade of this.trades.all()) {
      if (trade.state === 'SUCCESS' && beijingDay(compactToMs(trade.timeEnd!)) === day) lines.push(paymentLine(trade));
    }
    for (const refund of this.refunds.all()) {
      const trade = this.trades.find(refund.outTradeNo);
      if (trade && beijingDay(refund.createdAt) === day) lines.push(refundLine(refund, trade));
    }
    lines.push(...this.book.rowsOf(day));
    const reported = lines.map(line => reportedAmount(line, this.book));
    const rank = (line: BillLine) => (line.kind === 'PAYMENT' ? 0 : 1);
    return reported.sort((a, b) => a.time.localeCompare(b.time) || rank(a) - rank(b));
  }

  /** The text of the day's bill as WeChat would generate it, whatever the day's mode; undefined for an empty day. */
  text(day: string, options: BillTextOptions = {}): string | undefined {
    const lines = this.lines(day);
    return lines.length === 0 ? undefined : tradeBillText(lines, options);
  }

  /** The day's bill as served: its mode, and its text in the day's form unless the mode empties it. */
  served(day: string): DayBill {
    const settings = this.book.settingsOf(day);
    if (settings.mode === 'EMPTY' || settings.mode === 'CREATING') return { settings };
    return { settings, text: this.text(day, settings) };
  }
}
