import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { app, mock } from 'egg-mock/bootstrap';
import { beijingDateOf } from '../../../app/lib/bill-day';
import type { TradeBillDownload } from '../../../app/lib/wxpay/gateway';
import { ALL_DETAIL_HEADER, ALL_SUMMARY_HEADER } from '../../../sandbox/wechat/trade-bill';
import { clearBillTables } from '../bill-fixtures';

/**
 * The daily bill at scale: BILL_SCALE_ROWS paid orders here and the same
 * payments in a gzip bill, reconciled end to end (staging, SQL comparison,
 * totals). Skipped unless BILL_SCALE_ROWS is set, e.g.
 *   BILL_SCALE_ROWS=1000000 DATABASE_URL=mysql://root@127.0.0.1:3306/db npm test -- test/app/service/bill_reconciliation_scale.test.ts
 * It prints the time and the peak RSS; the design targets are 120 s and 256 MB at a million rows.
 */
const ROWS = Number(process.env.BILL_SCALE_ROWS ?? 0);
const MISMATCHED = 10;
const ORDER_BATCH = 1000;

const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
const orderNo = (i: number) => `S${String(i).padStart(12, '0')}`;
const transactionId = (i: number) => `42000${String(i).padStart(23, '0')}`;

(ROWS > 0 ? describe : describe.skip)('test/app/service/bill_reconciliation_scale.test.ts', function() {
  this.timeout(30 * 60_000);
  const date = beijingDateOf(new Date());
  let dir: string;
  let bill: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bill-scale-'));
    bill = path.join(dir, 'bill.gz');
    const gzip = createGzip();
    const out = gzip.pipe(createWriteStream(bill));
    const write = async (line: string) => {
      if (!gzip.write(`${line}\n`)) await once(gzip, 'drain');
    };
    const paidAt = new Date(Date.now() - 60_000);
    const time = new Date(paidAt.getTime() + 8 * 3600_000).toISOString().slice(0, 19)
      .replace('T', ' ');
    await write(ALL_DETAIL_HEADER);
    for (let i = 0; i < ROWS; i++) {
      const amount = 100 + (i % 5000);
      // A few rows report another amount than the order: AMOUNT_MISMATCH.
      const billed = i < MISMATCHED ? amount + 1 : amount;
      await write([ time, 'wxsandbox', '1900000001', '0', '', transactionId(i), orderNo(i), 'openid', 'JSAPI', 'SUCCESS', 'OTHERS', 'CNY',
        yuan(billed), '0.00', '0', '0', '0.00', '0.00', '', '', 'Latte', '', '0.00000', '0.60%', yuan(billed), '0.00', '' ]
        .map(value => `\`${value}`).join(','));
    }
    await write(ALL_SUMMARY_HEADER);
    gzip.end(`\`${ROWS},\`0.00,\`0.00,\`0.00,\`0.00000,\`0.00,\`0.00`);
    await once(out, 'close');

  });

  after(async () => {
    await app.model.query('DELETE FROM orders');
    await clearBillTables(app);
    await rm(dir, { recursive: true, force: true });
  });

  it(`should reconcile ${ROWS} rows in bounded memory`, async () => {
    // Here, not in before(): test/.setup.ts empties the tables before each test.
    const paidAt = new Date(Date.now() - 60_000);
    await clearBillTables(app);
    await app.model.query('DELETE FROM orders');
    const user = await app.model.User.create({ openid: 'oSCALEopenid' } as any);
    for (let start = 0; start < ROWS; start += ORDER_BATCH) {
      const values: string[] = [];
      const params: unknown[] = [];
      for (let i = start; i < Math.min(ROWS, start + ORDER_BATCH); i++) {
        values.push('(?, ?, ?, \'Latte\', \'PAID\', ?, ?, ?, ?, ?)');
        params.push(orderNo(i), user.id, 100 + (i % 5000), transactionId(i), paidAt, paidAt, paidAt, paidAt);
      }
      await app.model.query(`INSERT INTO orders (order_no, user_id, amount, description, status, transaction_id, paid_at, expires_at, created_at, updated_at) VALUES ${values.join(', ')}`,
        { replacements: params });
    }
    // WeChat's side is this file; everything after the download is the service's own.
    const gateway = app.mockContext().service.wechatPay.gateway;
    mock(Object.getPrototypeOf(gateway), 'downloadTradeBill', async (_date: string, file: string): Promise<TradeBillDownload> => {
      await copyFile(bill, file);
      return { state: 'READY', gzip: true };
    });
    const baseline = process.memoryUsage();
    let peak = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const sampler = setInterval(() => {
      const usage = process.memoryUsage();
      peak = Math.max(peak, usage.rss);
      peakHeap = Math.max(peakHeap, usage.heapUsed);
    }, 100);
    const started = Date.now();
    try {
      const day = await app.mockContext().service.billReconciliation.runNow(date, 'scale-test');
      const seconds = (Date.now() - started) / 1000;
      const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
      // The test process also holds mocha, the sandbox and the fixtures: the growth during the run is what the run costs.
      console.log(`[scale] ${ROWS} rows: ${seconds.toFixed(1)} s, RSS ${mb(baseline.rss)} before, peak ${mb(peak)}; `
        + `heap ${mb(baseline.heapUsed)} before, peak ${mb(peakHeap)}; status ${day.status}, discrepancies ${day.discrepancyCount}`);
      assert.equal(day.status, 'DONE', day.failure ?? '');
      assert.equal(day.bill!.count, ROWS);
      assert.equal(day.local!.count, ROWS);
      assert.equal(day.discrepancyCount, MISMATCHED);
    } finally {
      clearInterval(sampler);
    }
  });
});
