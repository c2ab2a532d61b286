import assert from 'node:assert/strict';
import { createNonce, unixTimestamp } from '../../../app/lib/wxpay/nonce';

describe('test/lib/wxpay/nonce.test.ts', () => {
  describe('createNonce()', () => {
    it('should default to 32 alphanumeric characters', () => {
      assert.match(createNonce(), /^[0-9A-Za-z]{32}$/);
    });

    it('should honour every length from 1 to 32', () => {
      for (let length = 1; length <= 32; length++) {
        const nonce = createNonce(length);
        assert.equal(nonce.length, length);
        assert.match(nonce, /^[0-9A-Za-z]+$/);
      }
    });

    it('should reject lengths outside 1..32', () => {
      for (const length of [ 0, -1, 33, 1.5, Number.NaN, Infinity ]) {
        assert.throws(() => createNonce(length), RangeError, `length ${length}`);
      }
    });

    it('should not repeat', () => {
      const nonces = new Set<string>();
      for (let i = 0; i < 10000; i++) nonces.add(createNonce());
      assert.equal(nonces.size, 10000);
    });

    it('should use the whole alphabet', () => {
      const seen = new Set(Array.from({ length: 200 }, () => createNonce()).join(''));
      assert.equal(seen.size, 62);
    });
  });

  describe('unixTimestamp()', () => {
    it('should return whole seconds as a decimal string', () => {
      assert.equal(unixTimestamp(1700000000999), '1700000000');
      assert.equal(unixTimestamp(1700000000000), '1700000000');
      assert.equal(unixTimestamp(0), '0');
    });

    it('should default to the current time in seconds', () => {
      const before = Math.floor(Date.now() / 1000);
      const stamp = unixTimestamp();
      const after = Math.floor(Date.now() / 1000);
      assert.match(stamp, /^\d{10}$/);
      assert.ok(Number(stamp) >= before && Number(stamp) <= after);
    });

    it('should reject a non-finite time', () => {
      assert.throws(() => unixTimestamp(Number.NaN), RangeError);
    });
  });
});
