import assert from 'node:assert/strict';
import { feeUnits, feeYuan, ratePercent, yuan } from '../../sandbox/wechat/bill-money';

describe('test/sandbox/bill-money.test.ts', () => {
  it('should write fen as 元 with two decimals, from integers only', () => {
    assert.equal(yuan(0), '0.00');
    assert.equal(yuan(1), '0.01');
    assert.equal(yuan(10), '0.10');
    assert.equal(yuan(1280), '12.80');
    assert.equal(yuan(100000000), '1000000.00');
    // 2^53 + 1 fen: beyond a double's integers, exact as BigInt.
    assert.equal(yuan(9007199254740993n), '90071992547409.93');
    assert.throws(() => yuan(1.5), RangeError);
  });

  it('should write a fee in 1/100000 元 with five decimals, negative on refunds', () => {
    assert.equal(feeYuan(0n), '0.00000');
    assert.equal(feeYuan(8000n), '0.08000');
    assert.equal(feeYuan(-2000n), '-0.02000');
    assert.equal(feeYuan(6n), '0.00006');
    assert.equal(feeYuan(-123456789n), '-1234.56789');
  });

  it('should charge whole fen, rounded half up, as real bills show (0.01 元 at 0.90% is 0.00000, 50.00 at 0.54% is 0.27000)', () => {
    assert.equal(feeYuan(feeUnits(1, 90)), '0.00000');
    assert.equal(feeYuan(feeUnits(2, 90)), '0.00000');
    assert.equal(feeYuan(feeUnits(5000, 54)), '0.27000');
    assert.equal(feeYuan(feeUnits(1280, 60)), '0.08000'); // 7.68 fen
    assert.equal(feeYuan(feeUnits(250, 60)), '0.02000'); // 1.5 fen: half up
    assert.equal(feeYuan(feeUnits(249, 60)), '0.01000'); // 1.494 fen
    assert.throws(() => feeUnits(-1, 60), RangeError);
  });

  it('should print a rate in basis points as a percentage', () => {
    assert.equal(ratePercent(60), '0.60%');
    assert.equal(ratePercent(54), '0.54%');
    assert.equal(ratePercent(100), '1.00%');
  });
});
