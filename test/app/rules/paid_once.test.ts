import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { bearer } from '../../support/client';
import { pendingOrder } from '../../support/orders';
import { buildV2Notify, postV2Notify } from '../../support/v2-notify';
import { buildV3Notify, postV3Notify } from '../../support/v3-notify';

// Rule: PENDING → PAID happens once, by a compare-and-set on status. A verified
// payment the order cannot take (the order was CLOSED here, or is already PAID by
// another transaction) is recorded and acknowledged, and never rewrites the order.
// A compare-and-set widened to CLOSED would turn the closed order PAID; one widened
// to PAID would overwrite transaction_id and paid_at: each fails a test below.

const FIRST_TRANSACTION = '4200000006202611221000000001';
const SECOND_TRANSACTION = '4200000006202611221000000002';

type Version = 'v2' | 'v3';

const FIRST_PAID_AT = { v2: '20261122153000', v3: '2026-11-22T15:30:00+08:00' };
const LATER_PAID_AT = { v2: '20261122160500', v3: '2026-11-22T16:05:00+08:00' };

function pinsFor(version: Version) {
  describe(`${version} notifies`, () => {
    let orderNo: string;
    let amount: number;
    let token: string;

    const order = async () => (await app.model.Order.findOne({ where: { orderNo } }))!;
    const events = async () => (await app.model.PaymentEvent.findAll({ order: [[ 'id', 'ASC' ]] }))
      .map(e => ({ outcome: e.outcome, verified: e.verified, transactionId: e.transactionId, orderNo: e.orderNo }));

    /** Sends a verified "paid" notify and returns whether the service acknowledged it (so WeChat stops retrying). */
    async function notifyPaid(transactionId: string, paidAt: { v2: string; v3: string }): Promise<boolean> {
      if (version === 'v2') {
        const body = buildV2Notify(app, {
          out_trade_no: orderNo, total_fee: amount, cash_fee: amount, transaction_id: transactionId, time_end: paidAt.v2,
        });
        const res = await postV2Notify(app, body);
        assert.equal(res.status, 200);
        return res.reply.return_code === 'SUCCESS';
      }
      const res = await postV3Notify(app, buildV3Notify(app, {
        out_trade_no: orderNo,
        transaction_id: transactionId,
        success_time: paidAt.v3,
        amount: { total: amount, payer_total: amount, currency: 'CNY', payer_currency: 'CNY' },
      }));
      return res.status === 204 || res.status === 200;
    }

    beforeEach(async () => {
      if (version === 'v3') {
        mock(app.config.wxpay, 'apiVersion', 'v3');
        mock(app.config.wxpay, 'notifyUrl', app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify$/, '/api/pay/notify/v3'));
      }
      ({ orderNo, amount, token } = await pendingOrder(app, `paidonce${version}`));
    });

    it('should never rewrite a CLOSED order when a paid notify comes for it, acknowledge it and record PAID_AFTER_CLOSE', async () => {
      const closed = await app.httpRequest().post(`/api/orders/${orderNo}/close`).set('authorization', bearer(token))
        .expect(200);
      assert.equal(closed.body.status, 'CLOSED');
      const before = await order();

      assert.equal(await notifyPaid(FIRST_TRANSACTION, FIRST_PAID_AT), true, 'the notify was not acknowledged');
      // and again, as WeChat would retry: still nothing rewritten
      assert.equal(await notifyPaid(FIRST_TRANSACTION, FIRST_PAID_AT), true);

      const after = await order();
      assert.equal(after.status, 'CLOSED');
      assert.equal(after.transactionId, null);
      assert.equal(after.paidAt, null);
      assert.equal(after.updatedAt.getTime(), before.updatedAt.getTime());
      const rows = await events();
      assert.ok(rows.length >= 1);
      assert.deepEqual(rows[0], { outcome: 'PAID_AFTER_CLOSE', verified: true, transactionId: FIRST_TRANSACTION, orderNo });
      assert.equal(rows.filter(row => row.outcome === 'PAID').length, 0);
      const view = await app.httpRequest().get(`/api/orders/${orderNo}`).set('authorization', bearer(token))
        .expect(200);
      assert.equal(view.body.status, 'CLOSED');
      assert.equal(view.body.transactionId, null);
      assert.equal(view.body.paidAt, null);
    });

    it('should never rewrite a PAID order when another transaction\'s paid notify comes, acknowledge it and record PAID_BY_OTHER_TRANSACTION', async () => {
      assert.equal(await notifyPaid(FIRST_TRANSACTION, FIRST_PAID_AT), true);
      const before = await order();
      assert.equal(before.status, 'PAID');
      assert.equal(before.transactionId, FIRST_TRANSACTION);
      assert.equal(before.paidAt!.toISOString(), '2026-11-22T07:30:00.000Z');

      assert.equal(await notifyPaid(SECOND_TRANSACTION, LATER_PAID_AT), true, 'the notify was not acknowledged');

      const after = await order();
      assert.equal(after.status, 'PAID');
      assert.equal(after.transactionId, FIRST_TRANSACTION);
      assert.equal(after.paidAt!.toISOString(), '2026-11-22T07:30:00.000Z');
      assert.equal(after.updatedAt.getTime(), before.updatedAt.getTime());
      const rows = await events();
      assert.deepEqual(rows, [
        { outcome: 'PAID', verified: true, transactionId: FIRST_TRANSACTION, orderNo },
        { outcome: 'PAID_BY_OTHER_TRANSACTION', verified: true, transactionId: SECOND_TRANSACTION, orderNo },
      ]);
    });
  });
}

describe('test/app/rules/paid_once.test.ts', () => {
  pinsFor('v2');
  pinsFor('v3');
});
