import { Application, Context } from 'egg';

/**
 * Settles pending orders whose notify never came and closes expired ones
 * (app/service/reconciliation.ts); re-submits and queries refunds until they
 * end (app/service/refund_reconciliation.ts).
 */
export default (app: Application) => ({
  schedule: {
    interval: app.config.reconciliation.interval,
    // one worker per instance; instances coordinate through row claims
    type: 'worker',
    disable: !app.config.reconciliation.enabled,
  },
  async task(ctx: Context) {
    await ctx.service.reconciliation.run();
    await ctx.service.refundReconciliation.run();
  },
});
