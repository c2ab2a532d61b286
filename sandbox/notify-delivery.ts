import type { Trade } from './trade-store';

/** The HTTP request WeChat sends to a notify_url. */
export interface NotifyMessage {
  headers: Record<string, string>;
  body: string;
}

/** How one kind of notify is written, and how the merchant's acknowledgement is recognised. */
export interface NotifyFormat<S = Trade> {
  /** Built afresh for every attempt (a v3 notify carries a timestamp that must be current). */
  build(subject: Readonly<S>): NotifyMessage;
  isAcknowledged(status: number, body: string): boolean;
}

/**
 * How a deliverer tells its subjects (a trade, a refund) apart and where it
 * sends them: one delivery per key, to the subject's URL, in the format
 * registered under its name.
 */
export interface NotifyAddressing<S> {
  key(subject: Readonly<S>): string;
  url(subject: Readonly<S>): string;
  format(subject: Readonly<S>): string;
}

export interface DeliveryAttempt {
  /** 1, 2, … in the order attempts finished */
  attempt: number;
  /** when the attempt started, ISO 8601 */
  at: string;
  /** the merchant's HTTP status; null when no reply came */
  status: number | null;
  acknowledged: boolean;
  error?: string;
  /** sent by the resend control call, outside the retry schedule */
  resend?: true;
}

/**
 * none: the subject has no outcome to notify yet; suppressed: settled with
 * `deliverNotify: false`; delivering: an attempt or a retry is pending;
 * cancelled: Sandbox.close() or a newer outcome stopped the schedule.
 */
export type DeliveryState = 'none' | 'suppressed' | 'delivering' | 'acknowledged' | 'gave_up' | 'cancelled';

/** What became of a notify: the delivery's state, and the first attempt when it was waited for. */
export interface NotifySummary {
  state: DeliveryState;
  firstAttempt?: DeliveryAttempt;
}

/** One subject's delivery: its state and every attempt so far. */
export interface DeliveryLog {
  state: DeliveryState;
  attempts: DeliveryAttempt[];
}

/** A payment's delivery log, as GET /sandbox/control/notifies answers it. */
export interface DeliveryReport extends DeliveryLog {
  outTradeNo: string;
}

/**
 * WeChat's documented intervals between notify attempts, in seconds:
 * 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h, 24h4m in all, so
 * one first attempt and 15 retries.
 */
export const NOTIFY_RETRY_DELAYS_S: readonly number[] = [
  15, 15, 30, 3 * 60, 10 * 60, 20 * 60, 30 * 60, 30 * 60, 30 * 60, 60 * 60,
  3 * 3600, 3 * 3600, 3 * 3600, 6 * 3600, 6 * 3600,
];

const DELIVERY_TIMEOUT_MS = 5000;
const MAX_REPLY_EXCERPT = 200;

interface Delivery<S> {
  /** the subject as it was when settled: retries and resends tell the same outcome */
  subject: Readonly<S>;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  scheduledAttempts: number;
  timer?: NodeJS.Timeout;
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return `no reply within ${DELIVERY_TIMEOUT_MS} ms`;
    if (err.name === 'AbortError') return 'cancelled';
    // fetch reports network failures as "fetch failed" with the reason in `cause`.
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

/**
 * WeChat's side of notifies (payments, refunds): POST to the subject's
 * notify_url, and retry on WeChat's schedule (scaled by `retryScale`) until
 * the merchant acknowledges. Timers are unref'd so a pending retry never
 * keeps a process alive.
 */
export class NotifyDeliverer<S extends object = Trade> {
  private readonly deliveries = new Map<string, Delivery<S>>();
  private readonly formats = new Map<string, NotifyFormat<S>>();
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly retryScale: number, private readonly addressing: NotifyAddressing<S>) {
    if (!Number.isFinite(retryScale) || retryScale < 0) {
      throw new RangeError(`notifyRetryScale must be a finite number >= 0, got ${retryScale}`);
    }
  }

  useFormat(name: string, format: NotifyFormat<S>): void {
    this.formats.set(name, format);
  }

  /**
   * Starts delivering the subject's current outcome, replacing any earlier
   * delivery of that subject. The first attempt starts at once; the promise
   * settles when it is over (retries go on in the background), so that a
   * caller may wait for it. Undefined when no attempt is made.
   */
  deliver(subject: Readonly<S>): Promise<DeliveryAttempt | undefined> {
    const delivery = this.replace(subject, 'delivering');
    return this.runScheduledAttempt(delivery).catch(() => undefined);
  }

  /** Records the subject's outcome without telling the merchant, so that only a query or a resend reveals it. */
  suppress(subject: Readonly<S>): void {
    this.replace(subject, 'suppressed');
  }

  /** The state of the subject's delivery: none, suppressed, delivering, acknowledged, … */
  state(key: string): DeliveryState {
    return this.deliveries.get(key)?.state ?? 'none';
  }

  /** One more delivery of the last outcome, outside the schedule; undefined when there is none. */
  async resend(key: string): Promise<DeliveryAttempt | undefined> {
    const delivery = this.deliveries.get(key);
    if (!delivery) return undefined;
    return this.attempt(delivery, true);
  }

  report(key: string): DeliveryLog {
    const delivery = this.deliveries.get(key);
    return {
      state: delivery?.state ?? 'none',
      attempts: delivery ? delivery.attempts.map(attempt => ({ ...attempt })) : [],
    };
  }

  /** Cancels every pending retry and aborts the requests under way. */
  close(): void {
    for (const delivery of this.deliveries.values()) this.cancel(delivery);
    for (const controller of this.inFlight) controller.abort();
    this.inFlight.clear();
  }

  private replace(subject: Readonly<S>, state: DeliveryState): Delivery<S> {
    const key = this.addressing.key(subject);
    const previous = this.deliveries.get(key);
    if (previous) this.cancel(previous);
    const delivery: Delivery<S> = { subject: { ...subject }, state, attempts: [], scheduledAttempts: 0 };
    this.deliveries.set(key, delivery);
    return delivery;
  }

  private cancel(delivery: Delivery<S>): void {
    if (delivery.timer) clearTimeout(delivery.timer);
    delivery.timer = undefined;
    if (delivery.state === 'delivering') delivery.state = 'cancelled';
  }

  private schedule(delivery: Delivery<S>, delayMs: number): void {
    delivery.timer = setTimeout(() => {
      delivery.timer = undefined;
      this.runScheduledAttempt(delivery).catch(() => undefined);
    }, delayMs);
    delivery.timer.unref();
  }

  private async runScheduledAttempt(delivery: Delivery<S>): Promise<DeliveryAttempt> {
    delivery.scheduledAttempts += 1;
    const attempt = await this.attempt(delivery, false);
    // Cancelled or replaced while the request was under way.
    if (delivery.state !== 'delivering') return attempt;
    if (attempt.acknowledged) {
      delivery.state = 'acknowledged';
      return attempt;
    }
    const retryDelayS = NOTIFY_RETRY_DELAYS_S[delivery.scheduledAttempts - 1];
    if (retryDelayS === undefined) {
      delivery.state = 'gave_up';
      return attempt;
    }
    this.schedule(delivery, retryDelayS * 1000 * this.retryScale);
    return attempt;
  }

  private async attempt(delivery: Delivery<S>, resend: boolean): Promise<DeliveryAttempt> {
    const at = new Date().toISOString();
    const outcome: Pick<DeliveryAttempt, 'status' | 'acknowledged' | 'error'> = { status: null, acknowledged: false };
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      const formatName = this.addressing.format(delivery.subject);
      const format = this.formats.get(formatName);
      if (!format) throw new Error(`no notify format ${formatName}`);
      const message = format.build(delivery.subject);
      const response = await fetch(this.addressing.url(delivery.subject), {
        method: 'POST',
        headers: message.headers,
        body: message.body,
        signal: AbortSignal.any([ controller.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS) ]),
      });
      const reply = await response.text();
      outcome.status = response.status;
      outcome.acknowledged = format.isAcknowledged(response.status, reply);
      if (!outcome.acknowledged) {
        outcome.error = `not acknowledged: HTTP ${response.status} ${reply.slice(0, MAX_REPLY_EXCERPT)}`.trim();
      }
    } catch (err) {
      outcome.error = describeError(err);
    } finally {
      this.inFlight.delete(controller);
    }
    // Numbered when finished, so a resend racing a retry still gets its own number.
    const attempt: DeliveryAttempt = { attempt: delivery.attempts.length + 1, at, ...outcome };
    if (resend) attempt.resend = true;
    delivery.attempts.push(attempt);
    return attempt;
  }
}
