import { Service } from 'egg';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { ConflictError, InvalidRequestError, NotFoundError } from '../lib/api-error';
import { readTradeBill, TradeBillError, TradeBillSummary } from '../lib/bill/trade-bill';
import { beijingDateOf, beijingDayBounds, isBeijingTimeReached, previousBeijingDate } from '../lib/bill-day';
import {
  BillReconciliationStatus, DISCREPANCY_CSV_COLUMNS, DiscrepancyKind, StagedBillRow, stagedRowOf,
} from '../lib/bill-reconciliation';
import { neutraliseFormula } from '../lib/csv-cell';
import { OrderStatus } from '../lib/order-status';
import { automaticRefundNo } from '../lib/refund-no';
import type { TradeBillDownload } from '../lib/wxpay/gateway';
import type { BillDiscrepancy } from '../model/bill_discrepancy';
import type { BillReconciliation } from '../model/bill_reconciliation';
import { billContent } from '../upstream/bill-file';
import { WechatPayError } from '../upstream/wechatpay-errors';
import type { ClaimScope, DayOutcome, NewDiscrepancy, PaymentToSettle, UnknownRefund } from './bill_store';

/** A discrepancy as the staff API shows it: the recorded facts, nothing more. */
export type DiscrepancyView = NewDiscrepancy;

/** A reconciliation day as the staff API shows it (README "Daily bill reconciliation"). */
export interface DayView {
  date: string;
  status: BillReconciliationStatus;
  runBy: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** null until a run read a bill (or found none: zeros) */
  bill: { count: number; settledTotal: number; refundTotal: number; feeTotal: string } | null;
  /** null until a run compared the day */
  local: { count: number; settledTotal: number; refundTotal: number } | null;
  /** why a FAILED day failed */
  failure: string | null;
  /** when a WAITING (or retryable FAILED) day is asked for again */
  retryAt: string | null;
  /** all of the day's discrepancies, of which the day object lists the first DISCREPANCIES_LISTED */
  discrepancyCount: number;
  unresolvedCount: number;
  discrepancies?: DiscrepancyView[];
}

type BillSummaryView = NonNullable<DayView['bill']>;

/** A run's hold on its day: the claim's token, and the time it was taken (the run's clock). */
interface RunClaim {
  token: string;
  at: Date;
}

// Comfortably above the 120 s a million-row day takes; a run that dies is taken over after it.
const LEASE_MS = 15 * 60_000;
// WeChat asks to try again about every 30 minutes while a bill is being created (pay.weixin.qq.com/doc/v3/merchant/4012556654).
const RETRY_MS = 30 * 60_000;
// Bill rows per multi-row INSERT into the staging table.
const STAGE_BATCH = 1000;
// Rows read per page where a rule acts on each (settle, refund, import): each one calls WeChat or commits.
const ACTION_PAGE = 100;
// Discrepancies in a day object; the CSV has every one of them.
export const DISCREPANCIES_LISTED = 1000;
const CSV_PAGE = 1000;
// Days the schedule takes in one tick besides the previous day (retries, runs that died).
const DUE_BATCH = 5;

const EMPTY_BILL: BillSummaryView = { count: 0, settledTotal: 0, refundTotal: 0, feeTotal: '0.00000' };

/**
 * The daily bill reconciliation: a Beijing day's ALL trade bill downloaded
 * (gateway of the configured API version) into a temporary file, parsed as a
 * stream into the staging table in multi-row batches, then compared with our
 * orders and refunds in SQL, a page at a time: the day never sits in memory.
 * Payments the bill proves (PENDING here) are settled through a verified
 * order query, never from the bill; payments an order cannot keep are
 * refunded through the automatic-refund path; refunds made in the merchant
 * platform are imported. A day is claimed by a compare-and-set with a lease,
 * so no two runs (instances) reconcile it at once.
 */
export default class BillReconciliationService extends Service {
  /** POST /admin/api/reconciliations/:date/run: reconciles the day now; 409 while another run holds it. */
  async runNow(date: string, runBy: string, now: Date = new Date()): Promise<DayView> {
    if (date > beijingDateOf(now)) throw new InvalidRequestError('DATE_INVALID', `${date} has not happened yet (Beijing time)`);
    const claim = await this.claim(date, runBy, now, 'staff');
    if (!claim) throw new ConflictError('RECONCILIATION_RUNNING', `the reconciliation of ${date} is running`);
    await this.reconcile(date, claim);
    return this.get(date);
  }

  /**
   * The schedule's tick: the previous Beijing day once BILL_RECONCILE_AT has
   * passed (once: a day that ended is not taken again), and any day whose
   * retry time came or whose run died. Returns the dates it reconciled.
   */
  async runDue(now: Date = new Date()): Promise<string[]> {
    const store = this.service.billStore;
    const dates = await store.findDue(now, DUE_BATCH);
    if (isBeijingTimeReached(now, this.config.billReconciliation.at)) {
      const yesterday = previousBeijingDate(now);
      if (!dates.includes(yesterday)) dates.unshift(yesterday);
    }
    const ran: string[] = [];
    for (const date of dates) {
      const claim = await this.claim(date, 'schedule', now, 'schedule');
      if (!claim) continue;
      await this.reconcile(date, claim);
      ran.push(date);
    }
    return ran;
  }

  /** One day as the staff API shows it; 404 for a day never run. */
  async get(date: string): Promise<DayView> {
    const day = await this.service.billStore.findDay(date);
    if (!day) throw new NotFoundError('RECONCILIATION_NOT_FOUND', `${date} was never reconciled`);
    const counts = (await this.service.billStore.countDiscrepancies([ date ])).get(date);
    const discrepancies = await this.service.billStore.listDiscrepancies(date, 0, DISCREPANCIES_LISTED);
    return { ...toDayView(day, counts), discrepancies: discrepancies.map(toDiscrepancyView) };
  }

  /** Days, newest date first, without their discrepancies (counted instead: a day may have thousands). */
  async list(page: number, pageSize: number) {
    const { rows, count } = await this.service.billStore.listDays(page, pageSize);
    const counts = await this.service.billStore.countDiscrepancies(rows.map(row => row.billDate));
    return { items: rows.map(row => toDayView(row, counts.get(row.billDate))), total: count, page, pageSize };
  }

  /**
   * The day's discrepancies as CSV (UTF-8 with a BOM, for spreadsheets),
   * streamed a page at a time; 404 for a day never run. Text cells that a
   * spreadsheet would run as a formula are neutralised.
   */
  async discrepanciesCsv(date: string): Promise<Readable> {
    if (!await this.service.billStore.findDay(date)) throw new NotFoundError('RECONCILIATION_NOT_FOUND', `${date} was never reconciled`);
    const store = this.service.billStore;
    async function* records() {
      let afterId = 0;
      for (;;) {
        const page = await store.listDiscrepancies(date, afterId, CSV_PAGE);
        for (const row of page) yield csvRecord(toDiscrepancyView(row));
        if (page.length < CSV_PAGE) return;
        afterId = page[page.length - 1].id;
      }
    }
    const csv = stringify({ header: true, bom: true, columns: [ ...DISCREPANCY_CSV_COLUMNS ], record_delimiter: '\r\n' });
    const source = Readable.from(records());
    source.on('error', err => csv.destroy(err));
    return source.pipe(csv);
  }

  /** Takes the day by compare-and-set: its token and time, or undefined when it is held (or, for the schedule, not due). */
  private async claim(date: string, runBy: string, now: Date, scope: ClaimScope): Promise<RunClaim | undefined> {
    const store = this.service.billStore;
    // The day's row exists before it is claimed: the claim is a conditional update of it.
    if (!await store.findDay(date)) await store.ensureDay(date);
    const token = randomUUID();
    // The lease runs from the claim, on the real clock: `now` may be a test's.
    const claimedAt = new Date(Math.max(now.getTime(), Date.now()));
    const claimed = await store.claim(date, { runBy, now: claimedAt, until: new Date(claimedAt.getTime() + LEASE_MS), token }, scope);
    if (claimed) this.logger.info('[BillReconciliation.claim] date: %s, by: %s', date, runBy);
    return claimed ? { token, at: claimedAt } : undefined;
  }

  /** The run of a claimed day, to its end: the outcome is always written, whatever fails. */
  private async reconcile(date: string, { token, at }: RunClaim): Promise<void> {
    const store = this.service.billStore;
    const dir = await mkdtemp(path.join(tmpdir(), 'wxpay-bill-'));
    try {
      await store.clearResults(date);
      const file = path.join(dir, `${date}.bill`);
      let download: TradeBillDownload;
      try {
        download = await this.service.wechatPay.gateway.downloadTradeBill(date, file);
      } catch (err) {
        await this.finish(date, token, failure(err, at));
        return;
      }
      if (download.state === 'CREATING') {
        await this.finish(date, token, { status: BillReconciliationStatus.WAITING, retryAt: new Date(at.getTime() + RETRY_MS) });
        return;
      }
      let bill = EMPTY_BILL;
      if (download.state === 'READY') {
        try {
          bill = await this.stage(date, file, download.gzip);
        } catch (err) {
          if (!(err instanceof TradeBillError)) throw err;
          await store.deleteStagedRows(date);
          await this.finish(date, token, { status: BillReconciliationStatus.FAILED, failure: `the bill is malformed: ${err.message}` });
          return;
        }
      }
      await store.extendClaim(date, token, new Date(Date.now() + LEASE_MS));
      await this.compare(date);
      const local = await this.localTotals(date);
      // Emptied while the claim still holds the day: a re-run could otherwise stage rows of the
      // same date inside the id span being deleted (ids need not grow across TiDB servers).
      await store.deleteStagedRows(date);
      await this.finish(date, token, {
        status: download.state === 'EMPTY' ? BillReconciliationStatus.EMPTY : BillReconciliationStatus.DONE, bill, local,
      });
    } catch (err) {
      this.logger.error('[BillReconciliation.reconcile:error] date: %s, error: %s', date, (err as Error).stack);
      await store.deleteStagedRows(date).catch(() => undefined);
      // The day says FAILED and why; a staff run answers it like any other outcome.
      await this.finish(date, token, { status: BillReconciliationStatus.FAILED, failure: `the run failed: ${(err as Error).message}` })
        .catch(() => undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async finish(date: string, token: string, outcome: Omit<DayOutcome, 'finishedAt'>): Promise<void> {
    const written = await this.service.billStore.finish(date, token, { ...outcome, finishedAt: new Date() });
    if (!written) this.logger.warn('[BillReconciliation.finish:lost-claim] date: %s: another run took the day over', date);
    else this.logger.info('[BillReconciliation.finish] date: %s, status: %s%s', date, outcome.status, outcome.failure ? `, ${outcome.failure}` : '');
    if (written) await this.countRun(date, outcome.status);
  }

  /** The run and what it found in the metrics; a failure to count never fails the run, which is written already. */
  private async countRun(date: string, status: BillReconciliationStatus): Promise<void> {
    try {
      const compared = status === BillReconciliationStatus.DONE || status === BillReconciliationStatus.EMPTY;
      const found = compared ? (await this.service.billStore.countDiscrepancies([ date ])).get(date) : undefined;
      this.app.metrics.billReconciled(status, found ?? { total: 0, unresolved: 0 });
    } catch (err) {
      this.logger.warn('[BillReconciliation.countRun] date: %s: %s', date, (err as Error).message);
    }
  }

  /** Parses the bill as a stream into the staging table, STAGE_BATCH rows per INSERT; the bill's summary. */
  private async stage(date: string, file: string, gzip: boolean): Promise<BillSummaryView> {
    const store = this.service.billStore;
    let batch: StagedBillRow[] = [];
    const summary: TradeBillSummary = await readTradeBill(billContent(file, gzip) as AsyncIterable<Buffer>, async row => {
      const staged = stagedRowOf(row);
      if (!staged) return;
      batch.push(staged);
      if (batch.length >= STAGE_BATCH) {
        const full = batch;
        batch = [];
        await store.insertStagedRows(date, full);
      }
    });
    await store.insertStagedRows(date, batch);
    if (summary.mismatches.length > 0) {
      this.logger.warn('[BillReconciliation.stage:summary] date: %s: the summary disagrees with the rows on %s', date, summary.mismatches.join(', '));
    }
    return { count: summary.count, settledTotal: summary.settledTotal, refundTotal: summary.refundTotal, feeTotal: summary.feeTotal };
  }

  /** Every comparison of the staged day with our books: first where a rule acts, then what is only recorded. */
  private async compare(date: string): Promise<void> {
    const store = this.service.billStore;
    for (let afterId = 0; ;) {
      const page = await store.pagePaymentsToSettle(date, afterId, ACTION_PAGE);
      if (page.length === 0) break;
      const found: NewDiscrepancy[] = [];
      for (const payment of page) found.push(await this.settleBillPayment(payment));
      await store.insertDiscrepancies(date, found);
      afterId = page[page.length - 1].id;
    }
    for (let afterId = 0; ;) {
      const page = await store.pageUnknownRefunds(date, afterId, ACTION_PAGE);
      if (page.length === 0) break;
      const found: NewDiscrepancy[] = [];
      for (const refund of page) found.push(await this.importBillRefund(refund));
      await store.insertDiscrepancies(date, found);
      afterId = page[page.length - 1].id;
    }
    await store.recordPlainDiscrepancies(date, beijingDayBounds(date));
  }

  /**
   * A bill payment of our order that the order cannot stand as it is. Another
   * transaction or a CLOSED order: refunded through the automatic-refund path
   * (one refund per transaction, ever). PENDING: settled only through a
   * verified order query; the unsigned bill is never believed for that.
   */
  private async settleBillPayment(payment: PaymentToSettle): Promise<NewDiscrepancy> {
    const facts = {
      orderNo: payment.orderNo, transactionId: payment.transactionId, billAmount: payment.amount, localAmount: payment.localAmount,
    };
    const otherTransaction = payment.localTransactionId !== null && payment.localTransactionId !== payment.transactionId;
    if (otherTransaction || payment.localStatus === OrderStatus.CLOSED) {
      const effect = await this.service.settlement.refundForeignPayment(otherTransaction ? 'PAID_BY_OTHER_TRANSACTION' : 'PAID_AFTER_CLOSE',
        { orderNo: payment.orderNo, transactionId: payment.transactionId, amount: payment.amount });
      const disabled = effect === 'DISABLED';
      return {
        ...facts,
        kind: otherTransaction ? DiscrepancyKind.OTHER_TRANSACTION : DiscrepancyKind.CLOSED_LOCALLY,
        refundNo: disabled ? null : automaticRefundNo(payment.transactionId),
        resolved: !disabled,
        detail: disabled ? 'needs a refund by hand: AUTO_REFUND is off'
          : effect === 'CREATED' ? 'refunded automatically' : 'already refunded automatically',
      };
    }
    let detail: string;
    let resolved = false;
    try {
      const order = await this.service.orderStore.findOrder(payment.orderNo);
      const effect = order ? await this.service.payment.applyTradeReport(order, await this.service.payment.queryTrade(payment.orderNo)) : 'UNCHANGED';
      resolved = effect === 'PAID';
      detail = resolved ? 'settled from a verified order query' : `the order query did not settle it (${effect})`;
    } catch (err) {
      detail = `the order query failed: ${(err as Error).message}`;
    }
    return { ...facts, kind: DiscrepancyKind.PENDING_LOCALLY, refundNo: null, resolved, detail };
  }

  /** A bill refund we have no record of: imported when its order and transaction are ours (a merchant-platform refund). */
  private async importBillRefund(refund: UnknownRefund): Promise<NewDiscrepancy> {
    const imported = refund.refundNo !== '' && await this.service.refund.importPlatformRefund({
      refundNo: refund.refundNo,
      refundId: refund.refundId,
      orderNo: refund.orderNo,
      transactionId: refund.transactionId,
      amount: refund.amount,
      acceptedAt: refund.tradedAt,
    });
    return {
      kind: DiscrepancyKind.REFUND_MISSING_LOCALLY,
      orderNo: refund.orderNo,
      refundNo: refund.refundNo || null,
      transactionId: refund.transactionId,
      billAmount: refund.amount,
      localAmount: null,
      resolved: imported,
      detail: imported ? 'imported as a merchant-platform refund' : 'not a refund of an order and transaction of ours',
    };
  }

  /** Our side of the day, as the bill counts it: payments by success time, refunds by acceptance time. */
  private async localTotals(date: string) {
    const { start, end } = beijingDayBounds(date);
    const paid = await this.service.orderStore.paidTotals(start, end);
    const refunded = await this.service.refundStore.acceptedTotals(start, end);
    return { count: paid.count + refunded.count, settledTotal: paid.total, refundTotal: refunded.total };
  }
}

/** How a download failure ends a day: FAILED, and asked again later when WeChat may answer then. */
function failure(err: unknown, at: Date): Omit<DayOutcome, 'finishedAt'> {
  const retryable = err instanceof WechatPayError && err.retryable;
  const code = err instanceof WechatPayError ? err.errCode : 'ERROR';
  return {
    status: BillReconciliationStatus.FAILED,
    failure: `the bill could not be had (${code}): ${(err as Error).message}`,
    retryAt: retryable ? new Date(at.getTime() + RETRY_MS) : null,
  };
}

/** BIGINT columns may come back as text on some drivers; money is always a number in the API. */
function fen(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

export function toDayView(day: BillReconciliation, counts?: { total: number; unresolved: number }): DayView {
  return {
    date: day.billDate,
    status: day.status,
    runBy: day.runBy,
    startedAt: day.startedAt ? day.startedAt.toISOString() : null,
    finishedAt: day.finishedAt ? day.finishedAt.toISOString() : null,
    bill: day.billCount === null ? null : {
      count: day.billCount, settledTotal: fen(day.billSettledTotal) ?? 0, refundTotal: fen(day.billRefundTotal) ?? 0, feeTotal: day.billFeeTotal ?? '0.00000',
    },
    local: day.localCount === null ? null : {
      count: day.localCount, settledTotal: fen(day.localSettledTotal) ?? 0, refundTotal: fen(day.localRefundTotal) ?? 0,
    },
    failure: day.failure,
    retryAt: day.retryAt ? day.retryAt.toISOString() : null,
    discrepancyCount: counts?.total ?? 0,
    unresolvedCount: counts?.unresolved ?? 0,
  };
}

export function toDiscrepancyView(row: BillDiscrepancy): DiscrepancyView {
  return {
    kind: row.kind,
    orderNo: row.orderNo,
    refundNo: row.refundNo,
    transactionId: row.transactionId,
    billAmount: fen(row.billAmount),
    localAmount: fen(row.localAmount),
    resolved: Boolean(row.resolved),
    detail: row.detail,
  };
}

/** A CSV line's values: text neutralised against formula injection, empty for null. */
function csvRecord(view: DiscrepancyView): Record<typeof DISCREPANCY_CSV_COLUMNS[number], string> {
  const text = (value: string | null) => (value === null ? '' : neutraliseFormula(value));
  return {
    kind: view.kind,
    orderNo: text(view.orderNo),
    refundNo: text(view.refundNo),
    transactionId: text(view.transactionId),
    billAmount: view.billAmount === null ? '' : String(view.billAmount),
    localAmount: view.localAmount === null ? '' : String(view.localAmount),
    resolved: view.resolved ? 'true' : 'false',
    detail: text(view.detail),
  };
}
