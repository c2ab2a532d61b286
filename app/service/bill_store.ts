import { Service } from 'egg';
import { Op } from 'sequelize';
import { BillReconciliationStatus, BillRowKind, DiscrepancyKind, StagedBillRow } from '../lib/bill-reconciliation';
import { OrderStatus } from '../lib/order-status';
import { sql } from '../lib/sql';
import type { BillDiscrepancy } from '../model/bill_discrepancy';
import type { BillReconciliation } from '../model/bill_reconciliation';
import { isDuplicateKey } from './refund_store';

/** A discrepancy as it is recorded. */
export interface NewDiscrepancy {
  kind: DiscrepancyKind;
  orderNo: string | null;
  refundNo: string | null;
  transactionId: string | null;
  billAmount: number | null;
  localAmount: number | null;
  resolved: boolean;
  detail: string | null;
}

/** Who claims a day, until when, and with which token its outcome will be written. */
export interface DayClaim {
  runBy: string;
  now: Date;
  until: Date;
  token: string;
}

/**
 * Which days a claim may take: staff take any day no live run holds; the
 * schedule only a day never run, one whose retry time has come, or one whose
 * run died (its lease passed).
 */
export type ClaimScope = 'staff' | 'schedule';

/** How a run ended, as it is written on the day. */
export interface DayOutcome {
  status: BillReconciliationStatus.DONE | BillReconciliationStatus.EMPTY | BillReconciliationStatus.WAITING | BillReconciliationStatus.FAILED;
  finishedAt: Date;
  retryAt?: Date | null;
  failure?: string | null;
  bill?: { count: number; settledTotal: number; refundTotal: number; feeTotal: string } | null;
  local?: { count: number; settledTotal: number; refundTotal: number } | null;
}

/** A bill payment whose order is ours but cannot stand as it is: PENDING, CLOSED or paid by another transaction. */
export interface PaymentToSettle {
  id: number;
  orderNo: string;
  transactionId: string;
  amount: number;
  localStatus: OrderStatus;
  localAmount: number;
  localTransactionId: string | null;
}

/** A bill refund that is not in our refunds table. */
export interface UnknownRefund {
  id: number;
  orderNo: string;
  transactionId: string;
  refundNo: string;
  refundId: string | null;
  amount: number;
  tradedAt: Date;
}

const { RUNNING, PENDING, WAITING, FAILED } = BillReconciliationStatus;
const { PAYMENT, REFUND } = BillRowKind;
const SETTLED = [ OrderStatus.PAID, OrderStatus.REFUNDED ];
const STAGED_COLUMNS = 8;
const DISCREPANCY_COLUMNS = 10;
// Rows per statement when emptying the staging table: one DELETE of a million rows is one huge transaction.
const DELETE_SPAN = 10_000;

const INSERT_DISCREPANCY = 'INSERT INTO bill_discrepancies (bill_date, kind, order_no, refund_no, transaction_id, '
  + 'bill_amount, local_amount, resolved, detail, created_at) ';

// The comparisons that need nothing but a record, each one INSERT … SELECT: the day never passes through memory.
// Their parameters are [resolved, detail, created_at, bill_date, …] in this order.
const RECORD_MISSING_LOCALLY = `${INSERT_DISCREPANCY}SELECT b.bill_date, '${DiscrepancyKind.MISSING_LOCALLY}', b.order_no, NULL, `
  + 'b.transaction_id, b.amount, NULL, ?, ?, ? FROM bill_rows b '
  + `WHERE b.bill_date = ? AND b.kind = '${PAYMENT}' AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.order_no = b.order_no) ORDER BY b.id`;
const RECORD_AMOUNT_MISMATCH = `${INSERT_DISCREPANCY}SELECT b.bill_date, '${DiscrepancyKind.AMOUNT_MISMATCH}', b.order_no, NULL, `
  + 'b.transaction_id, b.amount, o.amount, ?, ?, ? FROM bill_rows b JOIN orders o ON o.order_no = b.order_no '
  + `WHERE b.bill_date = ? AND b.kind = '${PAYMENT}' AND o.transaction_id = b.transaction_id `
  + `AND o.status IN ('${SETTLED.join("', '")}') AND o.amount <> b.amount ORDER BY b.id`;
const RECORD_MISSING_IN_BILL = `${INSERT_DISCREPANCY}SELECT ?, '${DiscrepancyKind.MISSING_IN_BILL}', o.order_no, NULL, `
  + 'o.transaction_id, NULL, o.amount, ?, ?, ? FROM orders o '
  + `WHERE o.paid_at >= ? AND o.paid_at < ? AND o.status IN ('${SETTLED.join("', '")}') AND NOT EXISTS `
  + `(SELECT 1 FROM bill_rows b WHERE b.bill_date = ? AND b.kind = '${PAYMENT}' AND b.order_no = o.order_no `
  + 'AND b.transaction_id = o.transaction_id) ORDER BY o.paid_at, o.id';
const RECORD_REFUND_AMOUNT_MISMATCH = `${INSERT_DISCREPANCY}SELECT b.bill_date, '${DiscrepancyKind.REFUND_AMOUNT_MISMATCH}', `
  + 'b.order_no, b.refund_no, b.transaction_id, b.amount, r.amount, ?, ?, ? FROM bill_rows b JOIN refunds r ON r.refund_no = b.refund_no '
  + `WHERE b.bill_date = ? AND b.kind = '${REFUND}' AND r.amount <> b.amount ORDER BY b.id`;
const RECORD_REFUND_MISSING_IN_BILL = `${INSERT_DISCREPANCY}SELECT ?, '${DiscrepancyKind.REFUND_MISSING_IN_BILL}', r.order_no, `
  + 'r.refund_no, r.transaction_id, NULL, r.amount, ?, ?, ? FROM refunds r WHERE r.accepted_at >= ? AND r.accepted_at < ? AND NOT EXISTS '
  + `(SELECT 1 FROM bill_rows b WHERE b.bill_date = ? AND b.kind = '${REFUND}' AND b.refund_no = r.refund_no) ORDER BY r.accepted_at, r.id`;

/** The detail written on each kind recorded in SQL. */
export const RECORDED_DETAILS = {
  [DiscrepancyKind.MISSING_LOCALLY]: 'a payment in the bill whose order is not ours',
  [DiscrepancyKind.AMOUNT_MISMATCH]: 'the bill and the order disagree on the amount',
  [DiscrepancyKind.MISSING_IN_BILL]: 'paid here that day, absent from the bill',
  [DiscrepancyKind.REFUND_AMOUNT_MISMATCH]: 'the bill and the refund disagree on the amount',
  [DiscrepancyKind.REFUND_MISSING_IN_BILL]: 'accepted by WeChat that day by our records, absent from the bill',
} as const;

/** SQLite hands DATE columns back as text (`2026-11-29 02:00:00.000 +00:00`), MySQL as Dates. */
function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  const text = String(value).trim().replace(' ', 'T')
    .replace(/ ?\+00:00$/, 'Z');
  return new Date(/[zZ]|[+-]\d{2}:\d{2}$/.test(text) ? text : `${text}Z`);
}

/**
 * The owner of `bill_reconciliations`, `bill_discrepancies` and the staging
 * table `bill_rows`. A day is claimed by a compare-and-set with a lease and a
 * token, and its outcome written only by the run holding that token.
 *
 * The comparisons join the staged bill with `orders` and `refunds` in SQL,
 * which they read but never write (OrderStore and RefundStore own those):
 * set-based joins are what keep a million-row day fast and in bounded memory.
 */
export default class BillStoreService extends Service {
  // ---- the day ----

  /** Makes the day's row exist (PENDING) unless it does. */
  async ensureDay(date: string): Promise<void> {
    const now = new Date();
    try {
      await sql.write(this.app.model, 'INSERT INTO bill_reconciliations (bill_date, status, created_at, updated_at) VALUES (?, ?, ?, ?)',
        [ date, PENDING, now, now ]);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
  }

  /**
   * Takes the day for a run by compare-and-set: RUNNING until `claim.until`,
   * the previous outcome and summary cleared. False when another run holds it
   * (or, for the schedule, when it is not due).
   */
  async claim(date: string, claim: DayClaim, scope: ClaimScope): Promise<boolean> {
    const condition = scope === 'staff'
      ? '(status <> ? OR claimed_until IS NULL OR claimed_until < ?)'
      : '(status = ? OR (status IN (?, ?) AND retry_at IS NOT NULL AND retry_at <= ?) OR (status = ? AND (claimed_until IS NULL OR claimed_until < ?)))';
    const conditionParams = scope === 'staff'
      ? [ RUNNING, claim.now ]
      : [ PENDING, WAITING, FAILED, claim.now, RUNNING, claim.now ];
    const claimed = await sql.write(this.app.model,
      'UPDATE bill_reconciliations SET status = ?, run_by = ?, started_at = ?, finished_at = NULL, claimed_until = ?, claim_token = ?, '
      + 'retry_at = NULL, failure = NULL, bill_count = NULL, bill_settled_total = NULL, bill_refund_total = NULL, bill_fee_total = NULL, '
      + `local_count = NULL, local_settled_total = NULL, local_refund_total = NULL, updated_at = ? WHERE bill_date = ? AND ${condition}`,
      [ RUNNING, claim.runBy.slice(0, 64), claim.now, claim.until, claim.token, claim.now, date, ...conditionParams ]);
    return claimed === 1;
  }

  /** Lengthens the lease of the run holding `token`; false when it no longer holds the day. */
  async extendClaim(date: string, token: string, until: Date): Promise<boolean> {
    return await sql.write(this.app.model, 'UPDATE bill_reconciliations SET claimed_until = ? WHERE bill_date = ? AND claim_token = ?',
      [ until, date, token ]) === 1;
  }

  /** Writes how the run holding `token` ended and releases the day; false when it no longer held it. */
  async finish(date: string, token: string, outcome: DayOutcome): Promise<boolean> {
    const { bill, local } = outcome;
    return await sql.write(this.app.model,
      'UPDATE bill_reconciliations SET status = ?, finished_at = ?, claimed_until = NULL, claim_token = NULL, retry_at = ?, failure = ?, '
      + 'bill_count = ?, bill_settled_total = ?, bill_refund_total = ?, bill_fee_total = ?, '
      + 'local_count = ?, local_settled_total = ?, local_refund_total = ?, updated_at = ? WHERE bill_date = ? AND claim_token = ?',
      [ outcome.status, outcome.finishedAt, outcome.retryAt ?? null, outcome.failure ? outcome.failure.slice(0, 255) : null,
        bill?.count ?? null, bill?.settledTotal ?? null, bill?.refundTotal ?? null, bill?.feeTotal ?? null,
        local?.count ?? null, local?.settledTotal ?? null, local?.refundTotal ?? null, outcome.finishedAt, date, token ]) === 1;
  }

  findDay(date: string): Promise<BillReconciliation | null> {
    return this.app.model.BillReconciliation.findOne({ where: { billDate: date } });
  }

  /** Days, newest date first. */
  listDays(page: number, pageSize: number): Promise<{ rows: BillReconciliation[]; count: number }> {
    return this.app.model.BillReconciliation.findAndCountAll({
      order: [[ 'billDate', 'DESC' ]],
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
  }

  /** Dates the schedule should look at again: a WAITING or failed day whose retry time came, a run that died. */
  async findDue(now: Date, limit: number): Promise<string[]> {
    const rows = await this.app.model.BillReconciliation.findAll({
      attributes: [ 'billDate' ],
      where: {
        [Op.or]: [
          { status: [ WAITING, FAILED ], retryAt: { [Op.lte]: now } },
          { status: RUNNING, claimedUntil: { [Op.lt]: now } },
        ],
      },
      order: [[ 'billDate', 'ASC' ]],
      limit,
    });
    return rows.map(row => row.billDate);
  }

  // ---- discrepancies ----

  /** Forgets a day's discrepancies and staged rows (a run starting over). */
  async clearResults(date: string): Promise<void> {
    await sql.write(this.app.model, 'DELETE FROM bill_discrepancies WHERE bill_date = ?', [ date ]);
    await this.deleteStagedRows(date);
  }

  /** Records discrepancies found one by one (those a rule acted on), in one multi-row INSERT. */
  async insertDiscrepancies(date: string, discrepancies: NewDiscrepancy[]): Promise<void> {
    if (discrepancies.length === 0) return;
    const now = new Date();
    const values = discrepancies.map(() => `(${Array(DISCREPANCY_COLUMNS).fill('?').join(', ')})`).join(', ');
    await sql.write(this.app.model, `${INSERT_DISCREPANCY}VALUES ${values}`, discrepancies.flatMap(d => [
      date, d.kind, d.orderNo, d.refundNo, d.transactionId, d.billAmount, d.localAmount, d.resolved,
      d.detail ? d.detail.slice(0, 255) : null, now,
    ]));
  }

  /**
   * The comparisons that only record: payments of unknown orders, amounts
   * that differ, our payments and refunds of the day absent from the bill.
   * Run after the rules have acted, so what they settled or imported is seen.
   */
  async recordPlainDiscrepancies(date: string, day: { start: Date; end: Date }): Promise<void> {
    const now = new Date();
    const head = (kind: keyof typeof RECORDED_DETAILS) => [ false, RECORDED_DETAILS[kind], now ];
    const run = (text: string, params: unknown[]) => sql.write(this.app.model, text, params);
    await run(RECORD_MISSING_LOCALLY, [ ...head(DiscrepancyKind.MISSING_LOCALLY), date ]);
    await run(RECORD_AMOUNT_MISMATCH, [ ...head(DiscrepancyKind.AMOUNT_MISMATCH), date ]);
    await run(RECORD_MISSING_IN_BILL, [ date, ...head(DiscrepancyKind.MISSING_IN_BILL), day.start, day.end, date ]);
    await run(RECORD_REFUND_AMOUNT_MISMATCH, [ ...head(DiscrepancyKind.REFUND_AMOUNT_MISMATCH), date ]);
    await run(RECORD_REFUND_MISSING_IN_BILL, [ date, ...head(DiscrepancyKind.REFUND_MISSING_IN_BILL), day.start, day.end, date ]);
  }

  /** A page of a day's discrepancies in the order they were found (id > afterId). */
  listDiscrepancies(date: string, afterId: number, limit: number): Promise<BillDiscrepancy[]> {
    return this.app.model.BillDiscrepancy.findAll({
      where: { billDate: date, id: { [Op.gt]: afterId } },
      order: [[ 'id', 'ASC' ]],
      limit,
    });
  }

  /** How many discrepancies each day has, and how many of them are unresolved. */
  async countDiscrepancies(dates: string[]): Promise<Map<string, { total: number; unresolved: number }>> {
    const counts = new Map<string, { total: number; unresolved: number }>();
    if (dates.length === 0) return counts;
    const rows = await sql.select<{ bill_date: string; total: unknown; unresolved: unknown }>(this.app.model,
      'SELECT bill_date, COUNT(*) AS total, SUM(CASE WHEN resolved THEN 0 ELSE 1 END) AS unresolved FROM bill_discrepancies '
      + `WHERE bill_date IN (${dates.map(() => '?').join(', ')}) GROUP BY bill_date`, dates);
    // MySQL answers SUM as DECIMAL text.
    for (const row of rows) counts.set(row.bill_date, { total: Number(row.total), unresolved: Number(row.unresolved ?? 0) });
    return counts;
  }

  // ---- staging ----

  /** Stages bill rows in one multi-row INSERT. */
  async insertStagedRows(date: string, rows: StagedBillRow[]): Promise<void> {
    if (rows.length === 0) return;
    const values = rows.map(() => `(${Array(STAGED_COLUMNS).fill('?').join(', ')})`).join(', ');
    await sql.write(this.app.model,
      `INSERT INTO bill_rows (bill_date, kind, order_no, transaction_id, refund_no, refund_id, amount, traded_at) VALUES ${values}`,
      rows.flatMap(row => [ date, row.kind, row.orderNo, row.transactionId, row.refundNo, row.refundId, row.amount, row.tradedAt ]));
  }

  /** Empties the day's staged rows, a span of ids at a time. */
  async deleteStagedRows(date: string): Promise<void> {
    const [ range ] = await sql.select<{ low: unknown; high: unknown }>(this.app.model,
      'SELECT MIN(id) AS low, MAX(id) AS high FROM bill_rows WHERE bill_date = ?', [ date ]);
    if (range?.low === null || range?.low === undefined) return;
    const high = Number(range.high);
    for (let low = Number(range.low); low <= high; low += DELETE_SPAN) {
      await sql.write(this.app.model, 'DELETE FROM bill_rows WHERE bill_date = ? AND id >= ? AND id < ?', [ date, low, low + DELETE_SPAN ]);
    }
  }

  /**
   * A page (id > afterId) of the day's bill payments whose order is ours but
   * PENDING, CLOSED, or paid by another transaction.
   */
  async pagePaymentsToSettle(date: string, afterId: number, limit: number): Promise<PaymentToSettle[]> {
    const rows = await sql.select<Record<string, unknown>>(this.app.model,
      'SELECT b.id, b.order_no, b.transaction_id, b.amount, o.status, o.amount AS local_amount, o.transaction_id AS local_transaction_id '
      + 'FROM bill_rows b JOIN orders o ON o.order_no = b.order_no '
      + `WHERE b.bill_date = ? AND b.kind = '${PAYMENT}' AND b.id > ? `
      + `AND ((o.transaction_id IS NOT NULL AND o.transaction_id <> b.transaction_id) OR o.status IN ('${OrderStatus.PENDING}', '${OrderStatus.CLOSED}')) `
      + `ORDER BY b.id LIMIT ${Math.trunc(limit)}`, [ date, afterId ]);
    return rows.map(row => ({
      id: Number(row.id),
      orderNo: String(row.order_no),
      transactionId: String(row.transaction_id),
      amount: Number(row.amount),
      localStatus: row.status as OrderStatus,
      localAmount: Number(row.local_amount),
      localTransactionId: row.local_transaction_id === null ? null : String(row.local_transaction_id),
    }));
  }

  /** A page (id > afterId) of the day's bill refunds we have no refund for. */
  async pageUnknownRefunds(date: string, afterId: number, limit: number): Promise<UnknownRefund[]> {
    const rows = await sql.select<Record<string, unknown>>(this.app.model,
      'SELECT b.id, b.order_no, b.transaction_id, b.refund_no, b.refund_id, b.amount, b.traded_at FROM bill_rows b '
      + `WHERE b.bill_date = ? AND b.kind = '${REFUND}' AND b.id > ? `
      + 'AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.refund_no = b.refund_no) '
      + `ORDER BY b.id LIMIT ${Math.trunc(limit)}`, [ date, afterId ]);
    return rows.map(row => ({
      id: Number(row.id),
      orderNo: String(row.order_no),
      transactionId: String(row.transaction_id),
      refundNo: String(row.refund_no ?? ''),
      refundId: row.refund_id === null ? null : String(row.refund_id),
      amount: Number(row.amount),
      tradedAt: toDate(row.traded_at),
    }));
  }
}
