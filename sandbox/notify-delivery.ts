import { Trade, TradeApi } from './trade-store';

/** The HTTP request WeChat sends to a trade's notify_url. */
export interface NotifyMessage {
  headers: Record<string, string>;
  body: string;
}

/** How one API version writes a payment notify and recognises the merchant's acknowledgement. */
export interface NotifyFormat {
  /** Built afresh for every attempt (a v3 notify carries a timestamp that must be current). */
  build(trade: Readonly<Trade>): NotifyMessage;
  isAcknowledged(status: number, body: string): boolean;
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
 * none: the trade has no payment outcome yet; suppressed: paid with
 * `deliverNotify: false`; delivering: an attempt or a retry is pending;
 * cancelled: Sandbox.close() or a newer outcome stopped the schedule.
 */
export type DeliveryState = 'none' | 'suppressed' | 'delivering' | 'acknowledged' | 'gave_up' | 'cancelled';

export interface DeliveryReport {
  outTradeNo: string;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
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

interface Delivery {
  /** the trade as it was when paid: retries and resends tell the same outcome */
  subject: Readonly<Trade>;
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
 * WeChat's side of payment notifies: POST to notify_url, and retry on
 * WeChat's schedule (scaled by `retryScale`) until the merchant acknowledges.
 * Timers are unref'd so a pending retry never keeps a process alive.
 */
export class NotifyDeliverer {
  private readonly deliveries = new Map<string, Delivery>();
  private readonly formats = new Map<TradeApi, NotifyFormat>();
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly retryScale: number) {
    if (!Number.isFinite(retryScale) || retryScale < 0) {
      throw new RangeError(`notifyRetryScale must be a finite number >= 0, got ${retryScale}`);
    }
  }

  useFormat(api: TradeApi, format: NotifyFormat): void {
    this.formats.set(api, format);
  }

  /**
   * Starts delivering the trade's current outcome, replacing any earlier
   * delivery of that trade. The first attempt starts at once; the promise
   * settles when it is over (retries go on in the background), so that a
   * caller may wait for it. Undefined when no attempt is made.
   */
  deliver(trade: Readonly<Trade>): Promise<DeliveryAttempt | undefined> {
    const delivery = this.replace(trade, 'delivering');
    return this.runScheduledAttempt(delivery).catch(() => undefined);
  }

  /** Records the trade's outcome without telling the merchant, so that only a query or a resend reveals it. */
  suppress(trade: Readonly<Trade>): void {
    this.replace(trade, 'suppressed');
  }

  /** The state of the trade's delivery: none, suppressed, delivering, acknowledged, … */
  state(outTradeNo: string): DeliveryState {
    return this.deliveries.get(outTradeNo)?.state ?? 'none';
  }

  /** One more delivery of the last outcome, outside the schedule; undefined when there is none. */
  async resend(outTradeNo: string): Promise<DeliveryAttempt | undefined> {
    const delivery = this.deliveries.get(outTradeNo);
    if (!delivery) return undefined;
    return this.attempt(delivery, true);
  }

  report(outTradeNo: string): DeliveryReport {
    const delivery = this.deliveries.get(outTradeNo);
    return {
      outTradeNo,
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

  private replace(trade: Readonly<Trade>, state: DeliveryState): Delivery {
    const previous = this.deliveries.get(trade.outTradeNo);
    if (previous) this.cancel(previous);
    const delivery: Delivery = { subject: { ...trade }, state, attempts: [], scheduledAttempts: 0 };
    this.deliveries.set(trade.outTradeNo, delivery);
    return delivery;
  }

  private cancel(delivery: Delivery): void {
    if (delivery.timer) clearTimeout(delivery.timer);
    delivery.timer = undefined;
    if (delivery.state === 'delivering') delivery.state = 'cancelled';
  }

  private schedule(delivery: Delivery, delayMs: number): void {
    delivery.timer = setTimeout(() => {
      delivery.timer = undefined;
      this.runScheduledAttempt(delivery).catch(() => undefined);
    }, delayMs);
    delivery.timer.unref();
  }

  private async runScheduledAttempt(delivery: Delivery): Promise<DeliveryAttempt> {
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

  private async attempt(delivery: Delivery, resend: boolean): Promise<DeliveryAttempt> {
    const at = new Date().toISOString();
    const outcome: Pick<DeliveryAttempt, 'status' | 'acknowledged' | 'error'> = { status: null, acknowledged: false };
    const controller = new AbortController();
    this.inFlight.add(controller);
    try {
      const format = this.formats.get(delivery.subject.origin.api);
      if (!format) throw new Error(`no notify format for API ${delivery.subject.origin.api}`);
      const message = format.build(delivery.subject);
      const response = await fetch(delivery.subject.notifyUrl, {
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
