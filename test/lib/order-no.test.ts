import assert from 'node:assert/strict';
import { createOrderNo, isOrderNo, ORDER_NO_PATTERN } from '../../app/lib/order-no';

describe('test/lib/order-no.test.ts', () => {
  it('should make 26-character order numbers in WeChat\'s out_trade_no alphabet', () => {
    const orderNo = createOrderNo(new Date('2026-11-22T08:09:10.123Z'));
    assert.equal(orderNo.length, 26);
    assert.ok(orderNo.startsWith('20261122080910'));
    assert.match(orderNo, ORDER_NO_PATTERN);
  });

  it('should not repeat itself', () => {
    const now = new Date();
    const seen = new Set(Array.from({ length: 10000 }, () => createOrderNo(now)));
    assert.equal(seen.size, 10000);
  });

  it('should tell possible order numbers from anything else', () => {
    assert.equal(isOrderNo('2026112208091012345ABCDEFG'), true);
    assert.equal(isOrderNo('a|b*c_d-e'), true);
    assert.equal(isOrderNo('x'.repeat(33)), false);
    assert.equal(isOrderNo(''), false);
    assert.equal(isOrderNo('has space'), false);
    assert.equal(isOrderNo(42), false);
  });
});
