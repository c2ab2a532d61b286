import { Subscription } from 'egg';

/** Settles pending orders whose notify never came and closes expired ones (app/service/reconciliation.ts). */
export default class ReconcileOrders extends Subscription {
  static get schedule() {
    return {
      interval: process.env.RECONCILE_INTERVAL || '1m',
      // one worker per instance; instances coordinate through row claims
      type: 'worker',
      // tests run it explicitly with app.runSchedule()
      disable: process.env.EGG_SERVER_ENV === 'unittest' || process.env.NODE_ENV === 'test',
    };
  }

  async subscribe() {
    await this.ctx.service.reconciliation.run();
  }
}
