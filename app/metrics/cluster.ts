import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

/**
 * One scrape across egg's cluster. egg's app workers are node cluster workers,
 * but their master is egg-cluster's, not prom-client's, so prom-client's own
 * cluster protocol (AggregatorRegistry.clusterMetrics) has no master to answer
 * it. The agent plays that part over egg's messenger instead, because the
 * agent is the one process that knows every worker's pid (egg-cluster sends
 * it `egg-pids`; workers only learn the agent's):
 *
 *   worker hit by the scrape ─ SCRAPE {id, replyTo} → agent
 *   agent ─ COLLECT {id} → every app worker ─ REPORT {id, pid, metrics} → agent
 *   agent: merged with AggregatorRegistry.aggregate ─ RESULT {id, text | error} → the worker
 */
export const SCRAPE = 'wxpay-metrics:scrape';
export const COLLECT = 'wxpay-metrics:collect';
export const REPORT = 'wxpay-metrics:report';
export const RESULT = 'wxpay-metrics:result';

export type WorkerMetrics = Array<MetricObjectWithValues<MetricValue<string>>>;

export interface ScrapeRequest { id: string; replyTo: number }
export interface CollectRequest { id: string }
export interface WorkerReport { id: string; pid: number; metrics: WorkerMetrics }
export interface ScrapeResult { id: string; replyTo: number; text?: string; contentType?: string; error?: string }

type Resolve = (result: ScrapeResult) => void;
interface Collection { expected: number; reports: Map<number, WorkerMetrics>; done: (error?: string) => void }

/** The part of egg's messenger (app.messenger, agent.messenger) the protocol uses. */
export interface Messenger {
  on(action: string, listener: (data: any) => void): unknown;
  removeListener(action: string, listener: (data: any) => void): unknown;
  sendToAgent(action: string, data: unknown): unknown;
  sendToApp(action: string, data: unknown): unknown;
  sendTo(pid: number, action: string, data: unknown): unknown;
}

/**
 * Merges the workers' metrics into one registry in Prometheus' sense of a
 * single target: counters and histograms are summed across workers, and so
 * are gauges (pool connections of every worker, their memory), except the
 * few prom-client marks otherwise (e.g. the oldest process start time).
 */
export function mergeWorkerMetrics(reports: WorkerMetrics[]): Registry {
  return AggregatorRegistry.aggregate(reports);
}

/**
 * An app worker's side: answers the agent's COLLECT with its own registry,
 * and turns a scrape into a SCRAPE to the agent, resolved by its RESULT.
 */
export class WorkerScraper {
  private readonly pending: Map<string, Resolve> = new Map();
  private listening = false;

  // pid: what the agent knows this worker by (a real worker's process id; distinct ones in a unit test)
  constructor(private readonly messenger: Messenger, private readonly registry: Registry, private readonly pid: number = process.pid) {}

  /** Starts answering the agent; every worker must, from its start, whether or not it is ever scraped itself. */
  listen(): void {
    if (this.listening) return;
    this.listening = true;
    const { messenger } = this;
    messenger.on(COLLECT, (request: CollectRequest) => {
      this.registry.getMetricsAsJSON()
        .then(metrics => messenger.sendToAgent(REPORT, { id: request.id, pid: this.pid, metrics } satisfies WorkerReport))
        // an unanswered COLLECT makes the agent's scrape time out: the scrape fails rather than under-counts
        .catch(() => undefined);
    });
    messenger.on(RESULT, (result: ScrapeResult) => {
      // results may be broadcast to every worker (see answer()): only the asker has the id
      this.pending.get(result.id)?.(result);
    });
  }

  /** The sum of every worker's metrics, in Prometheus' text format; throws when they did not all answer in time. */
  async scrape(timeoutMs: number): Promise<{ text: string; contentType: string }> {
    const id = randomUUID();
    const result = await new Promise<ScrapeResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the agent did not answer the metrics scrape within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, answer => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(answer);
      });
      this.messenger.sendToAgent(SCRAPE, { id, replyTo: this.pid } satisfies ScrapeRequest);
    });
    if (result.error !== undefined || result.text === undefined) throw new Error(result.error ?? 'no metrics');
    return { text: result.text, contentType: result.contentType ?? 'text/plain' };
  }
}

/**
 * The agent's side: collects one REPORT from every app worker for each
 * SCRAPE and answers the merged text. `workerPids` is what egg-cluster last
 * told the agent (`egg-pids`); in a single-process start (egg-mock, egg's
 * single mode) there is none, and the one app worker is expected.
 */
export class AgentAggregator {
  private readonly collecting: Map<string, Collection> = new Map();

  constructor(private readonly messenger: Messenger, private readonly workerPids: () => readonly unknown[], private readonly timeoutMs: number) {
    messenger.on(SCRAPE, (request: ScrapeRequest) => this.scrape(request));
    messenger.on(REPORT, (report: WorkerReport) => {
      const run = this.collecting.get(report.id);
      if (!run) return;
      run.reports.set(report.pid, report.metrics);
      if (run.reports.size >= run.expected) run.done();
    });
  }

  private scrape(request: ScrapeRequest): void {
    const pids = this.workerPids();
    const expected = Math.max(pids.length, 1);
    const reports = new Map<number, WorkerMetrics>();
    let timer: NodeJS.Timeout | undefined;
    const finish = (error?: string) => {
      clearTimeout(timer);
      this.collecting.delete(request.id);
      // A partial sum would look to Prometheus like counters going down: the scrape fails instead.
      if (error) return this.answer(pids.length > 0, { id: request.id, replyTo: request.replyTo, error });
      const merged = mergeWorkerMetrics([ ...reports.values() ]);
      merged.metrics()
        .then(text => this.answer(pids.length > 0, { id: request.id, replyTo: request.replyTo, text, contentType: merged.contentType }))
        .catch(err => this.answer(pids.length > 0, { id: request.id, replyTo: request.replyTo, error: (err as Error).message }));
    };
    timer = setTimeout(() => finish(`${reports.size} of ${expected} workers answered within ${this.timeoutMs} ms`), this.timeoutMs);
    this.collecting.set(request.id, { expected, reports, done: finish });
    this.messenger.sendToApp(COLLECT, { id: request.id } satisfies CollectRequest);
  }

  /**
   * To the asking worker alone when egg-cluster gave us the pids; otherwise
   * (one process) through sendToApp, since egg-mock's stand-in messenger
   * delivers only what goes through send().
   */
  private answer(clustered: boolean, result: ScrapeResult): void {
    if (clustered) this.messenger.sendTo(result.replyTo, RESULT, result);
    else this.messenger.sendToApp(RESULT, result);
  }
}
