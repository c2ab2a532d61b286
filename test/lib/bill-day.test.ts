import assert from 'node:assert/strict';
import {
  beijingDateOf, beijingDayBounds, clockMinutes, isBeijingTimeReached, isBillDate, isClockTime, parseBillDateParam, previousBeijingDate, v2BillDate,
} from '../../app/lib/bill-day';
import { envClockTime } from '../../app/lib/env';

describe('test/lib/bill-day.test.ts', () => {
  it('should accept only real YYYY-MM-DD days', () => {
    for (const good of [ '2026-11-29', '2024-02-29', '2026-12-31' ]) assert.equal(isBillDate(good), true, good);
    for (const bad of [ '2026-02-29', '2026-13-01', '2026-11-31', '20261129', '2026-1-29', ' 2026-11-29', '', null, 20261129 ]) {
      assert.equal(isBillDate(bad), false, String(bad));
    }
  });

  it('should answer 400 DATE_INVALID for a malformed path date', () => {
    assert.equal(parseBillDateParam('2026-11-29'), '2026-11-29');
    assert.throws(() => parseBillDateParam('2026-11-31'), { status: 400, code: 'DATE_INVALID' });
    assert.throws(() => parseBillDateParam('yesterday'), { status: 400, code: 'DATE_INVALID' });
  });

  it('should cut days at Beijing midnight (16:00 UTC the day before)', () => {
    const { start, end } = beijingDayBounds('2026-11-29');
    assert.equal(start.toISOString(), '2026-11-28T16:00:00.000Z');
    assert.equal(end.toISOString(), '2026-11-29T16:00:00.000Z');
    assert.equal(beijingDateOf(new Date('2026-11-28T15:59:59.999Z')), '2026-11-28');
    assert.equal(beijingDateOf(new Date('2026-11-28T16:00:00.000Z')), '2026-11-29');
    assert.throws(() => beijingDayBounds('2026-02-30'), RangeError);
  });

  it('should name the previous Beijing day, across months and years', () => {
    assert.equal(previousBeijingDate(new Date('2026-12-01T02:30:00Z')), '2026-11-30');
    // 00:30 in Beijing on 1 January is still 31 December in UTC
    assert.equal(previousBeijingDate(new Date('2026-12-31T16:30:00Z')), '2026-12-31');
    assert.equal(previousBeijingDate(new Date('2027-01-01T03:00:00Z')), '2026-12-31');
  });

  it('should write v2 bill dates yyyyMMdd', () => {
    assert.equal(v2BillDate('2026-11-29'), '20261129');
  });

  it('should read HH:MM times and compare them with the Beijing time of day', () => {
    assert.equal(isClockTime('10:30'), true);
    assert.equal(isClockTime('00:00'), true);
    assert.equal(isClockTime('23:59'), true);
    for (const bad of [ '24:00', '9:30', '10:60', '10:30:00', '1030', '' ]) assert.equal(isClockTime(bad), false, bad);
    assert.equal(clockMinutes('10:30'), 630);
    // 02:29 UTC is 10:29 in Beijing
    assert.equal(isBeijingTimeReached(new Date('2026-11-29T02:29:59Z'), '10:30'), false);
    assert.equal(isBeijingTimeReached(new Date('2026-11-29T02:30:00Z'), '10:30'), true);
    assert.equal(isBeijingTimeReached(new Date('2026-11-29T15:59:00Z'), '10:30'), true);
    assert.equal(isBeijingTimeReached(new Date('2026-11-29T16:00:00Z'), '10:30'), false);
  });

  it('should validate BILL_RECONCILE_AT as HH:MM', () => {
    assert.equal(envClockTime('BILL_RECONCILE_AT', '10:30', {}), '10:30');
    assert.equal(envClockTime('BILL_RECONCILE_AT', '10:30', { BILL_RECONCILE_AT: ' 09:15 ' }), '09:15');
    for (const bad of [ '9:15', '25:00', '10h30', 'noon' ]) {
      assert.throws(() => envClockTime('BILL_RECONCILE_AT', '10:30', { BILL_RECONCILE_AT: bad }), /BILL_RECONCILE_AT must be a time of day HH:MM/);
    }
  });
});
