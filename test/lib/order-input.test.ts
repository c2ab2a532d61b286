import assert from 'node:assert/strict';
import { InvalidRequestError } from '../../app/lib/api-error';
import { parseOrderItems, parsePagination } from '../../app/lib/order-input';

const LIMITS = { maxItems: 3, maxQuantity: 10 };

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidRequestError);
    return err.code;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('test/lib/order-input.test.ts', () => {
  it('should keep productId and quantity only and merge lines of one product', () => {
    assert.deepEqual(parseOrderItems({
      amount: 1,
      items: [{ productId: 2, quantity: 1, price: 1 }, { productId: 1, quantity: 2 }, { productId: 2, quantity: 3 }],
    }, LIMITS), [{ productId: 2, quantity: 4 }, { productId: 1, quantity: 2 }]);
  });

  it('should refuse bad bodies with a code per mistake', () => {
    assert.equal(codeOf(() => parseOrderItems(undefined, LIMITS)), 'ITEMS_REQUIRED');
    assert.equal(codeOf(() => parseOrderItems({ items: [] }, LIMITS)), 'ITEMS_REQUIRED');
    assert.equal(codeOf(() => parseOrderItems({ items: [ null ] }, LIMITS)), 'INVALID_ITEM');
    assert.equal(codeOf(() => parseOrderItems({ items: [{ productId: 0, quantity: 1 }] }, LIMITS)), 'INVALID_PRODUCT_ID');
    assert.equal(codeOf(() => parseOrderItems({ items: [{ productId: 1, quantity: Infinity }] }, LIMITS)), 'INVALID_QUANTITY');
    assert.equal(codeOf(() => parseOrderItems({ items: [{ productId: 1, quantity: 6 }, { productId: 1, quantity: 5 }] }, LIMITS)),
      'INVALID_QUANTITY');
    assert.equal(codeOf(() => parseOrderItems({ items: [ 1, 2, 3, 4 ].map(id => ({ productId: id, quantity: 1 })) }, LIMITS)),
      'TOO_MANY_ITEMS');
  });

  it('should default and bound pagination', () => {
    assert.deepEqual(parsePagination({}), { page: 1, pageSize: 20 });
    assert.deepEqual(parsePagination({ page: '3', pageSize: '100' }), { page: 3, pageSize: 100 });
    assert.equal(codeOf(() => parsePagination({ pageSize: '101' })), 'INVALID_PAGINATION');
    assert.equal(codeOf(() => parsePagination({ page: '-1' })), 'INVALID_PAGINATION');
  });
});
