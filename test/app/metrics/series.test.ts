import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from '../../../app/metrics/series';
import { mergeWorkerMetrics } from '../../../app/metrics/cluster';

const BUCKETS = [ 0.005, 0.01, 0.1, 1 ];
// On a bound (le is inclusive), between bounds, over the last one, zero.
const OBSERVATIONS: Array<[ string, number ]> = [[ 'v2', 0.005 ], [ 'v2', 0.0051 ], [ 'v3', 0.1 ], [ 'v2', 3 ], [ 'v3', 0 ], [ 'v2', 0.5 ]];

/**
 * A scrape's text as a map from series (labels in name order: their order on
 * a line carries no meaning, and prom-client's differs between its own
 * formatting and its JSON) to value, HELP and TYPE lines included.
 */
function parseExposition(text: string): Map<string, string> {
  const samples = new Map<string, string>();
  for (const line of text.split('\n').filter(Boolean)) {
    if (line.startsWith('#')) {
      samples.set(line, '');
      continue;
    }
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(match, `a sample line: ${line}`);
    const labels = (match[2] ?? '').split(',').filter(Boolean).sort()
      .join(',');
    samples.set(`${match[1]}{${labels}}`, match[3]);
  }
  return samples;
}

/** The same observations recorded by prom-client's own metrics (the reference) and by the series. */
function registries() {
  const reference = new Registry();
  const counter = new Counter({ name: 'n_total', help: 'h', labelNames: [ 'api_version' ], registers: [ reference ] });
  const histogram = new Histogram({ name: 'n_seconds', help: 'h', labelNames: [ 'api_version' ], buckets: BUCKETS, registers: [ reference ] });
  const series = new Registry();
  const seriesCounter = new SeriesCounter({ name: 'n_total', help: 'h', labelNames: [ 'api_version' ], registers: [ series ] });
  const seriesHistogram = new SeriesHistogram({ name: 'n_seconds', help: 'h', labelNames: [ 'api_version' ], buckets: BUCKETS, registers: [ series ] });
  for (const [ api_version, seconds ] of OBSERVATIONS) {
    counter.inc({ api_version });
    histogram.observe({ api_version }, seconds);
    seriesCounter.labels({ api_version }).inc();
    seriesHistogram.labels({ api_version }).observe(seconds);
  }
  return { reference, series };
}

describe('test/app/metrics/series.test.ts', () => {
  it('should expose the same Prometheus text as prom-client\'s Counter and Histogram', async () => {
    const { reference, series } = registries();
    const text = await series.metrics();
    assert.deepEqual(parseExposition(text), parseExposition(await reference.metrics()));
    assert.match(text, /^n_seconds_bucket\{api_version="v2",le="0.005"\} 1$/m);
    assert.match(text, /^n_seconds_bucket\{api_version="v2",le="\+Inf"\} 4$/m);
    assert.match(text, /^n_total\{api_version="v3"\} 2$/m);
  });

  it('should merge across workers like prom-client\'s metrics', async () => {
    const { reference, series } = registries();
    const other = registries();
    const merged = await mergeWorkerMetrics([ await series.getMetricsAsJSON(), await other.series.getMetricsAsJSON() ]).metrics();
    const expected = await mergeWorkerMetrics([ await reference.getMetricsAsJSON(), await other.reference.getMetricsAsJSON() ]).metrics();
    assert.deepEqual(parseExposition(merged), parseExposition(expected));
    assert.match(merged, /^n_seconds_count\{api_version="v2"\} 8$/m);
  });

  it('should keep one series per label set, shown at 0 from its creation', async () => {
    const registry = new Registry();
    const counter = new SeriesCounter({ name: 'c_total', help: 'h', labelNames: [ 'kind', 'outcome' ], registers: [ registry ] });
    const first = counter.labels({ kind: 'payment', outcome: 'failed' });
    assert.match(await registry.metrics(), /^c_total\{kind="payment",outcome="failed"\} 0$/m);
    first.inc();
    // the same label set in another order is the same series
    counter.labels({ outcome: 'failed', kind: 'payment' }).inc();
    assert.match(await registry.metrics(), /^c_total\{kind="payment",outcome="failed"\} 2$/m);
  });

  it('should refuse a missing or unknown label and a value that is not a finite number', () => {
    const registry = new Registry();
    const histogram = new SeriesHistogram({ name: 'h_seconds', help: 'h', labelNames: [ 'source' ], buckets: BUCKETS, registers: [ registry ] });
    assert.throws(() => histogram.labels({}), /label source is missing/);
    assert.throws(() => histogram.labels({ source: 'notify', outcome: 'PAID' }), /labels are source/);
    assert.throws(() => histogram.labels({ source: 'notify' }).observe(Number.NaN), /not a finite number/);
  });

  it('should refuse a second metric of the same name in a registry', () => {
    const registry = new Registry();
    new SeriesCounter({ name: 'c_total', help: 'h', labelNames: [], registers: [ registry ] });
    assert.throws(() => new Counter({ name: 'c_total', help: 'h', registers: [ registry ] }), /already been registered/);
  });
});
