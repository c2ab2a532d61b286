import { Service } from 'egg';
import type { Order } from '../model/order';
import { clockAfter } from '../lib/run-clock';

export interface ReconciliationReport {
  examined: number;
  claimed: number;
  paid: number;
  closed: number;
  failed: number;
}

const BATCH = 100;
// Long enough for one order's query and close at WeChat (time-outs included).
const LEASE_MS = 60_000;

/**
 * WeChat does not promise to deliver every notify, and unpaid orders must
 * give their stock back. This settles PENDING orders whose prepay is older
 * than `reconcileAfterSeconds` from an order query (the same compare-and-set
 * as a notify) and closes orders past their payment window, at WeChat and
 * here. Each order is claimed with a conditional update on `claimed_until`,
 * so several instances never handle one order at once.
 */
export default class ReconciliationService extends Service {
  async run(now: Date = new Date()): Promise<ReconciliationReport> {
    const { reconcileAfterSeconds, prepayTtlSeconds } = this.config.wxpay;
    // A prepay made `reconcileAfterSeconds` ago expires `prepayTtlSeconds` after it was made.
    const prepaidLongAgo = new Date(now.getTime() + (prepayTtlSeconds - reconcileAfterSeconds) * 1000);
    const store = this.service.orderStore;
    const candidates = await store.findDueForReconciliation(now, prepaidLongAgo, BATCH);
    const report: ReconciliationReport = { examined: candidates.length, claimed: 0, paid: 0, closed: 0, failed: 0 };
    for (const order of candidates) {
      // The lease runs from the claim, not from the start of a run that may have taken minutes.
      const claimedAt = clockAfter(now);
      if (!await store.claim(order.id, claimedAt, new Date(claimedAt.getTime() + LEASE_MS))) continue;
      report.claimed += 1;
      try {
        const effect = await this.reconcile(order, now);
        if (effect === 'PAID') report.paid += 1;
        if (effect === 'CLOSED') report.closed += 1;
      } catch (err) {
        report.failed += 1;
        this.logger.warn('[Reconciliation.run:failed] orderNo: %s, error: %s', order.orderNo, (err as Error).message);
      }
    }
    if (report.examined > 0) this.logger.info('[Reconciliation.run] %j', report);
    this.app.metrics.ordersReconciled(report);
    return report;
  }

  private async reconcile(order: Order, now: Date): Promise<'PAID' | 'CLOSED' | 'UNCHANGED'> {
    const { payment } = this.service;
    if (order.prepayId) {
      const effect = await payment.applyTradeReport(order, await payment.queryTrade(order.orderNo));
      if (effect !== 'UNCHANGED') return effect;
    }
    if (order.expiresAt <= now) {
      await payment.closeEverywhere(order);
      return 'CLOSED';
    }
    // Not paid yet: ask again after another `reconcileAfterSeconds`, or when the window ends.
    const next = Math.min(now.getTime() + this.config.wxpay.reconcileAfterSeconds * 1000, order.expiresAt.getTime());
    await this.service.orderStore.postpone(order.id, new Date(next));
    return 'UNCHANGED';
  }
}
