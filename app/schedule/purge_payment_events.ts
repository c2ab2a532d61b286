import { Application, Context } from 'egg';

/**
 * The payment_events retention (app/service/event_retention.ts): rows older
 * than PAYMENT_EVENTS_RETENTION_DAYS deleted in small batches. Instances
 * coordinate through a lease in schedule_leases, so one purges at a time.
 */
export default (app: Application) => ({
  schedule: {
    interval: app.config.retention.interval,
    // one worker per instance; instances coordinate through the lease
    type: 'worker',
    disable: !app.config.retention.enabled,
  },
  async task(ctx: Context) {
    await ctx.service.eventRetention.run();
  },
});
