import assert from 'node:assert/strict';
import { nonceStr } from '../../../sandbox/wechat/nonce';

describe('test/sandbox/wechat/nonce.test.ts', () => {
  it('should give 32 alphanumeric characters by default and the length asked for', () => {
    assert.match(nonceStr(), /^[0-9a-f]{32}$/);
    assert.match(nonceStr(12), /^[0-9a-f]{12}$/);
    assert.equal(nonceStr(1).length, 1);
  });

  it('should not repeat itself', () => {
    assert.equal(new Set(Array.from({ length: 100 }, () => nonceStr())).size, 100);
  });

  it('should refuse lengths outside 1..32', () => {
    for (const length of [ 0, 33, 1.5 ]) assert.throws(() => nonceStr(length), RangeError);
  });
});
