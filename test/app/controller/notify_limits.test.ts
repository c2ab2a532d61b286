import assert from 'node:assert/strict';
import net from 'node:net';
import { app, mock } from 'egg-mock/bootstrap';
import { OrderStatus } from '../../../app/lib/order-status';
import { pendingOrder } from '../../support/orders';
import { eventually } from '../../support/sandbox';
import { buildV2Notify, postV2Notify } from '../../support/v2-notify';
import { buildV3Notify, postV3Notify } from '../../support/v3-notify';

/**
 * Limits of the notify routes (#11): the deadline whatever the database does,
 * a body announced over 1 MB refused before it is read, and a transaction_id
 * that already paid another order refused for good.
 */
describe('test/app/controller/notify_limits.test.ts', () => {
  let orderNo: string;
  let amount: number;

  beforeEach(async () => {
    ({ orderNo, amount } = await pendingOrder(app));
  });
  afterEach(() => mock.restore());

  const order = async (no = orderNo) => (await app.model.Order.findOne({ where: { orderNo: no } }))!;
  const outcomes = async (no = orderNo) => (await app.model.PaymentEvent.findAll({ where: { orderNo: no }, order: [[ 'id', 'ASC' ]] }))
    .map(e => e.outcome);
  const v2Paid = (no: string, transactionId: string) => buildV2Notify(app, {
    out_trade_no: no, total_fee: amount, cash_fee: amount, transaction_id: transactionId,
  });
  const v3Paid = (no: string, transactionId: string) => buildV3Notify(app, {
    out_trade_no: no, transaction_id: transactionId, amount: { total: amount, payer_total: amount, currency: 'CNY', payer_currency: 'CNY' },
  });
  function useV3() {
    mock(app.config.wxpay, 'apiVersion', 'v3');
    mock(app.config.wxpay, 'notifyUrl', app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify$/, '/api/pay/notify/v3'));
  }

  /**
   * Holds the order's row (MySQL/MariaDB: SELECT … FOR UPDATE; SQLite: the
   * write lock, which this process's transactions queue behind) until released.
   */
  async function holdOrderRow(): Promise<{ release: () => Promise<void> }> {
    let release!: () => void;
    const released = new Promise<void>(resolve => { release = resolve; });
    let locked!: () => void;
    const lockTaken = new Promise<void>(resolve => { locked = resolve; });
    const held = app.model.transaction(async transaction => {
      await app.model.Order.findOne({ where: { orderNo }, lock: true, transaction });
      locked();
      await released;
    });
    await lockTaken;
    return { release: async () => { release(); await held; } };
  }

  describe('NOTIFY_DEADLINE_MS', () => {
    beforeEach(() => mock(app.config.notify, 'deadlineMs', 300));

    it('v2: answers FAIL while the order row is locked, and the retry after credits exactly once', async () => {
      const body = v2Paid(orderNo, '4200000001202612061111111111');
      const lock = await holdOrderRow();
      let stalled;
      try {
        stalled = await postV2Notify(app, body);
      } finally {
        await lock.release();
      }
      assert.equal(stalled.status, 200);
      assert.equal(stalled.reply.return_code, 'FAIL');
      assert.match(stalled.reply.return_msg, /temporarily unavailable/);
      // The work that missed the deadline goes on and commits; WeChat's retry then finds it done.
      await eventually(async () => (await order()).status === OrderStatus.PAID);
      const retry = await postV2Notify(app, body);
      assert.equal(retry.reply.return_code, 'SUCCESS');
      assert.deepEqual(await outcomes(), [ 'PAID', 'DUPLICATE' ]);
    });

    it('v3: answers 500 FAIL while the order row is locked, and the retry after credits exactly once', async () => {
      useV3();
      const notify = v3Paid(orderNo, '4200000002202612061111111111');
      const lock = await holdOrderRow();
      let stalled;
      try {
        stalled = await postV3Notify(app, notify);
      } finally {
        await lock.release();
      }
      assert.equal(stalled.status, 500);
      assert.equal(stalled.body.code, 'FAIL');
      await eventually(async () => (await order()).status === OrderStatus.PAID);
      assert.equal((await postV3Notify(app, notify)).status, 204);
      assert.deepEqual(await outcomes(), [ 'PAID', 'DUPLICATE' ]);
    });
  });

  describe('a body announced over 1 MB', () => {
    /** Announces 100 MB, sends 300 bytes and waits for the answer, which closes the connection. */
    function announceHugeBody(path: string, contentType: string): Promise<{ status: number; type: string; body: string }> {
      const { hostname, port } = new URL(app.config.wxpay.notifyUrl);
      return new Promise((resolve, reject) => {
        const socket = net.connect(Number(port), hostname);
        let received = '';
        socket.setEncoding('utf8');
        socket.on('data', chunk => { received += chunk; });
        socket.on('error', reject);
        socket.on('close', () => {
          const [ head, body = '' ] = received.split('\r\n\r\n');
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
          const type = /\r\ncontent-type: ([^\r]*)/i.exec(head)?.[1] ?? '';
          resolve({ status, type, body });
        });
        socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}\r\nContent-Type: ${contentType}\r\n`
          + 'Content-Length: 104857600\r\n\r\n' + 'x'.repeat(300));
      });
    }

    for (const path of [ '/api/pay/notify', '/api/pay/refund-notify' ]) {
      it(`answers 413 with an XML FAIL before reading it: ${path}`, async () => {
        const res = await announceHugeBody(path, 'text/xml');
        assert.equal(res.status, 413);
        assert.match(res.type, /^text\/xml/);
        assert.match(res.body, /<return_code><!\[CDATA\[FAIL\]\]><\/return_code>/);
        assert.match(res.body, /body over 1 MB/);
      });
    }

    for (const path of [ '/api/pay/notify/v3', '/api/pay/refund-notify/v3' ]) {
      it(`answers 413 with a JSON FAIL before reading it: ${path}`, async () => {
        const res = await announceHugeBody(path, 'application/json');
        assert.equal(res.status, 413);
        assert.match(res.type, /^application\/json/);
        assert.deepEqual(JSON.parse(res.body), { code: 'FAIL', message: 'body over 1 MB' });
      });
    }
  });

  describe('a transaction_id that already paid another order', () => {
    const transactionId = '4200000009202612069999999999';

    it('v2: answers FAIL saying so, audits it, and leaves the order PENDING for good', async () => {
      const other = await pendingOrder(app, 'otherpayer');
      assert.equal((await postV2Notify(app, v2Paid(other.orderNo, transactionId))).reply.return_code, 'SUCCESS');
      for (let delivery = 0; delivery < 2; delivery++) {
        const res = await postV2Notify(app, v2Paid(orderNo, transactionId));
        assert.equal(res.status, 200);
        assert.deepEqual({ ...res.reply }, { return_code: 'FAIL', return_msg: 'transaction_id already paid another order' });
      }
      assert.equal((await order()).status, OrderStatus.PENDING);
      assert.equal((await order(other.orderNo)).transactionId, transactionId);
      const rows = await app.model.PaymentEvent.findAll({ where: { orderNo }, order: [[ 'id', 'ASC' ]] });
      assert.deepEqual(rows.map(e => e.outcome), [ 'TRANSACTION_OF_ANOTHER_ORDER', 'TRANSACTION_OF_ANOTHER_ORDER' ]);
      assert.equal(rows[0].reason, `transaction_id already paid order ${other.orderNo}`);
      assert.equal(rows[0].verified, true);
      assert.equal(rows[0].transactionId, transactionId);
    });

    it('v3: answers 400 saying so and audits it', async () => {
      useV3();
      const other = await pendingOrder(app, 'otherpayer');
      assert.equal((await postV3Notify(app, v3Paid(other.orderNo, transactionId))).status, 204);
      const res = await postV3Notify(app, v3Paid(orderNo, transactionId));
      assert.equal(res.status, 400);
      assert.deepEqual(res.body, { code: 'FAIL', message: 'transaction_id already paid another order' });
      assert.equal((await order()).status, OrderStatus.PENDING);
      assert.deepEqual(await outcomes(), [ 'TRANSACTION_OF_ANOTHER_ORDER' ]);
    });
  });
});
