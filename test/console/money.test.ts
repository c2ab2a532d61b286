import assert from 'node:assert/strict';
import { fenToInput, formatFen, formatYuan, formatYuanDecimal, parseYuan } from '../../console/src/lib/money';

describe('test/console/money.test.ts', () => {
  describe('formatFen / formatYuan', () => {
    it('should write fen as yuan with two decimals and thousands separators', () => {
      assert.equal(formatFen(0), '0.00');
      assert.equal(formatFen(5), '0.05');
      assert.equal(formatFen(99), '0.99');
      assert.equal(formatFen(100), '1.00');
      assert.equal(formatFen(1230), '12.30');
      assert.equal(formatFen(123456), '1,234.56');
      assert.equal(formatFen(100000000), '1,000,000.00');
      assert.equal(formatFen(2 ** 31 - 1), '21,474,836.47');
      assert.equal(formatFen(Number.MAX_SAFE_INTEGER), '90,071,992,547,409.91');
    });

    it('should keep the sign of negative amounts (a difference)', () => {
      assert.equal(formatFen(-5), '-0.05');
      assert.equal(formatFen(-123456), '-1,234.56');
      assert.equal(formatYuan(-1300), '-¥13.00');
    });

    it('should be exact where floating point is not (0.1 + 0.2, 1.005)', () => {
      assert.equal(formatFen(10 + 20), '0.30');
      assert.equal(formatFen(1005), '10.05');
      assert.equal(formatFen(29), '0.29');
    });

    it('should refuse what is not a whole number of fen', () => {
      assert.throws(() => formatFen(1.5), RangeError);
      assert.throws(() => formatFen(Number.NaN), RangeError);
      assert.throws(() => formatFen(2 ** 60), RangeError);
    });

    it('should prefix ¥ and show a dash for no amount', () => {
      assert.equal(formatYuan(2600), '¥26.00');
      assert.equal(formatYuan(null), '—');
      assert.equal(formatYuan(undefined), '—');
    });

    it('should give the plain text a yuan input starts with', () => {
      assert.equal(fenToInput(123456), '1234.56');
      assert.equal(fenToInput(5), '0.05');
    });
  });

  describe('formatYuanDecimal (a bill fee, exact decimal yuan)', () => {
    it('should keep every decimal and group the thousands', () => {
      assert.equal(formatYuanDecimal('0.06000'), '¥0.06000');
      assert.equal(formatYuanDecimal('1234567.12345'), '¥1,234,567.12345');
      assert.equal(formatYuanDecimal('-3.5'), '-¥3.5');
      assert.equal(formatYuanDecimal('12'), '¥12');
      assert.equal(formatYuanDecimal('007.10'), '¥7.10');
    });

    it('should show anything else as it is, and a dash for nothing', () => {
      assert.equal(formatYuanDecimal('n/a'), 'n/a');
      assert.equal(formatYuanDecimal(''), '—');
      assert.equal(formatYuanDecimal(null), '—');
    });
  });

  describe('parseYuan', () => {
    const fen = (text: string) => {
      const parsed = parseYuan(text);
      assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.error}`);
      return parsed.fen;
    };
    const refused = (text: string, pattern: RegExp) => {
      const parsed = parseYuan(text);
      assert.equal(parsed.ok, false, `${text} was accepted`);
      if (!parsed.ok) assert.match(parsed.error, pattern, text);
    };

    it('should read yuan into fen by its digits', () => {
      assert.equal(fen('12.3'), 1230);
      assert.equal(fen('12.30'), 1230);
      assert.equal(fen('12'), 1200);
      assert.equal(fen('12.'), 1200);
      assert.equal(fen('.5'), 50);
      assert.equal(fen('0.01'), 1);
      assert.equal(fen('0.29'), 29);
      assert.equal(fen('1.005'.slice(0, 4)), 100);
      assert.equal(fen('  26.00 '), 2600);
      assert.equal(fen('¥26'), 2600);
      assert.equal(fen('1,234.56'), 123456);
      assert.equal(fen('1,234,567'), 123456700);
      assert.equal(fen('0'), 0);
      assert.equal(fen('007.5'), 750);
      assert.equal(fen('21474836.47'), 2 ** 31 - 1);
    });

    it('should refuse more than two decimals', () => {
      refused('12.345', /two decimals/);
      refused('0.001', /two decimals/);
    });

    it('should refuse negatives', () => {
      refused('-1', /negative/);
      refused('-0.01', /negative/);
    });

    it('should refuse garbage, exponents and misplaced separators', () => {
      for (const text of [ '', '   ', 'abc', '12a', '1e3', '0x10', '1.2.3', '.', '12,34', '1,2345', '+5', 'NaN', 'Infinity', '１２' ]) {
        const parsed = parseYuan(text);
        assert.equal(parsed.ok, false, JSON.stringify(text));
      }
    });

    it('should refuse more than WeChat Pay can carry', () => {
      refused('21474836.48', /too large/);
      refused('999999999999', /too large/);
    });
  });
});
