import { json, parseJsonBody, SandboxReply, SandboxRequest } from './http';
import { RefundNotifier } from './refund-notifier';
import { canSettle, REFUND_OUTCOMES, RefundOutcome, RefundStore } from './refund-store';
import { badRequest, booleanOption, nonEmptyString, refundNotFound, refundView } from './refund-view';

const SETTLE_USAGE = `expected { refundNo, outcome: ${REFUND_OUTCOMES.join('|')}, deliverNotify?: boolean, wait?: boolean }`;

/**
 * The control calls over WeChat's side of refunds, which in reality moves on
 * its own (wallet refunds land within minutes, cards within days): settle,
 * close or make abnormal a refund and notify the merchant; repeat a notify;
 * read the delivery log and the refunds WeChat holds.
 */
export class RefundControl {
  constructor(private readonly refunds: RefundStore, private readonly notifier: RefundNotifier) {}

  /**
   * POST /sandbox/control/refund { refundNo, outcome, deliverNotify?, wait? }
   * PROCESSING may become SUCCESS, CLOSED or ABNORMAL; ABNORMAL, which is not
   * final at WeChat, may become SUCCESS or CLOSED; anything else is 409. By
   * default the reply waits for the first notify attempt, as /control/pay does.
   */
  async settle(request: SandboxRequest): Promise<SandboxReply> {
    const input = parseJsonBody(request.body);
    const refundNo = nonEmptyString(input?.refundNo);
    const outcome = input?.outcome as RefundOutcome;
    const deliverNotify = booleanOption(input?.deliverNotify, true);
    const wait = booleanOption(input?.wait, true);
    if (!refundNo || !REFUND_OUTCOMES.includes(outcome) || deliverNotify === undefined || wait === undefined) {
      return badRequest('INVALID_REFUND_OUTCOME', SETTLE_USAGE);
    }
    const refund = this.refunds.find(refundNo);
    if (!refund) return refundNotFound(refundNo);
    if (!canSettle(refund, outcome)) {
      return json(409, { code: 'REFUND_NOT_SETTLEABLE', message: `refund ${refundNo} is ${refund.status}; it cannot become ${outcome}`, state: refund.status });
    }
    this.refunds.settle(refund, outcome);
    // Described now: the reply tells this outcome even if another follows while the notify is under way.
    const view = refundView(refund);
    const notify = await this.notifier.announce(refund, { deliverNotify, wait });
    return json(200, { ...view, notify });
  }

  // POST /sandbox/control/refund/resend { refundNo }: answers when the attempt is over.
  async resend(request: SandboxRequest): Promise<SandboxReply> {
    const refundNo = nonEmptyString(parseJsonBody(request.body)?.refundNo);
    if (!refundNo) return badRequest('INVALID_RESEND', 'expected { refundNo }');
    const refund = this.refunds.find(refundNo);
    if (!refund) return refundNotFound(refundNo);
    const attempt = refund.notifyUrl ? await this.notifier.resend(refundNo) : undefined;
    if (!attempt) {
      const why = refund.notifyUrl ? 'has no outcome notified yet' : 'has no notify_url';
      return json(409, { code: 'NOTHING_TO_RESEND', message: `refund ${refundNo} ${why}` });
    }
    return json(200, { refundNo, ...attempt });
  }

  // GET /sandbox/control/refund-notifies?refundNo=...
  notifyReport(request: SandboxRequest): SandboxReply {
    const refundNo = nonEmptyString(request.query.get('refundNo') ?? undefined);
    if (!refundNo) return badRequest('INVALID_QUERY', 'expected ?refundNo=...');
    if (!this.refunds.find(refundNo)) return refundNotFound(refundNo);
    return json(200, { refundNo, ...this.notifier.report(refundNo) });
  }

  // GET /sandbox/control/refunds?outTradeNo=... | ?refundNo=...: the refunds WeChat holds, oldest first.
  list(request: SandboxRequest): SandboxReply {
    const outTradeNo = nonEmptyString(request.query.get('outTradeNo') ?? undefined);
    const refundNo = nonEmptyString(request.query.get('refundNo') ?? undefined);
    if ((outTradeNo === undefined) === (refundNo === undefined)) return badRequest('INVALID_QUERY', 'expected ?outTradeNo=... or ?refundNo=...');
    const one = refundNo === undefined ? undefined : this.refunds.find(refundNo);
    const found = outTradeNo !== undefined ? this.refunds.ofTrade(outTradeNo) : one ? [ one ] : [];
    return json(200, { refunds: found.map(refundView) });
  }
}
