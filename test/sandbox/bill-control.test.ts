import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sandboxOpenid } from '../../sandbox/login';
import { addBillRow, billDate, billText, resetBills, setBillAmount, setBillDay } from '../support/bills';
import { control } from './support';
import { callV3, newOutRefundNo, paidTrade, RefundSandbox, startRefundSandbox } from './refund-support';
import { ALL_DETAIL_HEADER, ALL_SUMMARY_HEADER, beijing, downloadBillFields, downloadBillV2 } from './bill-support';

const TODAY = '2026-12-06T10:00:00';
const APPID = 'wxsandbox0000000001';
const MCHID = '1900000001';
// Staged rows name the payer the sandbox's pay control uses when an order names none.
const STAGED_PAYER = sandboxOpenid(APPID, 'sandbox-payer');

/** A bill's detail rows, each split into its values without their backticks (no value here holds a comma). */
function rowsOf(text: string): string[][] {
  const lines = text.split('\n');
  assert.equal(lines[0], ALL_DETAIL_HEADER);
  assert.equal(lines[lines.length - 2], ALL_SUMMARY_HEADER);
  return lines.slice(1, -2).map(line => line.split(',').map(value => value.replace(/^`/, '')));
}

function summaryOf(text: string): string {
  return text.split('\n').pop()!;
}

describe('test/sandbox/bill-control.test.ts', () => {
  let running: RefundSandbox;
  let now = beijing(TODAY);

  before(async () => {
    running = await startRefundSandbox({ clock: () => now });
  });

  after(async () => {
    await running.close();
  });

  beforeEach(async () => {
    now = beijing(TODAY);
    await resetBills(running.origin);
  });

  const origin = () => running.origin;

  describe('POST /sandbox/control/bills/rows', () => {
    it('should add a payment WeChat has and the merchant never made, with a WeChat-style transaction_id', async () => {
      const row = await addBillRow(origin(), { date: '2026-11-21', kind: 'PAYMENT', orderNo: 'UNKNOWN_ORDER_1', amount: 990 });
      assert.match(row.transactionId, /^4200\d{6}20261121\d{10}$/);
      assert.deepEqual(row, { date: '2026-11-21', kind: 'PAYMENT', orderNo: 'UNKNOWN_ORDER_1', transactionId: row.transactionId, amount: 990 });

      const text = await billText(origin(), '2026-11-21');
      assert.equal(text, [
        ALL_DETAIL_HEADER,
        `\`2026-11-21 12:00:00,\`${APPID},\`${MCHID},\`0,\`,\`${row.transactionId},\`UNKNOWN_ORDER_1,\`${STAGED_PAYER},\`JSAPI,\`SUCCESS,`
          + '`OTHERS,`CNY,`9.90,`0.00,`0,`0,`0.00,`0.00,`,`,`Sandbox bill row,`,`0.06000,`0.60%,`9.90,`0.00,`',
        ALL_SUMMARY_HEADER,
        '`1,`9.90,`0.00,`0.00,`0.06000,`9.90,`0.00',
      ].join('\n'));
      assert.equal((await downloadBillV2(origin(), downloadBillFields('20261121'))).text, text, 'v2 serves the staged row');
    });

    it('should add a refund of a known order with its transaction_id, and generate refund ids; given ids are kept', async () => {
      now = beijing('2026-11-22T09:00:00');
      const trade = await paidTrade(origin(), { total: 2000 });
      now = beijing(TODAY);
      const generated = await addBillRow(origin(), { date: '2026-11-22', kind: 'REFUND', orderNo: trade.outTradeNo, amount: 500, total: 2000 });
      assert.equal(generated.transactionId, trade.transactionId);
      assert.match(generated.refundId!, /^50\d{9}20261122\d{10}$/);
      assert.match(generated.refundNo!, /^20261122120000\d{10}$/);
      const given = await addBillRow(origin(), {
        date: '2026-11-22', kind: 'REFUND', orderNo: trade.outTradeNo, amount: 300,
        transactionId: '4200000000202611220000000001', refundNo: 'RF-GIVEN-1', refundId: '50300000000202611220000000001',
      });
      assert.deepEqual(given, {
        date: '2026-11-22', kind: 'REFUND', orderNo: trade.outTradeNo, transactionId: '4200000000202611220000000001',
        refundNo: 'RF-GIVEN-1', refundId: '50300000000202611220000000001', amount: 300,
      });

      const rows = rowsOf((await billText(origin(), '2026-11-22'))!);
      assert.deepEqual(rows.map(row => [ row[0], row[5], row[6], row[9], row[12], row[14], row[15], row[16], row[19], row[22], row[24], row[25] ]), [
        [ '2026-11-22 09:00:00', trade.transactionId, trade.outTradeNo, 'SUCCESS', '20.00', '0', '0', '0.00', '', '0.12000', '20.00', '0.00' ],
        [ '2026-11-22 12:00:00', trade.transactionId, trade.outTradeNo, 'REFUND', '0.00', generated.refundId, generated.refundNo, '5.00',
          'PROCESSING', '-0.03000', '0.00', '5.00' ],
        [ '2026-11-22 12:00:00', '4200000000202611220000000001', trade.outTradeNo, 'REFUND', '0.00', '50300000000202611220000000001',
          'RF-GIVEN-1', '3.00', 'PROCESSING', '-0.02000', '0.00', '3.00' ],
      ]);
      assert.equal(summaryOf((await billText(origin(), '2026-11-22'))!), '`3,`20.00,`8.00,`0.00,`0.07000,`20.00,`8.00');
    });

    it('should print a payment\'s total as 订单金额, the difference as 代金券金额', async () => {
      await addBillRow(origin(), { date: '2026-11-23', kind: 'PAYMENT', orderNo: 'COUPON_ORDER', amount: 800, total: 1000 });
      const [ row ] = rowsOf((await billText(origin(), '2026-11-23'))!);
      assert.deepEqual([ row[12], row[13], row[22], row[24] ], [ '8.00', '2.00', '0.05000', '10.00' ]);
      assert.equal(summaryOf((await billText(origin(), '2026-11-23'))!), '`1,`8.00,`0.00,`0.00,`0.05000,`10.00,`0.00');
    });

    it('should stamp a row of today with the time it was added', async () => {
      const row = await addBillRow(origin(), { date: '2026-12-06', kind: 'PAYMENT', orderNo: 'TODAY_ORDER', amount: 100 });
      const [ line ] = rowsOf((await billText(origin(), row.date))!);
      assert.equal(line[0], '2026-12-06 10:00:00');
    });

    it('should answer 400 { code, message } for bad input', async () => {
      const valid = { date: '2026-11-24', kind: 'PAYMENT', orderNo: 'ORDER_1', amount: 100 };
      for (const body of [
        { ...valid, date: '20261124' },
        { ...valid, date: '2026-02-30' },
        { ...valid, kind: 'REVOKED' },
        { ...valid, orderNo: '' },
        { ...valid, orderNo: 'has,comma' },
        { ...valid, amount: 0 },
        { ...valid, amount: 1.5 },
        { ...valid, amount: '100' },
        { ...valid, total: 99 },
        { ...valid, transactionId: 'not-digits' },
        { ...valid, refundNo: 'R1' },
        { ...valid, kind: 'REFUND', refundNo: 'has`backtick' },
        'not an object',
      ]) {
        const reply = await control(origin(), 'POST', '/bills/rows', body);
        assert.equal(reply.status, 400, JSON.stringify(body));
        assert.equal(reply.body.code, 'INVALID_BILL_ROW');
        assert.equal(typeof reply.body.message, 'string');
      }
      assert.equal(await billText(origin(), '2026-11-24'), undefined);
    });
  });

  describe('POST /sandbox/control/bills/amounts', () => {
    it('should make the bill report another amount for a payment and for a refund, the summary following', async () => {
      now = beijing('2026-11-25T09:00:00');
      const trade = await paidTrade(origin(), { api: 'v3', total: 1500 });
      now = beijing('2026-11-25T10:00:00');
      const outRefundNo = newOutRefundNo();
      const refund = await callV3(origin(), 'POST', '/v3/refund/domestic/refunds', {
        out_trade_no: trade.outTradeNo, out_refund_no: outRefundNo, amount: { refund: 500, total: 1500, currency: 'CNY' },
      });
      assert.equal(refund.status, 200, refund.text);
      now = beijing(TODAY);
      assert.equal(summaryOf((await billText(origin(), '2026-11-25'))!), '`2,`15.00,`5.00,`0.00,`0.06000,`15.00,`5.00');

      const order = await control(origin(), 'POST', '/bills/amounts', { orderNo: trade.outTradeNo, amount: 1400 });
      assert.equal(order.status, 200);
      assert.deepEqual(order.body, { orderNo: trade.outTradeNo, amount: 1400 });
      await setBillAmount(origin(), { refundNo: outRefundNo }, 600);
      const text = (await billText(origin(), '2026-11-25'))!;
      const [ payment, refunded ] = rowsOf(text);
      assert.deepEqual([ payment[12], payment[22], payment[24] ], [ '14.00', '0.08000', '14.00' ]);
      assert.deepEqual([ refunded[16], refunded[22], refunded[25] ], [ '6.00', '-0.04000', '6.00' ]);
      assert.equal(summaryOf(text), '`2,`14.00,`6.00,`0.00,`0.04000,`14.00,`6.00');
    });

    it('should apply to staged rows too, and wait for a number no row has yet', async () => {
      await setBillAmount(origin(), { orderNo: 'LATER_ORDER' }, 42);
      assert.equal(await billText(origin(), '2026-11-26'), undefined);
      await addBillRow(origin(), { date: '2026-11-26', kind: 'PAYMENT', orderNo: 'LATER_ORDER', amount: 4200 });
      assert.equal(rowsOf((await billText(origin(), '2026-11-26'))!)[0][12], '0.42');
    });

    it('should answer 400 for bad input', async () => {
      for (const body of [{ amount: 1 }, { orderNo: 'O1' }, { orderNo: 'O1', refundNo: 'R1', amount: 1 }, { orderNo: 'O1', amount: -1 },
        { refundNo: 'bad,no', amount: 1 }, { orderNo: 7, amount: 1 }]) {
        const reply = await control(origin(), 'POST', '/bills/amounts', body);
        assert.equal(reply.status, 400, JSON.stringify(body));
        assert.equal(reply.body.code, 'INVALID_BILL_AMOUNT');
      }
    });
  });

  describe('PUT /sandbox/control/bills/days/:date and GET /sandbox/control/bills/:date', () => {
    it('should set a day\'s mode, and serve the text only as WeChat would', async () => {
      await addBillRow(origin(), { date: '2026-11-27', kind: 'PAYMENT', orderNo: 'ORDER_27', amount: 100 });
      const text = await billText(origin(), '2026-11-27');
      assert.ok(text);

      const creating = await control(origin(), 'PUT', '/bills/days/2026-11-27', { mode: 'CREATING' });
      assert.equal(creating.status, 200);
      assert.deepEqual(creating.body, { date: '2026-11-27', mode: 'CREATING' });
      const whileCreating = await fetch(`${origin()}/sandbox/control/bills/2026-11-27`);
      assert.equal(whileCreating.status, 409);
      await assert.rejects(billText(origin(), '2026-11-27'), /409/);

      await setBillDay(origin(), '2026-11-27', 'EMPTY');
      assert.equal(await billText(origin(), '2026-11-27'), undefined);
      await setBillDay(origin(), '2026-11-27', 'WRONG_HASH');
      assert.equal(await billText(origin(), '2026-11-27'), text);
      await setBillDay(origin(), '2026-11-27', 'NORMAL');
      const served = await fetch(`${origin()}/sandbox/control/bills/2026-11-27`);
      assert.equal(served.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(await served.text(), text);
    });

    it('should answer 404 NO_BILL for a day with nothing on it, and 400 for a bad date or mode', async () => {
      const empty = await fetch(`${origin()}/sandbox/control/bills/2026-11-28`);
      assert.equal(empty.status, 404);
      assert.equal(((await empty.json()) as { code: string }).code, 'NO_BILL');
      assert.equal((await control(origin(), 'GET', '/bills/2026-13-01')).status, 400);
      for (const [ date, body ] of [[ '2026-11-28', { mode: 'LATE' }], [ '2026-11-28', {}], [ '20261128', { mode: 'EMPTY' }]] as const) {
        const reply = await control(origin(), 'PUT', `/bills/days/${date}`, body);
        assert.equal(reply.status, 400);
        assert.equal(reply.body.code, 'INVALID_BILL_DAY');
      }
    });

    it('should serve CRLF line endings and a BOM when asked, for parsers that must tolerate them', async () => {
      await addBillRow(origin(), { date: '2026-11-29', kind: 'PAYMENT', orderNo: 'ORDER_29', amount: 100 });
      const plain = (await billText(origin(), '2026-11-29'))!;
      const reply = await control(origin(), 'PUT', '/bills/days/2026-11-29', { mode: 'NORMAL', lineEnding: 'CRLF', bom: true });
      assert.deepEqual(reply.body, { date: '2026-11-29', mode: 'NORMAL', lineEnding: 'CRLF', bom: true });
      assert.equal(await billText(origin(), '2026-11-29'), `\uFEFF${plain.split('\n').join('\r\n')}`);
    });
  });

  describe('DELETE /sandbox/control/bills', () => {
    it('should forget staged rows, amounts and day modes, keeping what the trades and refunds make', async () => {
      now = beijing('2026-11-30T09:00:00');
      const trade = await paidTrade(origin());
      now = beijing(TODAY);
      const generated = await billText(origin(), '2026-11-30');
      await addBillRow(origin(), { date: '2026-11-30', kind: 'PAYMENT', orderNo: 'STAGED', amount: 100 });
      await setBillAmount(origin(), { orderNo: trade.outTradeNo }, 1);
      await setBillDay(origin(), '2026-11-01', 'CREATING');
      assert.notEqual(await billText(origin(), '2026-11-30'), generated);

      await resetBills(origin());
      assert.equal(await billText(origin(), '2026-11-30'), generated);
      assert.equal(await billText(origin(), '2026-11-01'), undefined, 'CREATING is gone: the empty day says so');
    });
  });

  describe('state', () => {
    it('should keep staged rows, amounts and modes in the state file across a restart', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-bill-state-'));
      const statePath = path.join(dir, 'sandbox-state.json');
      try {
        const first = await startRefundSandbox({ statePath, clock: () => now });
        await addBillRow(first.origin, { date: '2026-11-18', kind: 'PAYMENT', orderNo: 'KEPT_ORDER', amount: 100 });
        await setBillAmount(first.origin, { orderNo: 'KEPT_ORDER' }, 250);
        await setBillDay(first.origin, '2026-11-19', 'CREATING');
        const text = await billText(first.origin, '2026-11-18');
        await first.close();

        const second = await startRefundSandbox({ statePath, clock: () => now });
        try {
          assert.equal(await billText(second.origin, '2026-11-18'), text);
          assert.ok(text?.includes('`2.50,'));
          assert.equal((await downloadBillV2(second.origin, downloadBillFields('20261119'))).text.includes('Bill Creating'), true);
          await resetBills(second.origin);
        } finally {
          await second.close();
        }
        const third = await startRefundSandbox({ statePath, clock: () => now });
        try {
          assert.equal(await billText(third.origin, '2026-11-18'), undefined, 'the reset was saved too');
        } finally {
          await third.close();
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('should refuse to start on bills it did not write, naming the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-bill-state-'));
    const statePath = path.join(dir, 'sandbox-state.json');
    try {
      writeFileSync(statePath, JSON.stringify({ version: 1, trades: [], prepayIds: [], transactionIds: [], refunds: [], bills: { rows: [] } }));
      await assert.rejects(startRefundSandbox({ statePath }), (err: Error) => err.message.includes(statePath) && err.message.includes('bills'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should date bills by the Beijing day: billDate()', () => {
    assert.equal(billDate(beijing('2026-12-06T00:00:00')), '2026-12-06');
    assert.equal(billDate(new Date(beijing('2026-12-05T23:59:59'))), '2026-12-05');
  });
});
