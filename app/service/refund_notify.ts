import { Service } from 'egg';
import { IncomingHttpHeaders } from 'node:http';
import type { RefundReport } from '../lib/wxpay/refund';
import { verifyV2RefundNotify } from '../lib/wxpay/v2-refund-notify';
import { verifyV3RefundNotify } from '../lib/wxpay/v3-refund-notify';
import { bodyProblemAck, NotifyAck, NotifyBody } from '../lib/notify-body';

type MatchedReport = RefundReport & { transactionId: string; orderNo: string; total: number; amount: number };

/** A refund notify answer. */
export type RefundNotifyAck = NotifyAck;

/** The form a refund notify is read and answered in: v2 XML or v3 JSON. */
export type RefundNotifyForm = 'xml' | 'json';

/**
 * WeChat Pay's refund callbacks, v2 (`req_info` encrypted with the MD5 of the
 * v2 key, no signature) and v3 (signed, REFUND.* event, AES-GCM resource).
 * A v2 notify is authentic only if it decrypts with our key and describes a
 * refund of ours with the same numbers and amounts, or, for a refund made by
 * hand in the merchant platform, our order and its transaction. Every request
 * leaves one payment_events row; nothing is acknowledged before it is committed.
 */
export default class RefundNotifyService extends Service {
  /**
   * The form of a body posted to the v3 URL: WeChat sends refunds made by hand
   * in the merchant platform as v2 XML even there, which only a v2 key can read.
   */
  formOnV3Url(body: NotifyBody): RefundNotifyForm {
    const xml = !('problem' in body) && body.raw.trimStart().startsWith('<');
    return xml && this.app.wechatPayCredentials.v2.apiKey ? 'xml' : 'json';
  }

  async receiveV2(body: NotifyBody): Promise<RefundNotifyAck> {
    const base = { source: 'refund_notify', apiVersion: 'v2' } as const;
    if ('problem' in body) {
      await this.service.auditTrail.record({ ...base, verified: false, outcome: `BODY_${body.problem}` });
      return bodyProblemAck(body.problem, 200);
    }
    const event = { ...base, rawBody: body.raw };
    const { apiKey } = this.app.wechatPayCredentials.v2;
    if (!apiKey) throw new Error('a v2 refund notify needs WECHATPAY_API_KEY');
    const verdict = verifyV2RefundNotify(body.raw, { apiKey, appId: this.config.wechat.appId, mchId: this.app.wechatPayCredentials.mchId });
    if (!verdict.ok) {
      this.logger.warn('[RefundNotify.receiveV2:rejected] code: %s, refundNo: %s', verdict.code, verdict.refundNo ?? '-');
      await this.service.auditTrail.record({ ...event, verified: false, orderNo: verdict.orderNo, outcome: verdict.code, reason: verdict.reason });
      return { ok: false, status: 200, message: verdict.reason };
    }
    const ok = await this.apply(verdict.report, event);
    return { ok, status: 200, message: ok ? 'OK' : 'not a refund of ours' };
  }

  /** A v3 refund notify (a body whose form, by formOnV3Url, is JSON). */
  async receiveV3(headers: IncomingHttpHeaders, body: NotifyBody): Promise<RefundNotifyAck> {
    const base = { source: 'refund_notify', apiVersion: 'v3' } as const;
    if ('problem' in body) {
      await this.service.auditTrail.record({ ...base, verified: false, outcome: `BODY_${body.problem}` });
      return bodyProblemAck(body.problem, 400);
    }
    const event = { ...base, rawBody: body.raw };
    let verdict: ReturnType<typeof verifyV3RefundNotify>;
    try {
      const serial = headers['wechatpay-serial'];
      const { keyRing, apiV3Key } = this.app.wechatPayCredentials.v3;
      const keys = await keyRing.keys(typeof serial === 'string' ? serial : undefined);
      verdict = verifyV3RefundNotify({ headers, rawBody: body.raw, keys, apiV3Key, mchId: this.app.wechatPayCredentials.mchId });
    } catch (err) {
      this.logger.error('[RefundNotify.receiveV3:verify-error] %s', (err as Error).message);
      await this.service.auditTrail.record({ ...event, verified: false, outcome: 'VERIFY_ERROR', reason: 'the server could not verify' });
      throw err;
    }
    if (!verdict.ok) {
      this.logger.warn('[RefundNotify.receiveV3:rejected] code: %s, orderNo: %s', verdict.code, verdict.orderNo ?? '-');
      await this.service.auditTrail.record({
        ...event, verified: verdict.status !== 401, orderNo: verdict.orderNo, outcome: verdict.code, reason: verdict.reason,
      });
      return { ok: false, status: verdict.status, message: verdict.reason };
    }
    const ok = await this.apply(verdict.report, event);
    return { ok, status: ok ? 204 : 400, message: ok ? 'OK' : 'not a refund of ours' };
  }

  /**
   * Matches the reported refund to ours (or imports a merchant-platform refund
   * of our order) and applies its status. False when it is not ours or its
   * amounts differ: refused, and audited as such.
   */
  private async apply(report: MatchedReport, event: { source: 'refund_notify'; apiVersion: 'v2' | 'v3'; rawBody: string }): Promise<boolean> {
    const facts = { ...event, orderNo: report.orderNo, transactionId: report.transactionId, amount: report.amount };
    let refund = await this.service.refundStore.findByRefundNo(report.refundNo);
    if (!refund) {
      const imported = await this.service.refund.importPlatformRefund({ ...report, acceptedAt: new Date() });
      if (!imported) {
        this.logger.warn('[RefundNotify.apply:unknown] refundNo: %s, orderNo: %s', report.refundNo, report.orderNo);
        await this.service.auditTrail.record({ ...facts, verified: false, outcome: 'UNKNOWN_REFUND', reason: `refund ${report.refundNo} is not ours` });
        return false;
      }
      refund = (await this.service.refundStore.findByRefundNo(report.refundNo))!;
    }
    if (refund.orderNo !== report.orderNo || refund.transactionId !== report.transactionId
      || refund.amount !== report.amount || refund.transactionTotal !== report.total) {
      this.logger.warn('[RefundNotify.apply:mismatch] refundNo: %s', report.refundNo);
      await this.service.auditTrail.record({ ...facts, verified: false, outcome: 'REFUND_MISMATCH', reason: 'numbers or amounts differ from our refund' });
      return false;
    }
    await this.service.refundStore.markAccepted(refund.refundNo, report.refundId, new Date());
    // The audit row is written with the move, in its transaction.
    await this.service.refund.applyReport(refund, report, { ...event, verified: true });
    return true;
  }
}
