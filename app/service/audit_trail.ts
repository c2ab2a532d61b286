import { Service } from 'egg';
import { Sql, sql } from '../lib/sql';
import type { PaymentEvent } from '../model/payment_event';

/** Where an audit row came from. */
export interface EventSource {
  source: 'notify' | 'query' | 'refund_notify' | 'refund_query';
  apiVersion: 'v2' | 'v3';
  verified: boolean;
  rawBody?: string;
}

/** One fact about a payment, as the audit trail keeps it. */
export interface PaymentEventFacts extends EventSource {
  orderNo?: string | null;
  outcome: string;
  reason?: string | null;
  transactionId?: string | null;
  amount?: number | null;
}

const INSERT_EVENT = 'INSERT INTO payment_events (order_no, source, api_version, verified, outcome, reason, '
  + 'transaction_id, amount, raw_body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

// The newest rows of an order that the staff API lists.
export const EVENTS_LISTED = 200;

// Enough of a body to investigate with; bodies hold no secrets (signatures are not secrets).
const RAW_BODY_KEPT = 2048;

/**
 * The owner of `payment_events`: every request that reaches a notify endpoint
 * and every order query applied leaves one row here, verified or not. Rows are
 * only ever added, and removed only by the retention (`purgeBatch`) once older
 * than PAYMENT_EVENTS_RETENTION_DAYS.
 */
export default class AuditTrailService extends Service {
  /** Keeps one row on its own (autocommit). */
  async record(event: PaymentEventFacts): Promise<void> {
    await sql.write(this.app.model, INSERT_EVENT, eventParams(event, new Date()));
  }

  /** Keeps one row inside the caller's transaction, so it commits (or not) with the change it describes. */
  async recordIn(tx: Sql, event: PaymentEventFacts, at: Date): Promise<void> {
    await tx.write(INSERT_EVENT, eventParams(event, at));
  }

  /**
   * An order's rows, newest first, without their raw bodies (the staff API
   * shows what happened, not what was sent). Bounded: unverified requests
   * naming an order can be sent by anyone, and must not make a page unbounded.
   */
  listForOrder(orderNo: string): Promise<PaymentEvent[]> {
    return this.app.model.PaymentEvent.findAll({
      where: { orderNo },
      attributes: { exclude: [ 'rawBody' ] },
      order: [[ 'id', 'DESC' ]],
      limit: EVENTS_LISTED,
    });
  }

  /**
   * Deletes at most `batchRows` rows created before `cutoff`, the oldest ids
   * first, and says how many went. The batch is found by the primary key (the
   * oldest `batchRows` ids, whose rows are the oldest since ids grow with
   * time), so no index on created_at is needed (none slows the notify's
   * INSERT) and a table with nothing to purge costs one short range read.
   * Two plain statements instead of DELETE … ORDER BY … LIMIT: the same SQL
   * on MySQL, MariaDB, TiDB and SQLite (whose DELETE takes no LIMIT unless
   * compiled for it).
   */
  async purgeBatch(cutoff: Date, batchRows: number): Promise<number> {
    const oldest = await sql.select<{ id: number }>(this.app.model,
      `SELECT id FROM payment_events ORDER BY id LIMIT ${Math.max(1, Math.floor(batchRows))}`, []);
    if (oldest.length === 0) return 0;
    const lastId = oldest[oldest.length - 1].id;
    // A young row among the oldest ids is kept (created_at < cutoff), never deleted by its place.
    return sql.write(this.app.model, 'DELETE FROM payment_events WHERE id <= ? AND created_at < ?', [ lastId, cutoff ]);
  }
}

/** The INSERT_EVENT parameters of a row: lengths bounded, the body truncated. */
function eventParams(event: PaymentEventFacts, createdAt: Date): unknown[] {
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
