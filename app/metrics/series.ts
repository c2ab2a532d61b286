import type { Metric, Registry } from 'prom-client';

/**
 * Counters and histograms for the notify path, where a storm records
 * thousands of observations a second. prom-client's own Counter#inc and
 * Histogram#observe validate and hash the label object on every call (about
 * 8 µs of CPU per notify, its four recordings, measured with --cpu-prof in
 * bench/run.sh); here a label set is resolved once into a series, and
 * recording is an increment. Exposition and the cluster merge stay
 * prom-client's: these register in a prom-client Registry and answer its
 * `get()` with the same metric JSON its own metrics do.
 */

type Labels = Readonly<Record<string, string>>;

/** One sample of prom-client's metric JSON (Registry#getMetricsAsJSON). */
interface SampleJson {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

interface MetricJson {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: SampleJson[];
  aggregator: 'sum';
}

interface Options {
  name: string;
  help: string;
  labelNames: readonly string[];
  registers: Registry[];
}

abstract class SeriesMetric<S> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum';
  private readonly labelNames: readonly string[];
  private readonly series = new Map<string, { labels: Labels; state: S }>();

  constructor(options: Options) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** The series of a label set, made on first use; a caller on a hot path keeps it. */
  protected seriesOf(labels: Labels): S {
    const key = this.labelNames.map(name => {
      const value = labels[name];
      if (typeof value !== 'string') throw new TypeError(`${this.name}: label ${name} is missing`);
      return value;
    }).join('\u0000');
    let entry = this.series.get(key);
    if (!entry) {
      if (Object.keys(labels).length !== this.labelNames.length) throw new TypeError(`${this.name}: labels are ${this.labelNames.join(', ')}`);
      entry = { labels: { ...labels }, state: this.newState() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  protected abstract newState(): S;

  protected abstract samples(labels: Labels, state: S): SampleJson[];

  /** prom-client's Metric#get: what a scrape formats and the cluster merge sums. */
  async get(): Promise<MetricJson> {
    const values: SampleJson[] = [];
    for (const { labels, state } of this.series.values()) values.push(...this.samples(labels, state));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  protected abstract readonly type: 'counter' | 'histogram';
}

/** A counter's series: `inc()` adds one. */
export interface CounterSeries {
  inc(): void;
}

export class SeriesCounter extends SeriesMetric<{ value: number }> {
  protected readonly type = 'counter';

  labels(labels: Labels): CounterSeries {
    const state = this.seriesOf(labels);
    return { inc: () => { state.value++; } };
  }

  protected newState() {
    return { value: 0 };
  }

  protected samples(labels: Labels, state: { value: number }): SampleJson[] {
    return [{ labels: { ...labels }, value: state.value }];
  }
}

/** A histogram's series: `observe(value)` counts one observation. */
export interface HistogramSeries {
  observe(value: number): void;
}

interface HistogramState {
  /** observations per bucket (not cumulative); the last one is +Inf, so they add up to the count */
  perBucket: number[];
  sum: number;
}

export class SeriesHistogram extends SeriesMetric<HistogramState> {
  protected readonly type = 'histogram';
  private readonly upperBounds: readonly number[];

  constructor(options: Options & { buckets: readonly number[] }) {
    super(options);
    this.upperBounds = [ ...options.buckets ].sort((a, b) => a - b);
  }

  labels(labels: Labels): HistogramSeries {
    const state = this.seriesOf(labels);
    const bounds = this.upperBounds;
    return {
      observe: (value: number) => {
        if (!Number.isFinite(value)) throw new TypeError(`${this.name}: ${value} is not a finite number`);
        let i = 0;
        while (i < bounds.length && value > bounds[i]) i++;
        state.perBucket[i]++;
        state.sum += value;
      },
    };
  }

  protected newState(): HistogramState {
    return { perBucket: new Array<number>(this.upperBounds.length + 1).fill(0), sum: 0 };
  }

  protected samples(labels: Labels, state: HistogramState): SampleJson[] {
    const samples: SampleJson[] = [];
    let cumulative = 0;
    this.upperBounds.forEach((bound, i) => {
      cumulative += state.perBucket[i];
      samples.push({ labels: { ...labels, le: bound }, value: cumulative, metricName: `${this.name}_bucket` });
    });
    const count = cumulative + state.perBucket[this.upperBounds.length];
    samples.push({ labels: { ...labels, le: '+Inf' }, value: count, metricName: `${this.name}_bucket` });
    samples.push({ labels: { ...labels }, value: state.sum, metricName: `${this.name}_sum` });
    samples.push({ labels: { ...labels }, value: count, metricName: `${this.name}_count` });
    return samples;
  }
}
