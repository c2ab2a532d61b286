import assert from 'node:assert/strict';
import { neutraliseFormula } from '../../app/lib/csv-cell';

describe('test/lib/csv-cell.test.ts', () => {
  it('should prefix an apostrophe to text a spreadsheet would run as a formula', () => {
    for (const formula of [ '=HYPERLINK("http://x","y")', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx' ]) {
      assert.equal(neutraliseFormula(formula), `'${formula}`, formula);
    }
  });

  it('should leave other text alone', () => {
    for (const plain of [ '', 'paid here that day', '20261129ABC', 'a=b', '4200001' ]) assert.equal(neutraliseFormula(plain), plain);
  });
});
