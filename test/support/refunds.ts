import { MockApplication } from 'egg-mock';
import type { FaultKind, FaultTarget } from '../../sandbox/faults';

/**
 * WeChat's side of refunds, driven through the sandbox's control calls on the
 * app's own mount (plain HTTP, like payerPays). Each throws, quoting the
 * sandbox, unless the call succeeds.
 */

/** What WeChat did with a refund: SUCCESS, CLOSED (REFUNDCLOSE in v2) or ABNORMAL (CHANGE in v2). */
export type RefundOutcome = 'SUCCESS' | 'CLOSED' | 'ABNORMAL';

export interface RefundNotifyAttempt {
  attempt: number;
  at: string;
  status: number | null;
  acknowledged: boolean;
  error?: string;
  resend?: true;
}

/** A refund as the sandbox (WeChat) holds it. */
export interface SandboxRefund {
  refundNo: string;
  /** WeChat's refund_id: 29 digits starting 50 */
  refundId: string;
  outTradeNo: string;
  transactionId: string;
  /** the trade's total, fen */
  total: number;
  amount: number;
  state: 'PROCESSING' | RefundOutcome;
  /** API, or VENDOR_PLATFORM for a refund made by hand in the merchant platform */
  source: 'API' | 'VENDOR_PLATFORM';
  /** v2: XML with req_info (v2 and platform refunds); v3: REFUND.* JSON (v3 refunds) */
  notifyForm: 'v2' | 'v3';
  notifyUrl: string | null;
  createdAt: string;
  succeededAt: string | null;
}

/** A settled refund with what became of its notify (the first attempt when the call waited for it). */
export interface SettledRefund extends SandboxRefund {
  notify: { state: string; firstAttempt?: RefundNotifyAttempt };
}

export interface RefundNotifyOptions {
  /** false: WeChat records the outcome and tells nobody (only a query or a resend reveals it) */
  deliverNotify?: boolean;
  /**
   * Answer only once the first notify attempt is over (default, as in the
   * sandbox): the merchant's endpoint has then answered it. false lets the
   * notify race what the test does next.
   */
  wait?: boolean;
}

async function controlCall(app: MockApplication, method: 'get' | 'post', path: string, body?: unknown) {
  const request = method === 'get' ? app.httpRequest().get(path) : app.httpRequest().post(path).send(body as object);
  const res = await request;
  if (res.status !== 200) throw new Error(`sandbox ${method.toUpperCase()} ${path} answered ${res.status}: ${res.text}`);
  return res.body;
}

/** WeChat settles (SUCCESS), closes (CLOSED) or makes abnormal (ABNORMAL) a refund, then notifies the merchant. */
export async function settleRefund(app: MockApplication, refundNo: string, outcome: RefundOutcome = 'SUCCESS',
  options: RefundNotifyOptions = {}): Promise<SettledRefund> {
  return controlCall(app, 'post', '/sandbox/control/refund', { refundNo, outcome, ...options });
}

export interface PlatformRefundOptions extends RefundNotifyOptions {
  /** default: the origin of the trade's pay notify_url + /api/pay/refund-notify (v3 trades: …/v3) */
  notifyUrl?: string;
  /** default SUCCESS; PROCESSING leaves it for settleRefund */
  outcome?: RefundOutcome | 'PROCESSING';
  reason?: string;
}

/**
 * A refund made by hand in the merchant platform: WeChat picks its
 * out_refund_no (digits) and notifies it in the v2 XML form with
 * refund_request_source VENDOR_PLATFORM, even to a v3 merchant.
 */
export async function platformRefund(app: MockApplication, outTradeNo: string, amount: number,
  options: PlatformRefundOptions = {}): Promise<SettledRefund> {
  return controlCall(app, 'post', '/sandbox/control/refund/platform', { outTradeNo, amount, ...options });
}

/** The delivery log of a refund's notifies. */
export async function refundNotifies(app: MockApplication, refundNo: string): Promise<{
  refundNo: string;
  state: string;
  attempts: RefundNotifyAttempt[];
}> {
  return controlCall(app, 'get', `/sandbox/control/refund-notifies?refundNo=${encodeURIComponent(refundNo)}`);
}

/** The same refund notify once more, outside the retry schedule (a duplicate); answers when it is over. */
export async function resendRefundNotify(app: MockApplication, refundNo: string): Promise<RefundNotifyAttempt & { refundNo: string }> {
  return controlCall(app, 'post', '/sandbox/control/refund/resend', { refundNo });
}

/** The refunds WeChat holds for a trade, oldest first: what reached WeChat, whatever the service recorded. */
export async function sandboxRefunds(app: MockApplication, outTradeNo: string): Promise<SandboxRefund[]> {
  const body = await controlCall(app, 'get', `/sandbox/control/refunds?outTradeNo=${encodeURIComponent(outTradeNo)}`);
  return body.refunds;
}

export type { FaultKind, FaultTarget };

/**
 * The next `count` (default 1) calls to `target` fail as `kind`; DELAY
 * answers normally after `delayMs` (on `refund`, the refund is applied at
 * WeChat first, so a merchant that times out has still refunded).
 */
export async function injectFault(app: MockApplication, target: FaultTarget, kind: FaultKind,
  options: { count?: number; delayMs?: number } = {}): Promise<void> {
  await controlCall(app, 'post', '/sandbox/control/faults', { target, kind, ...options });
}
