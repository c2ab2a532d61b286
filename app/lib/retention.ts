/**
 * Retention of the audit trail (payment_events), as pure functions: the
 * service (app/service/event_retention.ts) does the I/O.
 */

const DAY_MS = 24 * 3600 * 1000;

/** Rows created before this instant are past their retention of `days` days. */
export function retentionCutoff(now: Date, days: number): Date {
  if (!Number.isInteger(days) || days <= 0) throw new RangeError('retention days must be a positive integer');
  return new Date(now.getTime() - days * DAY_MS);
}

/** Why a purge run stopped taking batches. */
export type PurgeStop = 'DONE' | 'BATCH_LIMIT' | 'TIME_LIMIT' | 'SHUTDOWN';

/**
 * Whether a run that has deleted `lastDeleted` rows in its last batch (of at
 * most `batchRows`) after `batches` batches, and has `remainingMs` of its time
 * left, takes another batch; otherwise why not.
 */
export function nextPurgeStep(state: { lastDeleted: number; batchRows: number; batches: number; maxBatches: number; remainingMs: number; shuttingDown: boolean }): PurgeStop | 'CONTINUE' {
  if (state.lastDeleted === 0) return 'DONE';
  if (state.shuttingDown) return 'SHUTDOWN';
  if (state.batches >= state.maxBatches) return 'BATCH_LIMIT';
  if (state.remainingMs <= 0) return 'TIME_LIMIT';
  return 'CONTINUE';
}
