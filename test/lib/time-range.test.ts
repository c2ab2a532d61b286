import assert from 'node:assert/strict';
import { InvalidRequestError } from '../../app/lib/api-error';
import { parseTimeRange } from '../../app/lib/time-range';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidRequestError);
    return err.code;
  }
  throw new Error('expected an InvalidRequestError');
}

const iso = (range: { from?: Date; before?: Date }) => ({ from: range.from?.toISOString(), before: range.before?.toISOString() });

describe('test/lib/time-range.test.ts', () => {
  it('should read dates as whole Beijing days, to included', () => {
    assert.deepEqual(iso(parseTimeRange('2026-11-29', '2026-11-29')),
      { from: '2026-11-28T16:00:00.000Z', before: '2026-11-29T16:00:00.000Z' });
    assert.deepEqual(iso(parseTimeRange('2026-02-28', undefined)), { from: '2026-02-27T16:00:00.000Z', before: undefined });
    assert.deepEqual(iso(parseTimeRange(undefined, '2026-12-31')), { from: undefined, before: '2026-12-31T16:00:00.000Z' });
    assert.deepEqual(iso(parseTimeRange('', '')), { from: undefined, before: undefined });
  });

  it('should read date-times with their offset, Beijing without, to included at its precision', () => {
    assert.deepEqual(iso(parseTimeRange('2026-11-29T01:00:00Z', '2026-11-29T10:30')),
      { from: '2026-11-29T01:00:00.000Z', before: '2026-11-29T02:31:00.000Z' });
    assert.deepEqual(iso(parseTimeRange('2026-11-29T10:00:00+08:00', '2026-11-29T10:00:05-01:30')),
      { from: '2026-11-29T02:00:00.000Z', before: '2026-11-29T11:30:06.000Z' });
    assert.deepEqual(iso(parseTimeRange('2026-11-29T10:00:00.5Z', '2026-11-29T10:00:00.750Z')),
      { from: '2026-11-29T10:00:00.500Z', before: '2026-11-29T10:00:00.751Z' });
  });

  it('should answer 400 for what is not a real date or time', () => {
    for (const bad of [ '2026-02-30', '2026-13-01', '2026-11-29T24:00', '2026-11-29T10:60', '2026-11-29T10:00:00 08:00',
      '2026-11-29T10:00:00+15:00', '29/11/2026', '2026-11-29T10', '1764403200', 'today' ]) {
      assert.equal(codeOf(() => parseTimeRange(bad, undefined)), 'INVALID_DATE', bad);
      assert.equal(codeOf(() => parseTimeRange(undefined, bad)), 'INVALID_DATE', bad);
    }
    assert.equal(codeOf(() => parseTimeRange([ '2026-11-29' ], undefined)), 'INVALID_DATE');
  });

  it('should answer 400 when from is after to', () => {
    assert.equal(codeOf(() => parseTimeRange('2026-11-30', '2026-11-29')), 'INVALID_DATE_RANGE');
    assert.equal(codeOf(() => parseTimeRange('2026-11-29T10:00:01Z', '2026-11-29T10:00:00Z')), 'INVALID_DATE_RANGE');
  });
});
