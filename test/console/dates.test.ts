import assert from 'node:assert/strict';
import { beijingDate, formatBeijing, formatWait, isCalendarDate, previousBeijingDate } from '../../console/src/lib/dates';

describe('test/console/dates.test.ts', () => {
  it('should show instants in Beijing time, whatever the zone they are written in', () => {
    assert.equal(formatBeijing('2026-11-29T02:00:05.123Z'), '2026-11-29 10:00:05');
    assert.equal(formatBeijing('2026-11-29T16:30:00Z'), '2026-11-30 00:30:00');
    assert.equal(formatBeijing('2026-11-29T10:00:00+08:00'), '2026-11-29 10:00:00');
    assert.equal(formatBeijing('2026-12-31T23:59:59-05:00'), '2027-01-01 12:59:59');
  });

  it('should show a dash for no time and unreadable text as it is', () => {
    assert.equal(formatBeijing(null), '—');
    assert.equal(formatBeijing(undefined), '—');
    assert.equal(formatBeijing(''), '—');
    assert.equal(formatBeijing('soon'), 'soon');
  });

  it('should give the Beijing day of an instant and the day before it', () => {
    const lateUtc = Date.parse('2026-11-29T16:00:00Z'); // 00:00 on the 30th in Beijing
    assert.equal(beijingDate(lateUtc), '2026-11-30');
    assert.equal(beijingDate(lateUtc - 1), '2026-11-29');
    assert.equal(previousBeijingDate(lateUtc), '2026-11-29');
    assert.equal(previousBeijingDate(Date.parse('2027-01-01T01:00:00+08:00')), '2026-12-31');
  });

  it('should tell real calendar days', () => {
    assert.equal(isCalendarDate('2026-02-28'), true);
    assert.equal(isCalendarDate('2028-02-29'), true);
    assert.equal(isCalendarDate('2026-02-29'), false);
    assert.equal(isCalendarDate('2026-13-01'), false);
    assert.equal(isCalendarDate('2026-1-01'), false);
    assert.equal(isCalendarDate(''), false);
  });

  it('should say how long to wait', () => {
    assert.equal(formatWait(1), '1 second');
    assert.equal(formatWait(45), '45 seconds');
    assert.equal(formatWait(840), '14 minutes');
    assert.equal(formatWait(899), '15 minutes');
    assert.equal(formatWait(Number.NaN), '1 second');
  });
});
