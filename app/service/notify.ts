import { Service } from 'egg';
import { IncomingHttpHeaders } from 'node:http';
import { verifyV2Notify } from '../lib/wxpay/v2-notify';
import { verifyV3Notify } from '../lib/wxpay/v3-notify';
import { bodyProblemAck, NotifyAck, NotifyBody } from '../lib/notify-body';
import type { SettleOutcome } from './order_store';

export type { NotifyAck, NotifyBody } from '../lib/notify-body';

// Outcomes WeChat should stop retrying: the order is settled (or needs a refund, not a retry).
const ACKNOWLEDGED: ReadonlySet<SettleOutcome> = new Set([ 'PAID', 'DUPLICATE', 'PAID_BY_OTHER_TRANSACTION', 'PAID_AFTER_CLOSE' ]);
const FAILURE_MESSAGES: Record<string, string> = {
  UNKNOWN_ORDER: 'unknown out_trade_no',
  AMOUNT_MISMATCH: 'the amount does not match the order',
  TRANSACTION_OF_ANOTHER_ORDER: 'transaction_id already paid another order',
};

/**
 * WeChat Pay's callbacks: verification (pure, app/lib) with the app's
 * credentials first, then the settlement compare-and-set. Every request
 * leaves one payment_events row. A database failure escapes as an exception:
 * the controller answers FAIL and WeChat retries, so nothing is acknowledged
 * that was not committed.
 */
export default class NotifyService extends Service {
  async receiveV2(body: NotifyBody): Promise<NotifyAck> {
    const base = { source: 'notify', apiVersion: 'v2' } as const;
    if ('problem' in body) {
      await this.service.auditTrail.record({ ...base, verified: false, outcome: `BODY_${body.problem}` });
      return bodyProblemAck(body.problem, 200);
    }
    const event = { ...base, rawBody: body.raw };
    const verdict = await this.auditedVerification(event, async () => {
      const { apiKey, signType } = this.app.wechatPayCredentials.v2;
      return verifyV2Notify(body.raw, { apiKey, signType, appId: this.config.wechat.appId, mchId: this.app.wechatPayCredentials.mchId });
    });
    if (!verdict.ok) {
      this.logger.warn('[NotifyService.receiveV2:rejected] code: %s, orderNo: %s', verdict.code, verdict.orderNo ?? '-');
      await this.service.auditTrail.record({ ...event, verified: false, orderNo: verdict.orderNo, outcome: verdict.code, reason: verdict.reason });
      return { ok: false, status: 200, message: verdict.reason };
    }
    const { report } = verdict;
    if (!verdict.paid) {
      // A failed payment is news, not an error: record it, acknowledge it, leave the order PENDING.
      await this.service.auditTrail.record({
        ...event, verified: true, orderNo: report.orderNo, outcome: 'PAYMENT_FAILED', reason: verdict.failure,
      });
      return { ok: true, status: 200, message: 'OK' };
    }
    const outcome = await this.service.settlement.settlePaid(
      { ...report, transactionId: report.transactionId!, amount: report.amount! },
      { ...event, verified: true },
    );
    return ACKNOWLEDGED.has(outcome)
      ? { ok: true, status: 200, message: 'OK' }
      : { ok: false, status: 200, message: FAILURE_MESSAGES[outcome] };
  }

  async receiveV3(headers: IncomingHttpHeaders, body: NotifyBody): Promise<NotifyAck> {
    const base = { source: 'notify', apiVersion: 'v3' } as const;
    if ('problem' in body) {
      await this.service.auditTrail.record({ ...base, verified: false, outcome: `BODY_${body.problem}` });
      return bodyProblemAck(body.problem, 400);
    }
    const event = { ...base, rawBody: body.raw };
    const verdict = await this.auditedVerification(event, async () => {
      const serial = headers['wechatpay-serial'];
      const { keyRing, apiV3Key } = this.app.wechatPayCredentials.v3;
      const keys = await keyRing.keys(typeof serial === 'string' ? serial : undefined);
      return verifyV3Notify({
        headers, rawBody: body.raw, keys, apiV3Key, appId: this.config.wechat.appId, mchId: this.app.wechatPayCredentials.mchId,
      });
    });
    if (!verdict.ok) {
      this.logger.warn('[NotifyService.receiveV3:rejected] code: %s, orderNo: %s', verdict.code, verdict.orderNo ?? '-');
      await this.service.auditTrail.record({
        ...event, verified: verdict.status !== 401, orderNo: verdict.orderNo, outcome: verdict.code, reason: verdict.reason,
      });
      return { ok: false, status: verdict.status, message: verdict.reason };
    }
    const outcome = await this.service.settlement.settlePaid(verdict.report, { ...event, verified: true });
    return ACKNOWLEDGED.has(outcome)
      ? { ok: true, status: 204, message: 'OK' }
      : { ok: false, status: 400, message: FAILURE_MESSAGES[outcome] };
  }

  /**
   * Runs a verification that can fail on our side (keys missing or
   * malformed, certificates unreachable): the request is still recorded, and
   * the error goes on to the controller, which answers FAIL / 5xx so WeChat retries.
   */
  private async auditedVerification<T>(event: { source: 'notify'; apiVersion: 'v2' | 'v3'; rawBody: string }, verify: () => Promise<T>): Promise<T> {
    try {
      return await verify();
    } catch (err) {
      this.logger.error('[NotifyService.verify:error] %s: %s', event.apiVersion, (err as Error).message);
      await this.service.auditTrail.record({ ...event, verified: false, outcome: 'VERIFY_ERROR', reason: 'the server could not verify' });
      throw err;
    }
  }
}
