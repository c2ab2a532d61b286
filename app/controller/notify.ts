import { Controller } from 'egg';
import getRawBody from 'raw-body';
import { v2NotifyReply } from '../lib/wxpay/v2-notify';
import { announcesMoreThan, NotifyAck, NotifyBody } from '../lib/notify-body';
import { withinDeadline } from '../lib/deadline';
import type { NotifyKind } from '../metrics/registry';

const BODY_LIMIT_BYTES = 1024 * 1024;
const RETRY_LATER = 'temporarily unavailable, retry later';

/**
 * WeChat Pay's callbacks: payments and refunds, v2 (XML) and v3 (JSON). The
 * raw body is read here (the body parser is kept off these routes) because
 * signatures cover the exact bytes. A failure on our side answers FAIL / 500
 * so WeChat delivers again: nothing is acknowledged that was not committed.
 * The answer never waits longer than NOTIFY_DEADLINE_MS (WeChat v3 gives 5 s).
 */
export default class NotifyController extends Controller {
  // POST /api/pay/notify (WeChat Pay v2: signed XML, answered with XML)
  async v2() {
    const body = await this.readRawBody();
    this.replyXml(await this.guard('v2', () => this.service.notify.receiveV2(body)));
  }

  // POST /api/pay/notify/v3 (WeChat Pay v3: signed headers, encrypted resource)
  async v3() {
    const body = await this.readRawBody();
    this.replyJson(await this.guard('v3', () => this.service.notify.receiveV3(this.ctx.req.headers, body)));
  }

  // POST /api/pay/refund-notify (v2 refund notify: XML with an encrypted req_info)
  async refundV2() {
    const body = await this.readRawBody();
    this.replyXml(await this.guard('refund-v2', () => this.service.refundNotify.receiveV2(body)));
  }

  // POST /api/pay/refund-notify/v3 (v3 refund notify; also the v2 XML form of refunds made by hand)
  async refundV3() {
    const body = await this.readRawBody();
    const { refundNotify } = this.service;
    if (refundNotify.formOnV3Url(body) === 'xml') {
      this.replyXml(await this.guard('refund-v2', () => refundNotify.receiveV2(body)));
    } else {
      this.replyJson(await this.guard('refund-v3', () => refundNotify.receiveV3(this.ctx.req.headers, body)));
    }
  }

  /**
   * Runs the service within the notify deadline and counts the answer; an
   * exception or the deadline answers so that WeChat retries. Work still
   * running at the deadline goes on unobserved: its reply is never written
   * (the FAIL already was), so a commit it makes later is acknowledged only by
   * WeChat's next delivery, as a DUPLICATE, and nothing is acknowledged that
   * was not committed.
   */
  private async guard(kind: NotifyKind, receive: () => Promise<NotifyAck>): Promise<NotifyAck> {
    const { deadlineMs } = this.config.notify;
    let ack: NotifyAck | undefined;
    try {
      const result = await withinDeadline(receive(), deadlineMs, err => {
        this.logger.error('[NotifyController.%s:failed-after-deadline] %s', kind, (err as Error).message);
      });
      if (result.done) ack = result.value;
      else this.logger.error('[NotifyController.%s:deadline] no outcome within %d ms, answered FAIL', kind, deadlineMs);
    } catch (err) {
      this.logger.error('[NotifyController.%s:failed] %s', kind, (err as Error).message);
    }
    const seconds = (Date.now() - this.ctx.starttime) / 1000;
    if (ack) {
      this.app.metrics.notifyAnswered(kind, ack.ok ? 'acknowledged' : 'refused', seconds);
      return ack;
    }
    this.app.metrics.notifyAnswered(kind, 'failed', seconds);
    return { ok: false, status: kind.endsWith('v2') ? 200 : 500, message: RETRY_LATER };
  }

  /** v2: HTTP 200 (413 for an oversized body) with XML SUCCESS or FAIL and a reason. */
  private replyXml(ack: NotifyAck): void {
    this.ctx.status = ack.status;
    this.ctx.type = 'text/xml';
    this.ctx.body = v2NotifyReply(ack.ok, ack.message);
  }

  /** v3: 204 after commit, otherwise the status with `{ code: 'FAIL', message }`. */
  private replyJson(ack: NotifyAck): void {
    this.ctx.status = ack.status;
    if (!ack.ok) this.ctx.body = { code: 'FAIL', message: ack.message };
  }

  /**
   * The exact bytes WeChat signed; the body parser is kept off these routes
   * (config). A body announced over the limit is refused before a byte of it
   * is read: waiting for 100 MB that may never come would hold the request.
   */
  private async readRawBody(): Promise<NotifyBody> {
    if (announcesMoreThan(this.ctx.get('Content-Length'), BODY_LIMIT_BYTES)) {
      // The unread body stays on the socket: close it once answered.
      this.ctx.set('Connection', 'close');
      return { problem: 'TOO_LARGE' };
    }
    try {
      const raw = await getRawBody(this.ctx.req, { limit: BODY_LIMIT_BYTES, encoding: 'utf8' });
      return raw.length === 0 ? { problem: 'EMPTY' } : { raw };
    } catch (err) {
      return { problem: (err as { status?: number }).status === 413 ? 'TOO_LARGE' : 'UNREADABLE' };
    }
  }
}
