import { Service } from 'egg';
import { Op } from 'sequelize';
import { OrderStatus } from '../lib/order-status';
import type { Order } from '../model/order';

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
    const candidates = await this.app.model.Order.findAll({
      where: {
        [Op.and]: [
          unclaimed(now),
          { [Op.or]: [{ expiresAt: { [Op.lte]: now } }, { prepayId: { [Op.ne]: null }, prepayExpiresAt: { [Op.lte]: prepaidLongAgo } }] },
        ],
      },
      // least recently examined first, so a large backlog cannot starve newer orders
      order: [[ 'claimedUntil', 'ASC' ], [ 'id', 'ASC' ]],
      limit: BATCH,
    });
    const report: ReconciliationReport = { examined: candidates.length, claimed: 0, paid: 0, closed: 0, failed: 0 };
    for (const order of candidates) {
      if (!await this.claim(order, now)) continue;
      report.claimed += 1;
      try {
        const status = await this.reconcile(order, now);
        if (status === OrderStatus.PAID) report.paid += 1;
        if (status === OrderStatus.CLOSED) report.closed += 1;
      } catch (err) {
        report.failed += 1;
        this.logger.warn('[Reconciliation.run:failed] orderNo: %s, error: %s', order.orderNo, (err as Error).message);
      }
    }
    if (report.examined > 0) this.logger.info('[Reconciliation.run] %j', report);
    return report;
  }

  /** Takes the order for LEASE_MS unless another instance holds it or it left PENDING. */
  private async claim(order: Order, now: Date): Promise<boolean> {
    const [ claimed ] = await this.app.model.Order.update(
      { claimedUntil: new Date(now.getTime() + LEASE_MS) },
      { where: { id: order.id, ...unclaimed(now) }, silent: true },
    );
    return claimed === 1;
  }

  private async reconcile(order: Order, now: Date): Promise<OrderStatus | undefined> {
    if (order.prepayId) {
      await this.service.payment.applyTradeReport(order, await this.service.payment.queryTrade(order.orderNo));
      const current = await this.app.model.Order.findByPk(order.id, { attributes: [ 'status' ] });
      if (current?.status !== OrderStatus.PENDING) return current?.status;
    }
    if (order.expiresAt <= now) {
      await this.service.payment.closeEverywhere(order);
      return OrderStatus.CLOSED;
    }
    // Not paid yet: ask again after another `reconcileAfterSeconds`, or when the window ends.
    const next = Math.min(now.getTime() + this.config.wxpay.reconcileAfterSeconds * 1000, order.expiresAt.getTime());
    await this.app.model.Order.update({ claimedUntil: new Date(next) }, { where: { id: order.id }, silent: true });
    return undefined;
  }
}

/** PENDING and not held by a run (of this or another instance) right now. */
function unclaimed(now: Date) {
  return {
    status: OrderStatus.PENDING,
    [Op.or]: [{ claimedUntil: null }, { claimedUntil: { [Op.lt]: now } }],
  };
}
