import { Service } from 'egg';
import { clockAfter } from '../lib/run-clock';
import type { Refund } from '../model/refund';
import { RefundRefusedError } from './refund';

export interface RefundReconciliationReport {
  examined: number;
  claimed: number;
  resubmitted: number;
  queried: number;
  failed: number;
}

const BATCH = 100;
// Long enough for one refund's apply or query at WeChat (time-outs included).
const LEASE_MS = 60_000;

/**
 * Refunds must end. This re-submits refunds whose apply got no answer (with
 * the same refund_no, which WeChat treats as the same refund) and queries
 * PROCESSING and ABNORMAL refunds until they end, each at most every
 * RECONCILE_AFTER_SECONDS. Each refund is claimed with a conditional update
 * on `claimed_until`, so several instances never handle one refund at once.
 */
export default class RefundReconciliationService extends Service {
  async run(now: Date = new Date()): Promise<RefundReconciliationReport> {
    const store = this.service.refundStore;
    const candidates = await store.findDue(now, BATCH);
    const report: RefundReconciliationReport = { examined: candidates.length, claimed: 0, resubmitted: 0, queried: 0, failed: 0 };
    for (const refund of candidates) {
      // The lease runs from the claim, not from the start of a run that may have taken minutes.
      const claimedAt = clockAfter(now);
      if (!await store.claim(refund.refundNo, claimedAt, new Date(claimedAt.getTime() + LEASE_MS))) continue;
      report.claimed += 1;
      try {
        await this.reconcile(refund, report);
      } catch (err) {
        if (!(err instanceof RefundRefusedError)) {
          report.failed += 1;
          this.logger.warn('[RefundReconciliation.run:failed] refundNo: %s, error: %s', refund.refundNo, (err as Error).message);
        }
      } finally {
        // The next look after the back-off, whatever happened (a refund that ended is no longer a candidate).
        await store.noteNextLook(refund.refundNo, new Date(clockAfter(now).getTime() + this.config.wxpay.reconcileAfterSeconds * 1000));
      }
    }
    if (report.examined > 0) this.logger.info('[RefundReconciliation.run] %j', report);
    return report;
  }

  private async reconcile(refund: Refund, report: RefundReconciliationReport): Promise<void> {
    if (!refund.acceptedAt) {
      report.resubmitted += 1;
      await this.service.refund.submit(refund.refundNo);
      return;
    }
    report.queried += 1;
    await this.service.refund.refresh(refund.refundNo);
  }
}
