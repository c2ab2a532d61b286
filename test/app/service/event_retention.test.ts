import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { RETENTION_LEASE } from '../../../app/service/event_retention';

const DAY_MS = 24 * 3600 * 1000;
const NOW = new Date('2026-12-06T08:00:00Z');

async function insertEvents(count: number, createdAt: Date, prefix: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    await app.model.PaymentEvent.create({
      orderNo: `${prefix}${i}`, source: 'notify', apiVersion: 'v2', verified: true, outcome: 'PAID', createdAt,
    } as any);
  }
}

async function remainingOrderNos(): Promise<string[]> {
  const rows = await app.model.PaymentEvent.findAll({ attributes: [ 'orderNo' ], order: [[ 'id', 'ASC' ]] });
  return rows.map(row => row.orderNo as string);
}

describe('test/app/service/event_retention.test.ts', () => {
  beforeEach(async () => {
    await app.model.query('DELETE FROM schedule_leases');
    mock(app.config.retention, 'paymentEventsDays', 400);
    mock(app.config.retention, 'batchRows', 3);
    mock(app.config.retention, 'pauseMs', 1);
  });

  it('should delete rows older than the retention in batches and keep the recent ones', async () => {
    await insertEvents(7, new Date(NOW.getTime() - 401 * DAY_MS), 'OLD');
    await insertEvents(3, new Date(NOW.getTime() - 399 * DAY_MS), 'NEW');

    const run = await app.mockContext().service.eventRetention.run(NOW);

    // 3 + 3 + 1 rows, then an empty batch that says nothing is left
    assert.deepEqual(run, { ran: true, deleted: 7, batches: 4, stop: 'DONE' });
    assert.deepEqual(await remainingOrderNos(), [ 'NEW0', 'NEW1', 'NEW2' ]);
  });

  it('should keep a recent row that sits among the oldest ids', async () => {
    await insertEvents(2, new Date(NOW.getTime() - 500 * DAY_MS), 'OLD');
    await insertEvents(1, new Date(NOW.getTime() - DAY_MS), 'NEW');
    await insertEvents(2, new Date(NOW.getTime() - 500 * DAY_MS), 'LATE');

    const run = await app.mockContext().service.eventRetention.run(NOW);

    assert.equal(run.deleted, 4);
    assert.deepEqual(await remainingOrderNos(), [ 'NEW0' ]);
  });

  it('should stop after maxBatches and leave the rest to the next run', async () => {
    mock(app.config.retention, 'maxBatches', 2);
    await insertEvents(8, new Date(NOW.getTime() - 401 * DAY_MS), 'OLD');

    const first = await app.mockContext().service.eventRetention.run(NOW);
    assert.deepEqual(first, { ran: true, deleted: 6, batches: 2, stop: 'BATCH_LIMIT' });
    assert.equal((await remainingOrderNos()).length, 2);

    // the first run released its lease: the next one goes on at once
    const second = await app.mockContext().service.eventRetention.run(NOW);
    assert.equal(second.deleted, 2);
    assert.deepEqual(await remainingOrderNos(), []);
  });

  it('should let only one of two concurrent runs do the work', async () => {
    await insertEvents(5, new Date(NOW.getTime() - 401 * DAY_MS), 'OLD');

    const runs = await Promise.all([
      app.mockContext().service.eventRetention.run(NOW),
      app.mockContext().service.eventRetention.run(NOW),
    ]);

    assert.deepEqual(runs.map(run => run.ran).sort(), [ false, true ]);
    assert.equal(runs[0].deleted + runs[1].deleted, 5);
    assert.deepEqual(await remainingOrderNos(), []);
  });

  it('should do nothing while another instance holds the lease, and take it once the lease has passed', async () => {
    await insertEvents(2, new Date(NOW.getTime() - 401 * DAY_MS), 'OLD');
    const other = await app.mockContext().service.scheduleLease.acquire(RETENTION_LEASE, 60_000, NOW);
    assert.ok(other);

    const blocked = await app.mockContext().service.eventRetention.run(NOW);
    assert.deepEqual(blocked, { ran: false, deleted: 0, batches: 0 });
    assert.equal((await remainingOrderNos()).length, 2);

    // the other holder died: its lease passes and the next run takes it
    const later = await app.mockContext().service.eventRetention.run(new Date(NOW.getTime() + 61_000));
    assert.equal(later.ran, true);
    assert.equal(later.deleted, 2);
  });
});
