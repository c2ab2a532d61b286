import assert from 'node:assert/strict';
import { InvalidRequestError } from '../../app/lib/api-error';
import { parseStaffOrderQuery } from '../../app/lib/staff-order-query';

function codeOf(query: Record<string, unknown>): string {
  try {
    parseStaffOrderQuery(query);
  } catch (err) {
    assert.ok(err instanceof InvalidRequestError);
    return err.code;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('test/lib/staff-order-query.test.ts', () => {
  it('should read every filter, and take empty parameters as absent', () => {
    assert.deepEqual(parseStaffOrderQuery({}), { filter: {}, page: 1, pageSize: 20 });
    assert.deepEqual(parseStaffOrderQuery({ status: '', orderNo: '', from: '', to: '', page: '', pageSize: '' }),
      { filter: {}, page: 1, pageSize: 20 });
    assert.deepEqual(parseStaffOrderQuery({
      status: 'PAID', orderNo: '20261129100000ABCDEFGHIJKL', from: '2026-11-29', to: '2026-11-30', page: '2', pageSize: '50',
    }), {
      filter: {
        status: 'PAID',
        orderNo: '20261129100000ABCDEFGHIJKL',
        createdFrom: new Date('2026-11-28T16:00:00.000Z'),
        createdBefore: new Date('2026-11-30T16:00:00.000Z'),
      },
      page: 2,
      pageSize: 50,
    });
  });

  it('should answer 400 for a bad status, order number, date or page', () => {
    assert.equal(codeOf({ status: 'paid' }), 'INVALID_STATUS');
    assert.equal(codeOf({ status: 'SHIPPED' }), 'INVALID_STATUS');
    assert.equal(codeOf({ orderNo: 'x'.repeat(33) }), 'INVALID_ORDER_NO');
    assert.equal(codeOf({ orderNo: 'a b' }), 'INVALID_ORDER_NO');
    assert.equal(codeOf({ from: 'yesterday' }), 'INVALID_DATE');
    assert.equal(codeOf({ page: '0' }), 'INVALID_PAGINATION');
    assert.equal(codeOf({ pageSize: '101' }), 'INVALID_PAGINATION');
  });
});
