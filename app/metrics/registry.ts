import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CounterSeries, HistogramSeries, SeriesCounter, SeriesHistogram } from './series';
import type { UpstreamCallObservation } from '../upstream/request';

/** A Sequelize connection pool as sequelize-pool exposes it (what the pool gauges read). */
export interface PoolState {
  size: number;
  available: number;
  using: number;
  waiting: number;
  maxSize: number;
}

const NOTIFY_KINDS = [ 'v2', 'v3', 'refund-v2', 'refund-v3' ] as const;
const NOTIFY_OUTCOMES = [ 'acknowledged', 'refused', 'failed' ] as const;

/** The notify routes, as NotifyController names them: payment or refund, v2 or v3. */
export type NotifyKind = typeof NOTIFY_KINDS[number];

/** What became of a notify request: acknowledged, refused (a verdict), or failed on our side (WeChat retries). */
export type NotifyOutcome = typeof NOTIFY_OUTCOMES[number];

// Seconds. Notifies and settlements are a few milliseconds normally and up to
// NOTIFY_DEADLINE_MS (4 s) on a stalled database; calls to WeChat up to their
// time-outs (5 s, 10 s) and bill downloads longer.
const REQUEST_BUCKETS = [ 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8 ];
const UPSTREAM_BUCKETS = [ 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60 ];

/** The series a notify answer records in: its count and its duration. */
interface NotifySeries {
  total: CounterSeries;
  duration: HistogramSeries;
}

/**
 * Every metric this service exports, defined in one place and recorded
 * through the small methods below, in one worker's own registry. A scrape
 * merges all workers' registries (app/metrics/cluster.ts). Labels are kept to
 * small fixed sets (versions, outcomes, statuses, operations): never an order
 * or refund number.
 */
export class WxpayMetrics {
  readonly registry = new Registry();

  // The notify path's metrics record through series (./series.ts), resolved once per label set.
  private readonly notifies = new SeriesCounter({
    name: 'wxpay_notify_total',
    help: 'Notify requests from WeChat Pay by kind (payment, refund), API version and outcome',
    labelNames: [ 'kind', 'api_version', 'outcome' ],
    registers: [ this.registry ],
  });

  private readonly notifyDuration = new SeriesHistogram({
    name: 'wxpay_notify_duration_seconds',
    help: 'Time from a notify request\'s arrival to its answer',
    labelNames: [ 'kind', 'api_version', 'outcome' ],
    buckets: REQUEST_BUCKETS,
    registers: [ this.registry ],
  });

  private readonly settlements = new SeriesCounter({
    name: 'wxpay_settlement_total',
    help: 'Verified paid reports applied to orders, by source (notify, query) and outcome (PAID, DUPLICATE, …)',
    labelNames: [ 'source', 'outcome' ],
    registers: [ this.registry ],
  });

  private readonly settlementDuration = new SeriesHistogram({
    name: 'wxpay_settlement_duration_seconds',
    help: 'Time to apply a verified paid report (the compare-and-set and, when needed, the automatic refund)',
    labelNames: [ 'source' ],
    buckets: REQUEST_BUCKETS,
    registers: [ this.registry ],
  });

  // Every notify answer's series, made at start: all of them are scraped from the first, at 0.
  private readonly notifySeries = Object.fromEntries(NOTIFY_KINDS.map(kind => [ kind, Object.fromEntries(NOTIFY_OUTCOMES.map(outcome => {
    const labels = { kind: kind.startsWith('refund') ? 'refund' : 'payment', api_version: kind.endsWith('v3') ? 'v3' : 'v2', outcome };
    return [ outcome, { total: this.notifies.labels(labels), duration: this.notifyDuration.labels(labels) }];
  })) ])) as Record<NotifyKind, Record<NotifyOutcome, NotifySeries>>;

  // A settlement's series by source and outcome, made on first use.
  private readonly settlementSeries = new Map<string, { total: CounterSeries; duration: HistogramSeries }>();

  private readonly upstreamCalls = new Counter({
    name: 'wxpay_upstream_requests_total',
    help: 'Calls to WeChat by upstream (wechat, wechatpay.v2, wechatpay.v3), operation and result (ok, error, timeout, unreachable)',
    labelNames: [ 'upstream', 'operation', 'result' ] as const,
    registers: [ this.registry ],
  });

  private readonly upstreamDuration = new Histogram({
    name: 'wxpay_upstream_request_duration_seconds',
    help: 'Duration of calls to WeChat by upstream, operation and result',
    labelNames: [ 'upstream', 'operation', 'result' ] as const,
    buckets: UPSTREAM_BUCKETS,
    registers: [ this.registry ],
  });

  private readonly refundMoves = new Counter({
    name: 'wxpay_refund_status_changes_total',
    help: 'Refund status moves (from NEW when a refund is created) by old and new status',
    labelNames: [ 'from', 'to' ] as const,
    registers: [ this.registry ],
  });

  private readonly reconciliationRuns = new Counter({
    name: 'wxpay_reconciliation_runs_total',
    help: 'Runs of the order reconciliation schedule (job="orders") and of daily bill reconciliations (job="bill", by the day\'s status)',
    labelNames: [ 'job', 'status' ] as const,
    registers: [ this.registry ],
  });

  private readonly reconciledOrders = new Counter({
    name: 'wxpay_reconciliation_orders_total',
    help: 'Orders the reconciliation schedule handled, by effect: paid (a payment whose notify never came), closed, failed',
    labelNames: [ 'effect' ] as const,
    registers: [ this.registry ],
  });

  private readonly billDiscrepancies = new Counter({
    name: 'wxpay_bill_discrepancies_total',
    help: 'Discrepancies found by daily bill reconciliations, by whether the run resolved them',
    labelNames: [ 'resolved' ] as const,
    registers: [ this.registry ],
  });

  /** @param readPool the database pool's state at scrape time, or undefined when there is none */
  constructor(readPool: () => PoolState | undefined) {
    collectDefaultMetrics({ register: this.registry });
    // Read at scrape time: a pool's state is a level, not an event.
    const poolGauge = (name: string, help: string, read: (pool: PoolState) => number) => new Gauge({
      name,
      help,
      registers: [ this.registry ],
      collect() {
        const pool = readPool();
        this.set(pool ? read(pool) : 0);
      },
    });
    poolGauge('wxpay_db_pool_connections', 'Open database connections (in use and idle)', pool => pool.size);
    poolGauge('wxpay_db_pool_available_connections', 'Idle database connections ready for a query', pool => pool.available);
    poolGauge('wxpay_db_pool_used_connections', 'Database connections held by a query or transaction', pool => pool.using);
    poolGauge('wxpay_db_pool_waiting_requests', 'Queries waiting for a database connection', pool => pool.waiting);
    poolGauge('wxpay_db_pool_max_connections', 'The pool\'s limit (DATABASE_POOL_MAX per worker)', pool => pool.maxSize);
  }

  notifyAnswered(kind: NotifyKind, outcome: NotifyOutcome, seconds: number): void {
    const series = this.notifySeries[kind][outcome];
    series.total.inc();
    series.duration.observe(seconds);
  }

  settled(source: string, outcome: string, seconds: number): void {
    const key = `${source}\u0000${outcome}`;
    let series = this.settlementSeries.get(key);
    if (!series) {
      series = { total: this.settlements.labels({ source, outcome }), duration: this.settlementDuration.labels({ source }) };
      this.settlementSeries.set(key, series);
    }
    series.total.inc();
    series.duration.observe(seconds);
  }

  /** callUpstream's observer (app/upstream/request.ts): one observation per call to WeChat. */
  readonly upstreamCalled = (call: UpstreamCallObservation): void => {
    const labels = { upstream: call.upstream, operation: call.operation, result: call.result };
    this.upstreamCalls.inc(labels);
    this.upstreamDuration.observe(labels, call.durationMs / 1000);
  };

  refundMoved(from: string, to: string): void {
    this.refundMoves.inc({ from, to });
  }

  ordersReconciled(report: { paid: number; closed: number; failed: number }): void {
    this.reconciliationRuns.inc({ job: 'orders', status: 'DONE' });
    this.reconciledOrders.inc({ effect: 'paid' }, report.paid);
    this.reconciledOrders.inc({ effect: 'closed' }, report.closed);
    this.reconciledOrders.inc({ effect: 'failed' }, report.failed);
  }

  billReconciled(status: string, discrepancies: { total: number; unresolved: number }): void {
    this.reconciliationRuns.inc({ job: 'bill', status });
    this.billDiscrepancies.inc({ resolved: 'false' }, discrepancies.unresolved);
    this.billDiscrepancies.inc({ resolved: 'true' }, discrepancies.total - discrepancies.unresolved);
  }
}
