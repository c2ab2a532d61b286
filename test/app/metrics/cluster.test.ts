import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { AgentAggregator, mergeWorkerMetrics, Messenger, WorkerScraper } from '../../../app/metrics/cluster';

/** One worker's registry with the kinds of metric the service defines. */
function workerRegistry(notifies: number, poolSize: number, latencies: number[]): Registry {
  const registry = new Registry();
  new Counter({ name: 'wxpay_notify_total', help: 'h', labelNames: [ 'outcome' ], registers: [ registry ] }).inc({ outcome: 'acknowledged' }, notifies);
  new Gauge({ name: 'wxpay_db_pool_connections', help: 'h', registers: [ registry ] }).set(poolSize);
  const histogram = new Histogram({ name: 'wxpay_notify_duration_seconds', help: 'h', buckets: [ 0.1, 1 ], registers: [ registry ] });
  for (const seconds of latencies) histogram.observe(seconds);
  return registry;
}

/**
 * egg's messenger between one agent and several app workers, as egg-cluster
 * routes it: sendToAgent reaches the agent, sendToApp every worker, sendTo
 * one process. Worker ids stand for pids (all of them are this one process).
 */
class Bus {
  readonly agent = new EventEmitter();
  readonly workers = new Map<number, EventEmitter>();
  silent = new Set<number>();

  messengerOf(self: EventEmitter): Messenger {
    const deliver = (to: EventEmitter, action: string, data: unknown) => setImmediate(() => to.emit(action, data));
    return {
      on: (action, listener) => self.on(action, listener),
      removeListener: (action, listener) => self.removeListener(action, listener),
      sendToAgent: (action, data) => deliver(this.agent, action, data),
      sendToApp: (action, data) => {
        for (const [ pid, worker ] of this.workers) if (!this.silent.has(pid)) deliver(worker, action, data);
      },
      sendTo: (pid, action, data) => deliver(this.workers.get(pid)!, action, data),
    };
  }
}

function sample(text: string, series: string): number {
  const line = text.split('\n').find(l => l.startsWith(`${series} `));
  assert.ok(line, `${series} is in the scrape`);
  return Number(line.slice(series.length + 1));
}

describe('test/app/metrics/cluster.test.ts', () => {
  it('should sum counters, gauges and histograms of every worker', async () => {
    const merged = mergeWorkerMetrics([
      await workerRegistry(2, 3, [ 0.05 ]).getMetricsAsJSON(),
      await workerRegistry(5, 4, [ 0.5, 2 ]).getMetricsAsJSON(),
    ]);
    const text = await merged.metrics();
    assert.equal(sample(text, 'wxpay_notify_total{outcome="acknowledged"}'), 7);
    assert.equal(sample(text, 'wxpay_db_pool_connections'), 7);
    assert.equal(sample(text, 'wxpay_notify_duration_seconds_bucket{le="0.1"}'), 1);
    assert.equal(sample(text, 'wxpay_notify_duration_seconds_bucket{le="1"}'), 2);
    assert.equal(sample(text, 'wxpay_notify_duration_seconds_count'), 3);
  });

  describe('a scrape over the messenger', () => {
    let bus: Bus;
    let scrapers: Map<number, WorkerScraper>;

    beforeEach(() => {
      bus = new Bus();
      scrapers = new Map();
      const counts = new Map([[ 101, 1 ], [ 102, 10 ], [ 103, 100 ]]);
      for (const [ pid, notifies ] of counts) {
        const self = new EventEmitter();
        bus.workers.set(pid, self);
        const scraper = new WorkerScraper(bus.messengerOf(self), workerRegistry(notifies, 1, []), pid);
        scraper.listen();
        scrapers.set(pid, scraper);
      }
      new AgentAggregator(bus.messengerOf(bus.agent), () => [ ...counts.keys() ], 100);
    });

    it('should answer the sum of all workers whichever worker is scraped', async () => {
      for (const scraper of scrapers.values()) {
        const { text, contentType } = await scraper.scrape(1000);
        assert.match(contentType, /^text\/plain/);
        assert.equal(sample(text, 'wxpay_notify_total{outcome="acknowledged"}'), 111);
        assert.equal(sample(text, 'wxpay_db_pool_connections'), 3);
      }
    });

    it('should answer concurrent scrapes each with the whole sum', async () => {
      const results = await Promise.all([ ...scrapers.values() ].map(scraper => scraper.scrape(1000)));
      for (const { text } of results) assert.equal(sample(text, 'wxpay_notify_total{outcome="acknowledged"}'), 111);
    });

    it('should fail the scrape, not under-count, when a worker does not answer', async () => {
      bus.silent.add(103);
      await assert.rejects(scrapers.get(101)!.scrape(1000), /2 of 3 workers answered/);
    });
  });
});
