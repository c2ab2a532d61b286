import { Service } from 'egg';
import { OrderStatus } from '../lib/order-status';
import { sql, sqlTransaction } from '../lib/sql';
import { TradeReport } from '../lib/wxpay/gateway';

/** What applying a verified "paid" report did. */
export type SettleOutcome =
  | 'PAID' // this report moved the order PENDING → PAID
  | 'DUPLICATE' // already PAID by this very transaction
  | 'PAID_BY_OTHER_TRANSACTION' // already PAID by another payment: a double payment to refund by hand
  | 'PAID_AFTER_CLOSE' // the order was closed here: money taken for a closed order, to refund by hand
  | 'UNKNOWN_ORDER'
  | 'AMOUNT_MISMATCH';

export interface EventSource {
  source: 'notify' | 'query';
  apiVersion: 'v2' | 'v3';
  verified: boolean;
  rawBody?: string;
}

export interface PaymentEventFacts extends EventSource {
  orderNo?: string | null;
  outcome: string;
  reason?: string | null;
  transactionId?: string | null;
  amount?: number | null;
}

// The settlement's statements, in plain SQL (app/lib/sql.ts): the hot path of every notify.
const UPDATE_PAID = 'UPDATE orders SET status = ?, transaction_id = ?, paid_at = ?, updated_at = ? '
  + 'WHERE order_no = ? AND status = ? AND amount = ?';
const SELECT_ORDER = 'SELECT status, amount, transaction_id FROM orders WHERE order_no = ?';
const INSERT_EVENT = 'INSERT INTO payment_events (order_no, source, api_version, verified, outcome, reason, '
  + 'transaction_id, amount, raw_body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

// Enough of a body to investigate with; bodies hold no secrets (signatures are not secrets).
const RAW_BODY_KEPT = 2048;

/**
 * The one way an order becomes PAID, shared by notifies (v2, v3), order
 * queries and the reconciliation schedule: a compare-and-set on status, in
 * one transaction with its payment_events row, so duplicates, concurrent
 * copies and a notify racing a query credit the order exactly once.
 */
export default class SettlementService extends Service {
  /** Applies a verified SUCCESS report (transactionId and amount present). */
  async settlePaid(report: TradeReport & { transactionId: string; amount: number }, source: EventSource): Promise<SettleOutcome> {
    const now = new Date();
    const paid = await sqlTransaction(this.app.model, async tx => {
      const updated = await tx.write(UPDATE_PAID, [
        OrderStatus.PAID, report.transactionId, report.paidAt ?? now, now, report.orderNo, OrderStatus.PENDING, report.amount,
      ]);
      if (updated !== 1) return false;
      await tx.write(INSERT_EVENT, this.eventParams({ ...source, ...facts(report), outcome: 'PAID' }, now));
      return true;
    });
    if (paid) {
      this.logger.info('[Settlement.settlePaid:paid] orderNo: %s, transactionId: %s, via: %s %s',
        report.orderNo, report.transactionId, source.apiVersion, source.source);
      return 'PAID';
    }

    // Nothing changed: find out why, without rewriting the order.
    const [ order ] = await sql.select<{ status: string; amount: number; transaction_id: string | null }>(
      this.app.model, SELECT_ORDER, [ report.orderNo ]);
    let outcome: SettleOutcome;
    if (!order) outcome = 'UNKNOWN_ORDER';
    else if (order.amount !== report.amount) outcome = 'AMOUNT_MISMATCH';
    else if (order.status === OrderStatus.PAID || order.status === OrderStatus.REFUNDED) {
      outcome = order.transaction_id === report.transactionId ? 'DUPLICATE' : 'PAID_BY_OTHER_TRANSACTION';
    } else if (order.status === OrderStatus.CLOSED) outcome = 'PAID_AFTER_CLOSE';
    else {
      // Cannot happen (the update above saw no PENDING order with this amount); keep the trace anyway.
      await this.record({ ...source, ...facts(report), outcome: 'UNEXPECTED_STATE', reason: order.status });
      throw new Error(`order ${report.orderNo} is ${order.status} after a failed compare-and-set`);
    }

    if (outcome === 'PAID_BY_OTHER_TRANSACTION' || outcome === 'PAID_AFTER_CLOSE') {
      this.logger.error('[Settlement.settlePaid:%s] orderNo: %s, transactionId: %s needs a refund by hand',
        outcome, report.orderNo, report.transactionId);
    } else if (outcome !== 'DUPLICATE') {
      this.logger.warn('[Settlement.settlePaid:%s] orderNo: %s', outcome, report.orderNo);
    }
    await this.record({ ...source, ...facts(report), outcome });
    return outcome;
  }

  /** Keeps one audit row. */
  async record(event: PaymentEventFacts): Promise<void> {
    await sql.write(this.app.model, INSERT_EVENT, this.eventParams(event, new Date()));
  }

  /** The INSERT_EVENT parameters of an audit row (never a secret; the body truncated). */
  private eventParams(event: PaymentEventFacts, createdAt: Date): unknown[] {
    return [
      event.orderNo ? event.orderNo.slice(0, 64) : null,
      event.source,
      event.apiVersion,
      event.verified,
      event.outcome,
      event.reason ? event.reason.slice(0, 255) : null,
      event.transactionId ? event.transactionId.slice(0, 64) : null,
      event.amount ?? null,
      event.rawBody ? event.rawBody.slice(0, RAW_BODY_KEPT) : null,
      createdAt,
    ];
  }
}

function facts(report: TradeReport) {
  return { orderNo: report.orderNo, transactionId: report.transactionId, amount: report.amount };
}
