import assert from 'node:assert/strict';
import { characterCount, checkRefundInput } from '../../console/src/lib/refund-form';
import { uuidFromBytes } from '../../console/src/lib/uuid';
import { pageCount, positiveInt, queryString } from '../../console/src/lib/query';
import { comparisonRows, discrepanciesFileName, statusExplanation } from '../../console/src/lib/reconciliation';

describe('test/console/refund-form.test.ts', () => {
  describe('checkRefundInput', () => {
    it('should accept a positive amount within the refundable one, and an optional reason', () => {
      assert.deepEqual(checkRefundInput('12.34', ' one cup returned ', 5200), { ok: true, fen: 1234, reason: 'one cup returned' });
      assert.deepEqual(checkRefundInput('52', '', 5200), { ok: true, fen: 5200, reason: null });
    });

    it('should refuse zero, more than is refundable and a bad amount, naming the field', () => {
      assert.deepEqual(checkRefundInput('0', '', 5200), { ok: false, field: 'amount', error: 'The amount must be more than ¥0.00.' });
      assert.deepEqual(checkRefundInput('52.01', '', 5200), { ok: false, field: 'amount', error: 'At most ¥52.00 can be refunded.' });
      const bad = checkRefundInput('1.234', '', 5200);
      assert.equal(bad.ok, false);
      assert.equal(!bad.ok && bad.field, 'amount');
    });

    it('should count the reason in characters as the server does (80 at most, code points)', () => {
      assert.equal(characterCount('退'.repeat(80)), 80);
      assert.equal(characterCount('😀😀'), 2);
      assert.equal(checkRefundInput('1', '退'.repeat(80), 100).ok, true);
      assert.equal(checkRefundInput('1', '😀'.repeat(80), 100).ok, true);
      const long = checkRefundInput('1', '退'.repeat(81), 100);
      assert.equal(!long.ok && long.field, 'reason');
    });
  });

  describe('uuidFromBytes', () => {
    it('should make a version 4 UUID of 16 bytes', () => {
      const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
      const uuid = uuidFromBytes(bytes);
      assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(uuid, '00112233-4455-4677-8899-aabbccddeeff');
      assert.equal(bytes[6], 102, 'the bytes given are left as they were');
      assert.throws(() => uuidFromBytes(new Uint8Array(15)), RangeError);
    });
  });

  describe('query strings', () => {
    it('should leave empty filters out and encode the rest', () => {
      assert.equal(queryString({ status: '', orderNo: undefined, from: null, page: 1, pageSize: 20 }), '?page=1&pageSize=20');
      assert.equal(queryString({ from: '2026-11-29T10:00+08:00' }), '?from=2026-11-29T10%3A00%2B08%3A00');
      assert.equal(queryString({}), '');
    });

    it('should read page numbers defensively', () => {
      assert.equal(positiveInt('3', 1), 3);
      assert.equal(positiveInt(undefined, 1), 1);
      assert.equal(positiveInt('0', 1), 1);
      assert.equal(positiveInt('-2', 1), 1);
      assert.equal(positiveInt('2.5', 1), 1);
      assert.equal(positiveInt('500', 20, 100), 100);
      assert.equal(pageCount(0, 20), 1);
      assert.equal(pageCount(41, 20), 3);
    });
  });

  describe('reconciliation day', () => {
    const day = {
      date: '2026-11-29', status: 'DONE', retryAt: null, failure: null,
      bill: { count: 3, settledTotal: 7800, refundTotal: 1300, feeTotal: '0.05000' },
      local: { count: 2, settledTotal: 5200, refundTotal: 1300 },
    };

    it('should compare the bill with the local totals', () => {
      assert.deepEqual(comparisonRows(day).map(r => [ r.label, r.bill, r.local, r.difference ]), [
        [ 'Transactions (payments + refunds)', 3, 2, 1 ],
        [ 'Settled total', 7800, 5200, 2600 ],
        [ 'Refund total', 1300, 1300, 0 ],
      ]);
      assert.deepEqual(comparisonRows({ ...day, bill: null, local: null }).map(r => r.difference), [ null, null, null ]);
    });

    it('should explain WAITING, FAILED and EMPTY days', () => {
      const at = (iso: string | null | undefined) => `at(${iso})`;
      assert.match(statusExplanation({ ...day, status: 'WAITING', retryAt: '2026-11-30T03:00:00Z' }, at), /still creating.*at\(2026-11-30T03:00:00Z\)/);
      assert.match(statusExplanation({ ...day, status: 'FAILED', failure: 'the bill hash does not match' }, at), /Nothing was compared: the bill hash does not match/);
      assert.match(statusExplanation({ ...day, status: 'EMPTY' }, at), /no bill for this day/);
    });

    it('should name the CSV after its day', () => {
      assert.equal(discrepanciesFileName('2026-11-29'), 'discrepancies-2026-11-29.csv');
    });
  });
});
