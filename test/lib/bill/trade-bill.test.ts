import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import {
  BillSource, parseBillTime, readTradeBill, splitBillValues, splitLines, TradeBillError, TradeBillParser,
  TradeBillParserOptions, TradeBillRow, TradeBillSummary,
} from '../../../app/lib/bill/trade-bill';

const FIXTURES = path.join(__dirname, '../../fixtures/bills');
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));
const text = (name: string): string => fixture(name).toString('utf8');

const ALL_HEADER = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,' +
  '应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const SUMMARY_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

async function parse(source: BillSource, options: TradeBillParserOptions = {}): Promise<{ rows: TradeBillRow[]; summary: TradeBillSummary }> {
  const rows: TradeBillRow[] = [];
  const summary = await readTradeBill(source, row => {
    rows.push(row);
  }, options);
  return { rows, summary };
}

async function refusal(source: BillSource, options: TradeBillParserOptions & { maxLineLength?: number } = {}): Promise<TradeBillError> {
  try {
    await readTradeBill(source, () => undefined, options);
  } catch (err) {
    assert.ok(err instanceof TradeBillError, String(err));
    return err;
  }
  assert.fail('expected a TradeBillError');
}

/** The bytes cut into chunks of `size` bytes, so that boundaries fall inside characters and lines. */
function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** A fixture with one line (1-based) replaced. */
function withLine(name: string, lineNo: number, edit: (line: string) => string): string {
  const lines = text(name).split('\n');
  lines[lineNo - 1] = edit(lines[lineNo - 1]);
  return lines.join('\n');
}

describe('test/lib/bill/trade-bill.test.ts', () => {
  describe('readTradeBill() on published samples', () => {
    it('should read the wxcloudrun sample of WeChat\'s docs: the paid row and the 12 / 0.06 summary', async () => {
      const { rows, summary } = await parse([ fixture('all-wxcloudrun.txt') ]);
      assert.deepEqual(rows, [{
        lineNo: 2,
        tradeTime: new Date('2022-03-21T05:51:31.000Z'),
        appId: 'wxfdc955f7104ad557',
        mchId: '180023671',
        subMchId: '176531292',
        transactionId: '420000612032130748613220688',
        orderNo: '2021WERUN1647840687637',
        tradeType: 'JSAPI',
        status: 'SUCCESS',
        settledAmount: 1,
        orderAmount: 1,
        refundId: '',
        refundNo: '',
        refundAmount: 0,
        requestedRefundAmount: 0,
        refundType: '',
        refundStatus: '',
        fee: '0.00000',
        fee5: 0,
        rate: '0.90%',
        productName: '微信云托管支付测试',
        attach: '',
      }]);
      assert.deepEqual(summary, {
        lineNo: 4,
        count: 12,
        settledTotal: 6,
        refundTotal: 6,
        feeTotal5: 0,
        feeTotal: '0.00000',
        orderTotal: 6,
        requestedRefundTotal: 6,
        rechargeRefundTotal: 0,
        computed: { rows: 1, successRows: 1, refundRows: 0, settledTotal: 1, orderTotal: 1, refundTotal: 0, feeTotal5: 0 },
        // The documentation's sample is an excerpt: one row under a summary of twelve.
        mismatches: [ 'count', 'settledTotal', 'refundTotal', 'orderTotal' ],
      });
    });

    it('should refuse the excerpt with TOTALS_MISMATCH at the summary line when verifyTotals is set', async () => {
      const err = await refusal([ fixture('all-wxcloudrun.txt') ], { verifyTotals: true });
      assert.equal(err.code, 'TOTALS_MISMATCH');
      assert.equal(err.lineNo, 4);
    });

    it('should read a real bill starting with a BOM: a payment, two refunds of it, totals equal to the sums (dax-pay)', async () => {
      assert.equal(fixture('all-daxpay-bom.txt').subarray(0, 3).toString('hex'), 'efbbbf');
      const { rows, summary } = await parse([ fixture('all-daxpay-bom.txt') ], { verifyTotals: true });
      assert.deepEqual(rows.map(row => [ row.lineNo, row.status, row.orderNo, row.transactionId, row.refundNo, row.refundId,
        row.settledAmount, row.orderAmount, row.refundAmount, row.requestedRefundAmount, row.tradeTime.toISOString() ]), [
        [ 2, 'SUCCESS', '1747268229775183872', '4200002086202401160745964084', '', '', 2, 2, 0, 0, '2024-01-16T14:43:59.000Z' ],
        [ 3, 'REFUND', '1747268229775183872', '4200002086202401160745964084', 'R1747268742516264960', '50303108562024011601487282563',
          0, 0, 1, 1, '2024-01-16T14:45:16.000Z' ],
        [ 4, 'REFUND', '1747268229775183872', '4200002086202401160745964084', 'R1747275041228390400', '50303108562024011683774350275',
          0, 0, 1, 1, '2024-01-16T15:10:18.000Z' ],
      ]);
      assert.equal(rows[1].refundType, 'ORIGINAL');
      assert.equal(rows[1].refundStatus, 'SUCCESS');
      assert.equal(rows[0].appId, 'wx9dfe38480f030e85');
      assert.equal(rows[0].productName, '测试支付4');
      assert.deepEqual({ ...summary, computed: undefined }, {
        lineNo: 6, count: 3, settledTotal: 2, refundTotal: 2, feeTotal5: 0, feeTotal: '0.00000', orderTotal: 2,
        requestedRefundTotal: 2, rechargeRefundTotal: 0, computed: undefined, mismatches: [],
      });
      assert.deepEqual(summary.computed, { rows: 3, successRows: 1, refundRows: 2, settledTotal: 2, orderTotal: 2, refundTotal: 2, feeTotal5: 0 });
    });

    it('should read WxJava\'s ALL sample: fee 0.04000, summary fee 0.01000', async () => {
      const { rows, summary } = await parse([ fixture('all-wxj.txt') ]);
      assert.equal(rows.length, 1);
      assert.equal(rows[0].settledAmount, 600);
      assert.equal(rows[0].orderAmount, 600);
      assert.equal(rows[0].fee, '0.04000');
      assert.equal(rows[0].fee5, 4000);
      assert.equal(rows[0].subMchId, '0');
      assert.equal(rows[0].productName, 'XXXXXX');
      assert.equal(rows[0].attach, 'XXXXXXX');
      assert.equal(rows[0].tradeTime.toISOString(), '2019-07-25T00:35:41.000Z');
      assert.deepEqual([ summary.count, summary.settledTotal, summary.refundTotal, summary.feeTotal5, summary.feeTotal,
        summary.orderTotal, summary.requestedRefundTotal ], [ 48, 576, 142, 1000, '0.01000', 576, 142 ]);
    });

    it('should read the 29-column REFUND layout by header names, and its negative fee total -0.02000 (WxJava)', async () => {
      const { rows, summary } = await parse([ fixture('refund-wxj.txt') ]);
      assert.equal(rows.length, 1);
      const [ row ] = rows;
      // By position (ALL layout) 退款金额 would be 商户退款单号 `xxx` and 申请退款金额 the 费率备注.
      assert.deepEqual([ row.status, row.refundId, row.refundNo, row.refundAmount, row.requestedRefundAmount, row.refundType,
        row.refundStatus, row.settledAmount, row.orderAmount, row.fee, row.rate, row.productName, row.attach ],
      [ 'REFUND', 'xxxx', 'xxx', 1, 1, 'ORIGINAL', 'SUCCESS', 0, 0, '0.00000', '0.60%', 'xxxx', 'xxxx' ]);
      assert.equal(row.tradeTime.toISOString(), '2019-07-23T12:53:36.000Z');
      assert.equal(summary.feeTotal5, -2000);
      assert.equal(summary.feeTotal, '-0.02000');
      assert.deepEqual([ summary.count, summary.settledTotal, summary.refundTotal, summary.orderTotal, summary.requestedRefundTotal ],
        [ 4, 0, 202, 0, 202 ]);
    });

    it('should read the 20-column SUCCESS layout with its 7-column summary (WxJava)', async () => {
      const { rows, summary } = await parse([ fixture('success-wxj.txt') ]);
      assert.equal(rows.length, 1);
      assert.deepEqual([ rows[0].settledAmount, rows[0].orderAmount, rows[0].refundId, rows[0].refundNo, rows[0].refundAmount,
        rows[0].requestedRefundAmount, rows[0].refundStatus, rows[0].productName, rows[0].attach ],
      [ 1, 1, '', '', 0, undefined, '', 'XXX', 'XXXX' ]);
      assert.deepEqual([ summary.count, summary.settledTotal, summary.refundTotal, summary.feeTotal5, summary.orderTotal ],
        [ 31, 305, 0, 2000, 305 ]);
    });

    it('should read the SUCCESS layout with the 4-column summary of the documentation', async () => {
      const lines = text('success-wxj.txt').split('\n').slice(0, 2);
      const bill = [ ...lines, '总交易单数,应结订单总金额,手续费总金额,订单总金额', '`31,`3.05,`0.02000,`3.05' ].join('\n');
      const { summary } = await parse([ bill ]);
      assert.deepEqual([ summary.count, summary.settledTotal, summary.refundTotal, summary.feeTotal, summary.orderTotal,
        summary.requestedRefundTotal, summary.rechargeRefundTotal ], [ 31, 305, 0, '0.02000', 305, undefined, undefined ]);
    });

    it('should read the summary by its header whatever the order of its columns', async () => {
      const lines = text('all-daxpay-bom.txt').split('\n');
      lines[4] = '手续费总金额,退款总金额,总交易单数,应结订单总金额';
      lines[5] = '`0.00000,`0.02,`3,`0.02';
      const { summary } = await parse([ lines.join('\n') ], { verifyTotals: true });
      assert.deepEqual([ summary.count, summary.settledTotal, summary.refundTotal, summary.feeTotal, summary.orderTotal ],
        [ 3, 2, 2, '0.00000', undefined ]);
    });
  });

  describe('readTradeBill() on the hand-written bill', () => {
    it('should keep commas inside 商品名称 and 商户数据包, read 1234.50 and the refund row\'s negative fee', async () => {
      const { rows, summary } = await parse([ fixture('all-handmade.txt') ], { verifyTotals: true });
      assert.equal(rows.length, 3);
      assert.equal(rows[0].productName, '拿铁,大杯,少冰');
      assert.equal(rows[0].attach, 'table=A3,seat=2');
      assert.deepEqual([ rows[0].settledAmount, rows[0].orderAmount, rows[0].fee, rows[0].fee5, rows[0].rate ], [ 1230, 1230, '0.07380', 7380, '0.60%' ]);
      assert.equal(rows[0].tradeTime.toISOString(), '2026-11-30T01:15:02.000Z');
      assert.equal(rows[1].productName, '测试🍵');
      assert.equal(rows[1].settledAmount, 1);
      assert.equal(rows[1].tradeTime.toISOString(), '2026-11-30T15:59:59.000Z');
      assert.deepEqual(rows[2], {
        lineNo: 4,
        // 00:00:00 Beijing is still the previous day in UTC.
        tradeTime: new Date('2026-11-29T16:00:00.000Z'),
        appId: 'wx0a1b2c3d4e5f6a7b',
        mchId: '1900000109',
        subMchId: '0',
        transactionId: '4200002345202611290011112222',
        orderNo: 'WXM20261129000042',
        tradeType: 'JSAPI',
        status: 'REFUND',
        settledAmount: 0,
        orderAmount: 0,
        refundId: '50300908562026113012345678901',
        refundNo: 'RWXM2026113000000001',
        refundAmount: 123450,
        requestedRefundAmount: 123450,
        refundType: 'ORIGINAL',
        refundStatus: 'PROCESSING',
        fee: '-7.40700',
        fee5: -740700,
        rate: '0.60%',
        productName: '整单,退款',
        attach: '',
      });
      assert.deepEqual({ ...summary, computed: undefined }, {
        lineNo: 6, count: 3, settledTotal: 1231, refundTotal: 123450, feeTotal5: -733320, feeTotal: '-7.33320', orderTotal: 1231,
        requestedRefundTotal: 123450, rechargeRefundTotal: 0, computed: undefined, mismatches: [],
      });
      assert.deepEqual(summary.computed, { rows: 3, successRows: 2, refundRows: 1, settledTotal: 1231, orderTotal: 1231, refundTotal: 123450, feeTotal5: -733320 });
    });

    it('should read CRLF line breaks, a BOM and trailing empty lines as the plain file', async () => {
      const plain = await parse([ fixture('all-handmade.txt') ]);
      const crlf = '\uFEFF' + text('all-handmade.txt').replace(/\n/g, '\r\n') + '\r\n\n';
      assert.ok(crlf.includes('\r\n'));
      assert.deepEqual(await parse([ crlf ]), plain);
    });

    it('should read 1-byte chunks (boundaries inside every character and line break) as one chunk', async () => {
      const bytes = Buffer.from('\uFEFF' + text('all-handmade.txt').replace(/\n/g, '\r\n'), 'utf8');
      const whole = await parse([ bytes ]);
      assert.deepEqual(await parse(chunks(bytes, 1)), whole);
      assert.deepEqual(await parse(chunks(bytes, 7)), whole);
      assert.equal(whole.rows[1].productName, '测试🍵');
      assert.equal(whole.summary.feeTotal, '-7.33320');
    });

    it('should reassemble a character split between two chunks of an async source', async () => {
      const bytes = fixture('all-handmade.txt');
      const at = bytes.indexOf(Buffer.from('拿'));
      const tea = bytes.indexOf(Buffer.from('🍵'));
      assert.ok(at > 0 && tea > at);
      async function* source() {
        yield bytes.subarray(0, at + 1);
        yield bytes.subarray(at + 1, tea + 2);
        yield bytes.subarray(tea + 2);
      }
      const { rows } = await parse(source());
      assert.equal(rows[0].productName, '拿铁,大杯,少冰');
      assert.equal(rows[1].productName, '测试🍵');
    });
  });

  describe('readTradeBill() refusals', () => {
    it('should refuse the legacy 24-column layout with LEGACY_LAYOUT', async () => {
      const err = await refusal([ fixture('legacy-wxj.txt') ]);
      assert.equal(err.code, 'LEGACY_LAYOUT');
      assert.equal(err.lineNo, 1);
      assert.match(err.message, /24-column/);
    });

    it('should refuse an XML (v2) or JSON (v3) error reply, HTML, GZIP bytes and other text with NOT_A_BILL', async () => {
      const bodies: Array<string | Buffer> = [
        '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[No Bill Exist]]></return_msg><error_code><![CDATA[20002]]></error_code></xml>',
        '{"code":"NO_STATEMENT_EXIST","message":"请求的账单文件不存在"}',
        '\n  <html><body>502 Bad Gateway</body></html>\n',
        gzipSync(fixture('all-handmade.txt')),
        'No Bill Exist',
      ];
      for (const body of bodies) {
        const err = await refusal([ body ]);
        assert.equal(err.code, 'NOT_A_BILL', String(body).slice(0, 40));
      }
      assert.match((await refusal([ bodies[0] ])).message, /No Bill Exist/);
    });

    it('should refuse a detail line with another number of values than the header, with its line number', async () => {
      const missing = await refusal([ withLine('all-handmade.txt', 3, line => line.replace('`0.01,`0.00,`0,', '`0.01,`0,')) ]);
      assert.equal(missing.code, 'COLUMN_COUNT');
      assert.equal(missing.lineNo, 3);
      assert.match(missing.message, /26 values/);
      const extra = await refusal([ withLine('all-handmade.txt', 2, line => `${line},\``) ]);
      assert.equal(extra.code, 'COLUMN_COUNT');
      assert.equal(extra.lineNo, 2);
      // ",`" inside a value cannot be told from a separator: refused, not misread.
      const ambiguous = await refusal([ withLine('all-handmade.txt', 2, line => line.replace('拿铁,大杯', '拿铁,`大杯')) ]);
      assert.equal(ambiguous.code, 'COLUMN_COUNT');
      assert.equal(ambiguous.lineNo, 2);
    });

    it('should refuse a summary line with another number of values than its header', async () => {
      const err = await refusal([ withLine('all-handmade.txt', 6, line => line.slice(0, line.lastIndexOf(',`'))) ]);
      assert.equal(err.code, 'COLUMN_COUNT');
      assert.equal(err.lineNo, 6);
    });

    it('should refuse a bill without its summary with SUMMARY_MISSING', async () => {
      const lines = text('all-handmade.txt').split('\n');
      for (const cut of [ 4, 5 ]) {
        const err = await refusal([ lines.slice(0, cut).join('\n') + '\n' ]);
        assert.equal(err.code, 'SUMMARY_MISSING', `cut after ${cut} lines`);
        assert.equal(err.lineNo, 0);
      }
      assert.equal((await refusal([])).code, 'SUMMARY_MISSING');
    });

    it('should refuse a summary cut short inside its last amount (2 decimals required)', async () => {
      const bill = text('all-handmade.txt').trimEnd();
      const err = await refusal([ bill.slice(0, -3) ]);
      assert.equal(err.code, 'VALUE_INVALID');
      assert.equal(err.lineNo, 6);
    });

    it('should refuse a summary header without 退款总金额 under details that have refund columns', async () => {
      const err = await refusal([ withLine('all-handmade.txt', 5, () => '总交易单数,应结订单总金额,手续费总金额,订单总金额') ]);
      assert.equal(err.code, 'SUMMARY_INVALID');
      assert.equal(err.lineNo, 5);
    });

    it('should refuse a non-empty line after the summary with TRAILING_DATA', async () => {
      const err = await refusal([ text('all-handmade.txt') + '`1,`0.01\n' ]);
      assert.equal(err.code, 'TRAILING_DATA');
      assert.equal(err.lineNo, 7);
    });

    it('should refuse malformed amounts, fees, times and lines without the backtick with VALUE_INVALID and the line', async () => {
      const cases: Array<[ number, (line: string) => string, RegExp ]> = [
        [ 2, line => line.replace('`12.30,`0.00,', '`12.3,`0.00,'), /应结订单金额/ ],
        [ 2, line => line.replace('`0.60%,`12.30,', '`0.60%,`1e3,'), /订单金额/ ],
        [ 4, line => line.replace('`-7.40700', '`-7.407'), /手续费/ ],
        [ 2, line => line.replace('2026-11-30 09:15:02', '2026-02-30 09:15:02'), /交易时间/ ],
        [ 2, line => line.replace('2026-11-30 09:15:02', '2026/11/30 09:15:02'), /交易时间/ ],
        [ 3, line => line.slice(1), /backtick/ ],
        [ 4, line => line.replace('`50300908562026113012345678901', '`0'), /REFUND row/ ],
      ];
      for (const [ lineNo, edit, message ] of cases) {
        const err = await refusal([ withLine('all-handmade.txt', lineNo, edit) ]);
        assert.equal(err.code, 'VALUE_INVALID', String(message));
        assert.equal(err.lineNo, lineNo);
        assert.match(err.message, message);
      }
    });

    it('should refuse a detail header lacking, repeating or half-having columns with HEADER_INVALID', async () => {
      const cases = [
        ALL_HEADER.replace('商户订单号', '订单号'),
        ALL_HEADER.replace('设备号', '商户号'),
        ALL_HEADER.replace(',退款状态', ''),
        '`' + ALL_HEADER,
      ];
      for (const header of cases) {
        const err = await refusal([ withLine('all-handmade.txt', 1, () => header) ]);
        assert.equal(err.code, 'HEADER_INVALID', header.slice(0, 30));
        assert.equal(err.lineNo, 1);
      }
    });

    it('should refuse a REFUND row in a layout without refund columns', async () => {
      const err = await refusal([ withLine('success-wxj.txt', 2, line => line.replace('`SUCCESS', '`REFUND')) ]);
      assert.equal(err.code, 'VALUE_INVALID');
      assert.equal(err.lineNo, 2);
    });

    it('should refuse a line longer than maxLineLength with LINE_TOO_LONG and its line number', async () => {
      // The header has 147 characters, line 2 has 258.
      const err = await refusal([ fixture('all-handmade.txt') ], { maxLineLength: 200 });
      assert.equal(err.code, 'LINE_TOO_LONG');
      assert.equal(err.lineNo, 2);
    });

    it('should stop reading an endless source without line breaks instead of growing', async () => {
      let read = 0;
      function* endless() {
        for (;;) {
          read++;
          yield Buffer.alloc(64 * 1024, 0x41);
        }
      }
      const err = await refusal(endless());
      assert.equal(err.code, 'LINE_TOO_LONG');
      assert.equal(err.lineNo, 1);
      assert.equal(read, 2);
    });
  });

  describe('readTradeBill() with its consumer', () => {
    it('should await onRow before reading the next row (backpressure)', async () => {
      let busy = false;
      const seen: number[] = [];
      await readTradeBill([ fixture('all-handmade.txt') ], async row => {
        assert.equal(busy, false, 'onRow called again before the previous one finished');
        busy = true;
        await tick();
        seen.push(row.lineNo);
        busy = false;
      });
      assert.deepEqual(seen, [ 2, 3, 4 ]);
    });

    it('should reject with onRow\'s error and close the source', async () => {
      let closed = false;
      let yielded = 0;
      async function* source() {
        try {
          for (const line of text('all-handmade.txt').split('\n')) {
            yielded++;
            yield `${line}\n`;
          }
        } finally {
          closed = true;
        }
      }
      const boom = new Error('database down');
      await assert.rejects(readTradeBill(source(), () => {
        throw boom;
      }), err => err === boom);
      assert.equal(closed, true);
      assert.equal(yielded, 2);
    });

    it('should parse 100k generated rows with a heap that does not grow with the row count', async function() {
      this.timeout(120_000);
      const gc = collector();
      const rowCount = 100_000;
      async function* generated() {
        yield Buffer.from(ALL_HEADER + '\n');
        let batch: string[] = [];
        for (let i = 1; i <= rowCount; i++) {
          const n = String(i).padStart(8, '0');
          batch.push(`\`2026-11-30 12:00:00,\`wx0a1b2c3d4e5f6a7b,\`1900000109,\`0,\`,\`420000234520261130${n},\`WXM2026113${n},` +
            '`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`OTHERS,`CNY,`1.00,`0.00,`0,`0,`0.00,`0.00,`,`,' +
            `\`商品,编号${n},\`,\`0.00600,\`0.60%,\`1.00,\`0.00,\``);
          if (batch.length === 1000) {
            yield Buffer.from(batch.join('\n') + '\n');
            batch = [];
          }
        }
        yield Buffer.from(SUMMARY_HEADER + '\n`100000,`100000.00,`0.00,`0.00,`600.00000,`100000.00,`0.00\n');
      }
      let rows = 0;
      let heapAtStart = 0;
      let heapAtEnd = 0;
      const summary = await readTradeBill(generated(), row => {
        rows++;
        assert.equal(row.settledAmount, 100);
        if (rows === 10_000) {
          gc();
          heapAtStart = process.memoryUsage().heapUsed;
        } else if (rows === rowCount) {
          gc();
          heapAtEnd = process.memoryUsage().heapUsed;
        }
      }, { verifyTotals: true });
      assert.equal(rows, rowCount);
      assert.deepEqual([ summary.count, summary.settledTotal, summary.orderTotal, summary.feeTotal5, summary.feeTotal, summary.mismatches ],
        [ 100000, 10000000, 10000000, 60000000, '600.00000', []]);
      // 90k more rows kept would be tens of megabytes; a streaming parser
      // stays within noise of where it was.
      const growth = heapAtEnd - heapAtStart;
      assert.ok(growth < 4 * 1024 * 1024, `heap grew by ${growth} bytes over 90000 rows`);
    });
  });

  describe('TradeBillParser', () => {
    it('should return a row for detail lines only, and the summary from finish()', () => {
      const parser = new TradeBillParser();
      const results = text('all-wxcloudrun.txt').split('\n').map(line => parser.push(line));
      assert.deepEqual(results.map(row => row?.orderNo), [ undefined, '2021WERUN1647840687637', undefined, undefined, undefined ]);
      assert.equal(parser.linesRead, 5);
      assert.equal(parser.finish().count, 12);
    });

    it('should throw SUMMARY_MISSING from finish() before the summary, TOTALS_MISMATCH at the summary with verifyTotals', () => {
      const lines = text('all-wxcloudrun.txt').split('\n');
      const early = new TradeBillParser();
      lines.slice(0, 3).forEach(line => early.push(line));
      assert.throws(() => early.finish(), (err: unknown) => err instanceof TradeBillError && err.code === 'SUMMARY_MISSING');
      const strict = new TradeBillParser({ verifyTotals: true });
      lines.slice(0, 3).forEach(line => strict.push(line));
      assert.throws(() => strict.push(lines[3]), (err: unknown) => err instanceof TradeBillError && err.code === 'TOTALS_MISMATCH' && err.lineNo === 4);
    });

    it('should tolerate a trailing \\r on pushed lines', () => {
      const parser = new TradeBillParser({ verifyTotals: true });
      for (const line of text('all-daxpay-bom.txt').split('\n')) parser.push(`${line}\r`);
      assert.equal(parser.finish().settledTotal, 2);
    });
  });

  describe('splitLines()', () => {
    async function collect(source: BillSource): Promise<string[]> {
      const lines: string[] = [];
      for await (const line of splitLines(source)) lines.push(line);
      return lines;
    }

    it('should split on \\n and \\r\\n, keep empty lines, and need no final line break', async () => {
      assert.deepEqual(await collect([ 'a\r\nb', '\nc\r', '\n\nd' ]), [ 'a', 'b', 'c', '', 'd' ]);
      assert.deepEqual(await collect([ 'a\n' ]), [ 'a' ]);
      assert.deepEqual(await collect([]), []);
    });

    it('should decode a character split across Buffer chunks, even when a string chunk follows', async () => {
      const tea = Buffer.from('🍵');
      assert.deepEqual(await collect([ tea.subarray(0, 1), tea.subarray(1, 3), tea.subarray(3), 'x\n拿' ]), [ '🍵x', '拿' ]);
      const na = Buffer.from('拿');
      assert.deepEqual(await collect([ na.subarray(0, 2), na.subarray(2) ]), [ '拿' ]);
    });
  });

  describe('splitBillValues() and parseBillTime()', () => {
    it('should strip the first backtick and split on ",`" only, keeping the trailing empty value', () => {
      assert.deepEqual(splitBillValues('`a,b,`,`c`d,`'), [ 'a,b', '', 'c`d', '' ]);
      assert.equal(splitBillValues('a,`b'), undefined);
    });

    it('should read yyyy-MM-dd HH:mm:ss as Beijing time', () => {
      assert.equal(parseBillTime('2026-01-01 00:00:00')?.toISOString(), '2025-12-31T16:00:00.000Z');
      assert.equal(parseBillTime('2026-11-30 23:59:59')?.toISOString(), '2026-11-30T15:59:59.000Z');
      assert.equal(parseBillTime('2024-02-29 08:00:00')?.toISOString(), '2024-02-29T00:00:00.000Z');
      assert.equal(parseBillTime('2014-11-10 16：33：45')?.toISOString(), '2014-11-10T08:33:45.000Z');
    });

    it('should refuse impossible or differently written times', () => {
      for (const bad of [ '2026-02-30 10:00:00', '2025-02-29 10:00:00', '2026-11-30 24:00:00', '2026-11-30 10:60:00',
        '2026-11-30T10:00:00', '2026-11-30 10:00', '2016-05-04  02:18:18', '2026-11-30 10:00:00+08:00', '' ]) {
        assert.equal(parseBillTime(bad), undefined, bad);
      }
    });
  });
});

/** The garbage collector, exposed at run time when node was not started with --expose-gc. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
