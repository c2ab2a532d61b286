import { Application, Context } from 'egg';

/**
 * The daily bill reconciliation (app/service/bill_reconciliation.ts): each
 * tick reconciles the previous Beijing day once BILL_RECONCILE_AT has passed
 * and asks again for days whose bill was still being created. Instances
 * coordinate through the day's claim, so a day is never run twice at once.
 */
export default (app: Application) => ({
  schedule: {
    interval: app.config.billReconciliation.interval,
    // one worker per instance; instances coordinate through the day's claim
    type: 'worker',
    disable: !app.config.billReconciliation.enabled,
  },
  async task(ctx: Context) {
    await ctx.service.billReconciliation.runDue();
  },
});
