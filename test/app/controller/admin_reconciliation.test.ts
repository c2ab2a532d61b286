import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { app, mock } from 'egg-mock/bootstrap';
import { addBillRow, billDate, billText, resetBills, setBillAmount, setBillDay } from '../../support/bills';
import { bearer } from '../../support/client';
import { pendingOrder } from '../../support/orders';
import { injectFault } from '../../support/refunds';
import { about, billSummary, clearBillTables, getDay, paidWithoutNotify, runDay } from '../bill-fixtures';
import { customerView, operatorToken, paidOrder, requestRefund } from '../refund-fixtures';
import { beijingDayBounds, previousBeijingDate } from '../../../app/lib/bill-day';
import { staffToken } from '../staff-accounts';
import { appOrigin, WechatRelay } from '../wechat-relay';

// One latte: 2600 fen.
const LATTE = 2600;
let sequence = 0;

/** Talks to WeChat Pay in `version` for one test (v3 payments notify the v3 URL). */
function useVersion(version: 'v2' | 'v3'): void {
  if (version === 'v2') return;
  mock(app.config.wxpay, 'apiVersion', 'v3');
  mock(app.config.wxpay, 'notifyUrl', app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify$/, '/api/pay/notify/v3'));
}

/** An out_trade_no WeChat's bill may name that we never made. */
function strangerOrderNo(): string {
  sequence += 1;
  return `X${Date.now().toString(36)}${sequence}`;
}

describe('test/app/controller/admin_reconciliation.test.ts', () => {
  // Sandbox trades are dated by their real success time: the tests reconcile today's Beijing bill.
  const today = billDate();
  let operator: string;

  beforeEach(async () => {
    await clearBillTables(app);
    await resetBills(app);
    operator = await operatorToken(app);
  });

  /** Runs today and answers the day object (status 200). */
  async function runToday() {
    return (await runDay(app, operator, today).expect(200)).body;
  }

  ([ 'v2', 'v3' ] as const).forEach(version => {
    describe(`every kind of discrepancy (${version})`, () => {
      beforeEach(() => useVersion(version));

      it('should report a payment of an order we do not know as MISSING_LOCALLY, with the bill\'s amount', async () => {
        const orderNo = strangerOrderNo();
        const row = await addBillRow(app, { date: today, kind: 'PAYMENT', orderNo, amount: 1234 });
        const day = await runToday();
        assert.equal(day.status, 'DONE');
        assert.equal(day.runBy, 'olga');
        assert.deepEqual(about(day, orderNo), [{
          kind: 'MISSING_LOCALLY', orderNo, refundNo: null, transactionId: row.transactionId,
          billAmount: 1234, localAmount: null, resolved: false, detail: 'a payment in the bill whose order is not ours',
        }]);
      });

      it('should settle a PENDING order the bill shows paid through a verified order query (PENDING_LOCALLY, resolved)', async () => {
        const order = await paidWithoutNotify(app);
        assert.equal((await customerView(app, order)).status, 'PENDING');
        const day = await runToday();
        const [ found ] = about(day, order.orderNo);
        assert.equal(found.kind, 'PENDING_LOCALLY');
        assert.equal(found.resolved, true);
        assert.equal(found.billAmount, LATTE);
        assert.equal(found.localAmount, LATTE);
        assert.equal(found.transactionId, order.transactionId);
        const view = await customerView(app, order);
        assert.equal(view.status, 'PAID');
        assert.equal(view.transactionId, order.transactionId);
        // Settled by the query: its audit row says so.
        const events = await app.model.PaymentEvent.findAll({ where: { orderNo: order.orderNo, outcome: 'PAID' } });
        assert.deepEqual(events.map(e => e.source), [ 'query' ]);
      });

      it('should refund a payment of a CLOSED order automatically (CLOSED_LOCALLY, resolved), once however often it is run', async () => {
        const order = await pendingOrder(app, 'payer');
        // Never prepaid: closed here alone.
        await app.httpRequest().post(`/api/orders/${order.orderNo}/close`).set('authorization', bearer(order.token))
          .expect(200);
        const row = await addBillRow(app, { date: today, kind: 'PAYMENT', orderNo: order.orderNo, amount: LATTE });
        const first = await runToday();
        assert.deepEqual(about(first, order.orderNo), [{
          kind: 'CLOSED_LOCALLY', orderNo: order.orderNo, refundNo: `A${row.transactionId}`, transactionId: row.transactionId,
          billAmount: LATTE, localAmount: LATTE, resolved: true, detail: 'refunded automatically',
        }]);
        const again = await runToday();
        assert.equal(about(again, order.orderNo)[0].detail, 'already refunded automatically');
        assert.equal(about(again, order.orderNo)[0].resolved, true);
        const refunds = await app.model.Refund.findAll({ where: { orderNo: order.orderNo } });
        assert.deepEqual(refunds.map(r => [ r.refundNo, r.transactionId, r.amount, r.createdBy, r.ownTransaction ]),
          [[ `A${row.transactionId}`, row.transactionId, LATTE, 'system', false ]]);
        assert.equal((await customerView(app, order)).status, 'CLOSED');
      });

      it('should refund another transaction of a paid order automatically (OTHER_TRANSACTION), never twice, leaving the order as it is', async () => {
        const order = await paidOrder(app);
        const other = await addBillRow(app, { date: today, kind: 'PAYMENT', orderNo: order.orderNo, amount: LATTE });
        assert.notEqual(other.transactionId, order.transactionId);
        await runToday();
        const day = await runToday();
        assert.deepEqual(about(day, order.orderNo), [{
          kind: 'OTHER_TRANSACTION', orderNo: order.orderNo, refundNo: `A${other.transactionId}`, transactionId: other.transactionId,
          billAmount: LATTE, localAmount: LATTE, resolved: true, detail: 'already refunded automatically',
        }]);
        const refunds = await app.model.Refund.findAll({ where: { transactionId: other.transactionId } });
        assert.equal(refunds.length, 1);
        const view = await customerView(app, order);
        assert.equal(view.status, 'PAID');
        assert.equal(view.refundedAmount, 0);
      });

      it('should only list a CLOSED_LOCALLY payment, unresolved, with AUTO_REFUND=false', async () => {
        mock(app.config.wxpay, 'autoRefund', false);
        const order = await pendingOrder(app, 'payer');
        await app.httpRequest().post(`/api/orders/${order.orderNo}/close`).set('authorization', bearer(order.token))
          .expect(200);
        await addBillRow(app, { date: today, kind: 'PAYMENT', orderNo: order.orderNo, amount: LATTE });
        const [ found ] = about(await runToday(), order.orderNo);
        assert.equal(found.kind, 'CLOSED_LOCALLY');
        assert.equal(found.resolved, false);
        assert.equal(found.refundNo, null);
        assert.equal(await app.model.Refund.count({ where: { orderNo: order.orderNo } }), 0);
      });

      it('should report another amount as AMOUNT_MISMATCH, keeping both amounts', async () => {
        const order = await paidOrder(app);
        await setBillAmount(app, { orderNo: order.orderNo }, LATTE - 100);
        assert.deepEqual(about(await runToday(), order.orderNo), [{
          kind: 'AMOUNT_MISMATCH', orderNo: order.orderNo, refundNo: null, transactionId: order.transactionId,
          billAmount: LATTE - 100, localAmount: LATTE, resolved: false, detail: 'the bill and the order disagree on the amount',
        }]);
      });

      it('should report an order PAID here that day but absent from the bill as MISSING_IN_BILL', async () => {
        const order = await pendingOrder(app, 'payer');
        // A payment WeChat never made (a forged or misrouted notify would leave this).
        await app.model.Order.update({ status: 'PAID', transactionId: '4200009999999999', paidAt: new Date() } as any,
          { where: { orderNo: order.orderNo } });
        assert.deepEqual(about(await runToday(), order.orderNo), [{
          kind: 'MISSING_IN_BILL', orderNo: order.orderNo, refundNo: null, transactionId: '4200009999999999',
          billAmount: null, localAmount: LATTE, resolved: false, detail: 'paid here that day, absent from the bill',
        }]);
      });

      it('should import a refund made in the merchant platform (REFUND_MISSING_LOCALLY, resolved)', async () => {
        const order = await paidOrder(app);
        const row = await addBillRow(app, {
          date: today, kind: 'REFUND', orderNo: order.orderNo, amount: 600, transactionId: order.transactionId,
        });
        const found = about(await runToday(), order.orderNo);
        assert.deepEqual(found, [{
          kind: 'REFUND_MISSING_LOCALLY', orderNo: order.orderNo, refundNo: row.refundNo, transactionId: order.transactionId,
          billAmount: 600, localAmount: null, resolved: true, detail: 'imported as a merchant-platform refund',
        }]);
        const refund = await app.model.Refund.findOne({ where: { refundNo: row.refundNo! } });
        assert.equal(refund!.createdBy, 'merchant-platform');
        assert.equal(refund!.amount, 600);
        assert.equal(refund!.wechatRefundId, row.refundId);
        // Imported once: a re-run finds it known.
        assert.deepEqual(about(await runToday(), order.orderNo), []);
      });

      it('should not import a bill refund of an order that is not ours (REFUND_MISSING_LOCALLY, unresolved)', async () => {
        const orderNo = strangerOrderNo();
        await addBillRow(app, { date: today, kind: 'REFUND', orderNo, amount: 300 });
        const [ found ] = about(await runToday(), orderNo);
        assert.equal(found.kind, 'REFUND_MISSING_LOCALLY');
        assert.equal(found.resolved, false);
        assert.equal(await app.model.Refund.count(), 0);
      });

      it('should report a refund accepted that day but absent from the bill as REFUND_MISSING_IN_BILL', async () => {
        const order = await paidOrder(app);
        await app.model.Refund.create({
          refundNo: 'RNEVERATWECHAT1', orderNo: order.orderNo, transactionId: order.transactionId, ownTransaction: true,
          amount: 500, transactionTotal: LATTE, status: 'PROCESSING' as any, reason: null, createdBy: 'olga', acceptedAt: new Date(),
        });
        assert.deepEqual(about(await runToday(), order.orderNo), [{
          kind: 'REFUND_MISSING_IN_BILL', orderNo: order.orderNo, refundNo: 'RNEVERATWECHAT1', transactionId: order.transactionId,
          billAmount: null, localAmount: 500, resolved: false, detail: 'accepted by WeChat that day by our records, absent from the bill',
        }]);
      });

      it('should report another refund amount as REFUND_AMOUNT_MISMATCH, keeping both amounts', async () => {
        const order = await paidOrder(app);
        const refund = await requestRefund(app, operator, order.orderNo, { amount: 1000 }).expect(201);
        await setBillAmount(app, { refundNo: refund.body.refundNo }, 900);
        assert.deepEqual(about(await runToday(), order.orderNo), [{
          kind: 'REFUND_AMOUNT_MISMATCH', orderNo: order.orderNo, refundNo: refund.body.refundNo, transactionId: order.transactionId,
          billAmount: 900, localAmount: 1000, resolved: false, detail: 'the bill and the refund disagree on the amount',
        }]);
      });

      it('should keep the bill\'s summary and our totals exactly, and find nothing about orders that match', async () => {
        const first = await paidOrder(app);
        const second = await paidOrder(app, 2);
        await requestRefund(app, operator, second.orderNo, { amount: 700 }).expect(201);
        const text = await billText(app, today);
        const day = await runToday();
        assert.deepEqual(day.bill, billSummary(text!));
        assert.match(day.bill.feeTotal, /^-?\d+\.\d{5}$/);
        // Two payments and one refund accepted today, in fen.
        assert.deepEqual(day.local, { count: 3, settledTotal: LATTE * 3, refundTotal: 700 });
        assert.deepEqual(about(day, first.orderNo), []);
        assert.deepEqual(about(day, second.orderNo), []);
        assert.equal(day.startedAt !== null && day.finishedAt !== null && day.startedAt <= day.finishedAt, true);
      });

      it('should replace a day\'s discrepancies when it is run again', async () => {
        const orderNo = strangerOrderNo();
        await addBillRow(app, { date: today, kind: 'PAYMENT', orderNo, amount: 100 });
        const first = await runToday();
        const second = await runToday();
        assert.equal(about(second, orderNo).length, 1);
        assert.equal(second.discrepancyCount, first.discrepancyCount);
        assert.equal(await app.model.BillDiscrepancy.count({ where: { orderNo } }), 1);
        // Staging rows do not outlive the run.
        assert.equal(await app.model.BillRow.count(), 0);
      });
    });

    describe(`when there is no bill (${version})`, () => {
      beforeEach(() => useVersion(version));

      it('should make an empty day EMPTY, still finding our payments absent from it', async () => {
        const order = await paidOrder(app);
        await setBillDay(app, today, 'EMPTY');
        const day = await runToday();
        assert.equal(day.status, 'EMPTY');
        assert.deepEqual(day.bill, { count: 0, settledTotal: 0, refundTotal: 0, feeTotal: '0.00000' });
        assert.deepEqual(day.local, { count: 1, settledTotal: LATTE, refundTotal: 0 });
        assert.deepEqual(about(day, order.orderNo).map(d => d.kind), [ 'MISSING_IN_BILL' ]);
      });

      it('should make a day whose bill is being created WAITING, retried by the schedule after 30 minutes', async () => {
        const order = await paidOrder(app);
        await setBillDay(app, today, 'CREATING');
        const waiting = await runToday();
        assert.equal(waiting.status, 'WAITING');
        assert.equal(waiting.bill, null);
        assert.deepEqual(waiting.discrepancies, []);
        const retryAt = Date.parse(waiting.retryAt);
        assert.ok(retryAt >= Date.parse(waiting.startedAt) + 30 * 60_000, waiting.retryAt);

        const service = app.mockContext().service.billReconciliation;
        // The previous day is done already: this test is about today's retry alone.
        await markDone(previousBeijingDate(new Date(retryAt - 60_000)), previousBeijingDate(new Date(retryAt + 1000)));
        // Not before its retry time…
        assert.deepEqual(await service.runDue(new Date(retryAt - 60_000)), []);
        await setBillDay(app, today, 'NORMAL');
        // …then by the schedule.
        assert.deepEqual(await service.runDue(new Date(retryAt + 1000)), [ today ]);
        const done = (await getDay(app, operator, today).expect(200)).body;
        assert.equal(done.status, 'DONE');
        assert.equal(done.runBy, 'schedule');
        assert.deepEqual(about(done, order.orderNo), []);
      });
    });
  });

  /** Days the schedule must leave alone: already DONE. */
  async function markDone(...dates: string[]) {
    for (const date of new Set(dates)) {
      if (date !== today) await app.model.BillReconciliation.create({ billDate: date, status: 'DONE' as any });
    }
  }

  describe('the schedule', () => {
    // BILL_RECONCILE_AT (10:30 Beijing) on the day after today: the previous day is today, whose bill the sandbox has.
    const tomorrowAt = (hours: number, minutes: number) =>
      new Date(beijingDayBounds(today).end.getTime() + (hours * 60 + minutes) * 60_000);

    it('should reconcile the previous Beijing day once BILL_RECONCILE_AT has passed, once, as `schedule`', async () => {
      const order = await paidOrder(app);
      const service = app.mockContext().service.billReconciliation;
      assert.deepEqual(await service.runDue(tomorrowAt(10, 29)), []);
      await getDay(app, operator, today).expect(404);
      assert.deepEqual(await service.runDue(tomorrowAt(10, 31)), [ today ]);
      const day = (await getDay(app, operator, today).expect(200)).body;
      assert.equal(day.status, 'DONE');
      assert.equal(day.runBy, 'schedule');
      assert.deepEqual(day.local, { count: 1, settledTotal: LATTE, refundTotal: 0 });
      assert.deepEqual(about(day, order.orderNo), []);
      // A day that ended is not taken again.
      assert.deepEqual(await service.runDue(tomorrowAt(11, 31)), []);
    });

    it('should let one of several instances reconcile the day, never two', async () => {
      const at = tomorrowAt(10, 45);
      const results = await Promise.all([ 1, 2, 3 ].map(() => app.mockContext().service.billReconciliation.runDue(at)));
      assert.deepEqual(results.flat(), [ today ]);
    });
  });

  describe('failures', () => {
    it('should fail a v3 day whose file does not match its SHA1 hash_value: nothing compared, not done', async () => {
      useVersion('v3');
      const orderNo = strangerOrderNo();
      await addBillRow(app, { date: today, kind: 'PAYMENT', orderNo, amount: 100 });
      await setBillDay(app, today, 'WRONG_HASH');
      const day = await runToday();
      assert.equal(day.status, 'FAILED');
      assert.match(day.failure, /BILL_HASH_MISMATCH/);
      assert.equal(day.bill, null);
      assert.equal(day.local, null);
      assert.deepEqual(day.discrepancies, []);
      assert.equal(await app.model.BillRow.count(), 0);
      // A failed day is not taken up by the schedule as if it were done or due.
      assert.equal(day.retryAt, null);
    });

    ([[ 'v2', 'downloadbill' ], [ 'v3', 'billdownload' ]] as const).forEach(([ version, target ]) => {
      it(`should fail a day WeChat could not serve (${version} ${target} HTTP 500), to be retried by the schedule`, async () => {
        useVersion(version);
        await injectFault(app, target, 'HTTP_500');
        const failed = await runToday();
        assert.equal(failed.status, 'FAILED');
        assert.match(failed.failure, /HTTP_5XX/);
        assert.ok(Date.parse(failed.retryAt) >= Date.parse(failed.startedAt) + 30 * 60_000);
        const after = new Date(Date.parse(failed.retryAt) + 1000);
        await markDone(previousBeijingDate(after));
        assert.deepEqual(await app.mockContext().service.billReconciliation.runDue(after), [ today ]);
        assert.equal((await getDay(app, operator, today).expect(200)).body.status, 'DONE');
      });
    });

    it('should fail a day whose bill is malformed, with the parser\'s message (v2, a WeChat answering garbage)', async () => {
      // WeChat's v2 bill is unsigned gzip: a stand-in answering a corrupt bill over real HTTP.
      const corrupt = '交易时间,公众账号ID\n`2026-11-29 10:00:00,`wx1\n';
      const server = createServer((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(gzipSync(Buffer.from(corrupt, 'utf8')));
      });
      server.listen(0, '127.0.0.1');
      await new Promise(resolve => server.once('listening', resolve));
      try {
        mock(app.config.wxpay, 'apiBase', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
        const day = await runToday();
        assert.equal(day.status, 'FAILED');
        assert.match(day.failure, /the bill is malformed: HEADER_INVALID/);
        assert.equal(day.bill, null);
        assert.deepEqual(day.discrepancies, []);
      } finally {
        server.closeAllConnections();
        await new Promise(resolve => server.close(resolve));
      }
    });

    it('should answer 409 RECONCILIATION_RUNNING while another run holds the day, then let it finish', async () => {
      const relay = await new WechatRelay(appOrigin(app.config.wxpay.apiBase)).start();
      try {
        mock(app.config.wxpay, 'apiBase', `${relay.origin}/sandbox/pay`);
        const held = relay.holdNext('/pay/downloadbill');
        const first = runDay(app, operator, today).then(res => res);
        await held.arrived;
        const second = await runDay(app, operator, today).expect(409);
        assert.equal(second.body.code, 'RECONCILIATION_RUNNING');
        assert.equal((await getDay(app, operator, today).expect(200)).body.status, 'RUNNING');
        held.release();
        const done = await first;
        assert.equal(done.status, 200);
        assert.equal(done.body.status, 'DONE');
      } finally {
        await relay.close();
      }
    });

    it('should refuse a viewer on the run route (403 FORBIDDEN) but let them read', async () => {
      await runToday();
      const viewer = await staffToken(app, 'vera', 'viewer');
      const res = await runDay(app, viewer, today).expect(403);
      assert.equal(res.body.code, 'FORBIDDEN');
      await getDay(app, viewer, today).expect(200);
      await app.httpRequest().get('/admin/api/reconciliations').set('authorization', bearer(viewer))
        .expect(200);
      await app.httpRequest().get('/admin/api/reconciliations').expect(401);
    });

    it('should answer 404 for a day never run and 400 for a malformed or future date', async () => {
      assert.equal((await getDay(app, operator, '2026-01-01').expect(404)).body.code, 'RECONCILIATION_NOT_FOUND');
      for (const bad of [ '2026-02-30', '20261129', 'today' ]) {
        assert.equal((await getDay(app, operator, bad).expect(400)).body.code, 'DATE_INVALID', bad);
        assert.equal((await runDay(app, operator, bad).expect(400)).body.code, 'DATE_INVALID', bad);
      }
      await app.httpRequest().get('/admin/api/reconciliations/2026-01-01/discrepancies.csv').set('authorization', bearer(operator))
        .expect(404);
      assert.equal((await runDay(app, operator, '2999-01-01').expect(400)).body.code, 'DATE_INVALID');
    });
  });

  describe('GET /admin/api/reconciliations', () => {
    it('should list days newest first, paginated, with counts instead of discrepancies', async () => {
      await app.model.BillReconciliation.bulkCreate([
        { billDate: '2026-11-01', status: 'DONE' as any },
        { billDate: '2026-11-03', status: 'EMPTY' as any },
        { billDate: '2026-11-02', status: 'FAILED' as any, failure: 'the bill could not be had' },
      ]);
      const res = await app.httpRequest().get('/admin/api/reconciliations?page=1&pageSize=2').set('authorization', bearer(operator))
        .expect(200);
      assert.equal(res.body.total, 3);
      assert.equal(res.body.page, 1);
      assert.equal(res.body.pageSize, 2);
      assert.deepEqual(res.body.items.map((d: { date: string }) => d.date), [ '2026-11-03', '2026-11-02' ]);
      assert.equal(res.body.items[0].discrepancies, undefined);
      assert.equal(res.body.items[0].discrepancyCount, 0);
      const next = await app.httpRequest().get('/admin/api/reconciliations?page=2&pageSize=2').set('authorization', bearer(operator))
        .expect(200);
      assert.deepEqual(next.body.items.map((d: { date: string }) => d.date), [ '2026-11-01' ]);
      await app.httpRequest().get('/admin/api/reconciliations?pageSize=101').set('authorization', bearer(operator))
        .expect(400);
    });
  });

  describe('GET /admin/api/reconciliations/:date/discrepancies.csv', () => {
    it('should answer UTF-8 CSV with a BOM, the header, quoted values and formulas neutralised', async () => {
      // A bill may name any out_trade_no: this one is a formula to a spreadsheet.
      await addBillRow(app, { date: today, kind: 'PAYMENT', orderNo: '-2*3', amount: 100 });
      const order = await pendingOrder(app, 'payer');
      await app.model.Order.update({ status: 'PAID', transactionId: '4200008888888888', paidAt: new Date() } as any,
        { where: { orderNo: order.orderNo } });
      const day = await runToday();
      const res = await app.httpRequest().get(`/admin/api/reconciliations/${today}/discrepancies.csv`)
        .set('authorization', bearer(operator))
        .buffer(true)
        .parse((response, callback) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => callback(null, Buffer.concat(chunks)));
        })
        .expect(200);
      assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
      const bytes = res.body as Buffer;
      assert.deepEqual([ ...bytes.subarray(0, 3) ], [ 0xef, 0xbb, 0xbf ]);
      const lines = bytes.subarray(3).toString('utf8').split('\r\n');
      assert.equal(lines[0], 'kind,orderNo,refundNo,transactionId,billAmount,localAmount,resolved,detail');
      // One line each, then the final line break.
      assert.equal(lines.length, day.discrepancyCount + 2);
      assert.equal(lines[lines.length - 1], '');
      const formula = lines.find(line => line.includes('-2*3'));
      assert.match(formula!, /^MISSING_LOCALLY,'-2\*3,,\d+,100,,false,a payment in the bill whose order is not ours$/);
      assert.ok(lines.includes(`MISSING_IN_BILL,${order.orderNo},,4200008888888888,,${LATTE},false,"paid here that day, absent from the bill"`));
    });
  });
});
