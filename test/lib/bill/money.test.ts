import assert from 'node:assert/strict';
import { addExact, FeeYuan, fenToYuan, formatFee5, parseFee5, sumExact, yuanToFen } from '../../../app/lib/bill/money';

describe('test/lib/bill/money.test.ts', () => {
  describe('yuanToFen()', () => {
    it('should convert 2-decimal yuan text to fen exactly, including values floating point gets wrong', () => {
      assert.equal(yuanToFen('0.01'), 1);
      assert.equal(yuanToFen('0.00'), 0);
      // Number('0.29') * 100 === 28.999999999999996
      assert.equal(yuanToFen('0.29'), 29);
      // intval(2257.68 * 100) === 225767 (a float-to-fen bug reported in WeChat's developer community)
      assert.equal(yuanToFen('2257.68'), 225768);
      assert.equal(yuanToFen('1234.50'), 123450);
      assert.equal(yuanToFen('100000.00'), 10000000);
      assert.equal(yuanToFen('9999999999999.99'), 999999999999999);
    });

    it('should keep the sign and never return -0', () => {
      assert.equal(yuanToFen('-0.02'), -2);
      assert.equal(yuanToFen('-1234.50'), -123450);
      assert.ok(Object.is(yuanToFen('-0.00'), 0));
    });

    it('should refuse what a bill never prints: other decimal counts, exponents, spaces, signs, separators', () => {
      for (const bad of [ '1234.5', '12', '0', '0.0', '1.234', '.50', '5.', '01.00', '00.01', '1e3', '1.00e0', ' 1.00',
        '1.00 ', '+1.00', '--1.00', '1,234.50', '１.00', '0x10', '', 'NaN', '10000000000000.00' ]) {
        assert.throws(() => yuanToFen(bad), RangeError, bad);
      }
      assert.throws(() => yuanToFen(1 as unknown as string), TypeError);
    });
  });

  describe('fenToYuan()', () => {
    it('should print fen as yuan with 2 decimals', () => {
      assert.equal(fenToYuan(0), '0.00');
      assert.equal(fenToYuan(1), '0.01');
      assert.equal(fenToYuan(29), '0.29');
      assert.equal(fenToYuan(123450), '1234.50');
      assert.equal(fenToYuan(-250), '-2.50');
      assert.equal(fenToYuan(-2), '-0.02');
    });

    it('should refuse what is not a safe integer', () => {
      for (const bad of [ 1.5, NaN, Infinity, 2 ** 53 ]) assert.throws(() => fenToYuan(bad), RangeError, String(bad));
    });
  });

  describe('parseFee5() and formatFee5()', () => {
    it('should read the 5-decimal fee as 1/100000 yuan, negative on refunds', () => {
      assert.equal(parseFee5('0.00000'), 0);
      assert.equal(parseFee5('0.06000'), 6000);
      assert.equal(parseFee5('0.04000'), 4000);
      assert.equal(parseFee5('0.00001'), 1);
      assert.equal(parseFee5('7.40700'), 740700);
      assert.equal(parseFee5('-0.02000'), -2000);
      assert.equal(parseFee5('-7.33320'), -733320);
      assert.ok(Object.is(parseFee5('-0.00000'), 0));
    });

    it('should refuse a fee with other than 5 decimals or malformed', () => {
      for (const bad of [ '0.06', '0.0600', '0.060000', '0', '-.02000', '1e-5', ' 0.06000', '0.06000%', '' ]) {
        assert.throws(() => parseFee5(bad), RangeError, bad);
      }
    });

    it('should print units as the bill writes them', () => {
      assert.equal(formatFee5(0), '0.00000');
      assert.equal(formatFee5(5), '0.00005');
      assert.equal(formatFee5(6000), '0.06000');
      assert.equal(formatFee5(-2000), '-0.02000');
      assert.equal(formatFee5(-733320), '-7.33320');
      assert.equal(formatFee5(60000000), '600.00000');
      assert.throws(() => formatFee5(0.5), RangeError);
    });

    it('should group the fee helpers in FeeYuan', () => {
      assert.equal(FeeYuan.UNITS_PER_YUAN, 100000);
      assert.equal(FeeYuan.parse('-0.02000'), -2000);
      assert.equal(FeeYuan.format(-2000), '-0.02000');
      assert.equal(FeeYuan.sum([ 7380, 0, -740700 ]), -733320);
    });
  });

  describe('addExact() and sumExact()', () => {
    it('should add integer amounts', () => {
      assert.equal(addExact(1230, 1), 1231);
      assert.equal(sumExact([ 1230, 1, 0 ]), 1231);
      assert.equal(sumExact([]), 0);
    });

    it('should throw rather than leave the exact integer range', () => {
      assert.throws(() => addExact(Number.MAX_SAFE_INTEGER, 1), RangeError);
      assert.throws(() => sumExact([ Number.MAX_SAFE_INTEGER, 2 ]), RangeError);
      assert.throws(() => sumExact([ 1, 0.5 ]), RangeError);
    });
  });
});
