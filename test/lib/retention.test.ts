import assert from 'node:assert/strict';
import { nextPurgeStep, retentionCutoff } from '../../app/lib/retention';

describe('test/lib/retention.test.ts', () => {
  it('should put the cutoff the given number of whole days before now', () => {
    assert.equal(retentionCutoff(new Date('2026-12-06T08:00:00Z'), 400).toISOString(), '2025-11-01T08:00:00.000Z');
  });

  it('should refuse a retention that is not a positive integer', () => {
    for (const days of [ 0, -1, 1.5, NaN ]) assert.throws(() => retentionCutoff(new Date(), days), RangeError);
  });

  it('should say why a purge run stops, in order: nothing left, shutdown, batch limit, time limit', () => {
    const base = { lastDeleted: 1000, batchRows: 1000, batches: 1, maxBatches: 10, remainingMs: 1000, shuttingDown: false };
    assert.equal(nextPurgeStep(base), 'CONTINUE');
    assert.equal(nextPurgeStep({ ...base, lastDeleted: 0, shuttingDown: true }), 'DONE');
    assert.equal(nextPurgeStep({ ...base, shuttingDown: true, batches: 10 }), 'SHUTDOWN');
    assert.equal(nextPurgeStep({ ...base, batches: 10, remainingMs: 0 }), 'BATCH_LIMIT');
    assert.equal(nextPurgeStep({ ...base, remainingMs: 0 }), 'TIME_LIMIT');
  });
});
