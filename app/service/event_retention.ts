import { Service } from 'egg';
import { isShuttingDown } from '../lifecycle/shutdown';
import { nextPurgeStep, PurgeStop, retentionCutoff } from '../lib/retention';

/** What one retention run did. */
export interface RetentionRun {
  /** false when another instance held the lease: this one did nothing */
  ran: boolean;
  deleted: number;
  batches: number;
  stop?: PurgeStop;
}

// The one job name in schedule_leases for this work, whatever instance runs it.
export const RETENTION_LEASE = 'payment_events_retention';

/**
 * Deletes payment_events rows older than PAYMENT_EVENTS_RETENTION_DAYS, in
 * small batches with a pause between them, so that each DELETE holds its
 * locks briefly and the notifies' INSERTs into the same table keep flowing.
 * A run is bounded (batches and time) and holds a lease, so several instances
 * on one schedule never purge at the same time; what a run leaves, the next
 * takes. The table itself is only touched by its owner, AuditTrailService.
 */
export default class EventRetentionService extends Service {
  async run(now = new Date()): Promise<RetentionRun> {
    const { paymentEventsDays, batchRows, maxBatches, pauseMs, maxRunMs } = this.app.config.retention;
    // The lease outlives the run's own time limit, so it cannot pass while this run still deletes.
    const lease = await this.service.scheduleLease.acquire(RETENTION_LEASE, maxRunMs * 2 + 60_000, now);
    if (!lease) return { ran: false, deleted: 0, batches: 0 };
    const cutoff = retentionCutoff(now, paymentEventsDays);
    const started = Date.now();
    let deleted = 0;
    let batches = 0;
    let stop: PurgeStop = 'DONE';
    try {
      for (;;) {
        const lastDeleted = await this.service.auditTrail.purgeBatch(cutoff, batchRows);
        deleted += lastDeleted;
        batches++;
        const step = nextPurgeStep({
          lastDeleted, batchRows, batches, maxBatches,
          remainingMs: maxRunMs - (Date.now() - started), shuttingDown: isShuttingDown(this.app),
        });
        if (step !== 'CONTINUE') {
          stop = step;
          break;
        }
        await new Promise(resolve => setTimeout(resolve, pauseMs));
      }
    } finally {
      await this.service.scheduleLease.release(lease).catch(err =>
        this.logger.warn('[EventRetentionService.run:release] lease left to expire: %s', (err as Error).message));
    }
    if (deleted > 0 || stop !== 'DONE') {
      this.logger.info('[EventRetentionService.run:done] deleted: %d, batches: %d, before: %s, stop: %s',
        deleted, batches, cutoff.toISOString(), stop);
    }
    return { ran: true, deleted, batches, stop };
  }
}
