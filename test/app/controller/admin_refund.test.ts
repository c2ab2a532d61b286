import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { bearer, loginAs } from '../../support/client';
import { pendingOrder } from '../../support/orders';
import { injectFault, sandboxRefunds, settleRefund } from '../../support/refunds';
import { customerView, operatorToken, paidOrder, refundView, requestRefund } from '../refund-fixtures';
import { staffToken } from '../staff-accounts';

// One latte: 2600 fen.
const LATTE = 2600;

describe('test/app/controller/admin_refund.test.ts', () => {
  let operator: string;

  beforeEach(async () => {
    operator = await operatorToken(app);
  });

  describe('POST /admin/api/orders/:orderNo/refunds: input', () => {
    it('should refuse an amount that is not a positive integer JSON number (400 AMOUNT_INVALID), changing nothing', async () => {
      const order = await paidOrder(app);
      for (const amount of [ '100', 0, -1, 1.5, null, undefined, 2 ** 31 ]) {
        const res = await requestRefund(app, operator, order.orderNo, { amount }).expect(400);
        assert.equal(res.body.code, 'AMOUNT_INVALID', JSON.stringify(amount));
      }
      assert.equal(await app.model.Refund.count(), 0);
      assert.deepEqual(await sandboxRefunds(app, order.orderNo), []);
    });

    it('should refuse a reason over 80 characters (400 REASON_TOO_LONG)', async () => {
      const order = await paidOrder(app);
      const res = await requestRefund(app, operator, order.orderNo, { amount: 100, reason: '退'.repeat(81) }).expect(400);
      assert.equal(res.body.code, 'REASON_TOO_LONG');
      await requestRefund(app, operator, order.orderNo, { amount: 100, reason: '退'.repeat(80) }).expect(201);
    });

    it('should answer 404 for an unknown order and 409 ORDER_NOT_REFUNDABLE for an order that is not PAID', async () => {
      await requestRefund(app, operator, '20261129000000NOSUCHORDER0', { amount: 100 }).expect(404);
      const pending = await pendingOrder(app);
      const res = await requestRefund(app, operator, pending.orderNo, { amount: 100 }).expect(409);
      assert.equal(res.body.code, 'ORDER_NOT_REFUNDABLE');
    });

    it('should refuse a viewer (403 FORBIDDEN) and a customer token (401)', async () => {
      const order = await paidOrder(app);
      const viewer = await staffToken(app, 'vera', 'viewer');
      assert.equal((await requestRefund(app, viewer, order.orderNo, { amount: 100 }).expect(403)).body.code, 'FORBIDDEN');
      await requestRefund(app, order.token, order.orderNo, { amount: 100 }).expect(401);
      assert.equal(await app.model.Refund.count(), 0);
    });
  });

  describe('a refund, end to end (v2, mutual TLS)', () => {
    it('should refund half, settle it through the refund notify, then the rest, and the order becomes REFUNDED', async () => {
      const order = await paidOrder(app);
      const half = await requestRefund(app, operator, order.orderNo, { amount: LATTE / 2, reason: 'one cup returned' }).expect(201);
      assert.equal(half.body.status, 'PROCESSING');
      assert.equal(half.body.createdBy, 'olga');
      assert.equal(half.body.transactionId, order.transactionId);
      assert.equal(half.body.succeededAt, null);
      // The row was committed before WeChat was called, and WeChat has exactly this refund number.
      assert.deepEqual((await sandboxRefunds(app, order.orderNo)).map(r => [ r.refundNo, r.amount, r.total ]),
        [[ half.body.refundNo, LATTE / 2, LATTE ]]);

      const settled = await settleRefund(app, half.body.refundNo, 'SUCCESS');
      assert.equal(settled.notify.firstAttempt?.acknowledged, true);
      assert.equal((await refundView(app, operator, half.body.refundNo)).status, 'SUCCESS');
      let view = await customerView(app, order);
      assert.equal(view.refundedAmount, LATTE / 2);
      assert.equal(view.status, 'PAID');

      const rest = await requestRefund(app, operator, order.orderNo, { amount: LATTE / 2 }).expect(201);
      await settleRefund(app, rest.body.refundNo, 'SUCCESS');
      view = await customerView(app, order);
      assert.equal(view.refundedAmount, LATTE);
      assert.equal(view.status, 'REFUNDED');
      const refundable = await requestRefund(app, operator, order.orderNo, { amount: 1 }).expect(409);
      assert.equal(refundable.body.code, 'ORDER_NOT_REFUNDABLE');
    });

    it('should show the order\'s refunds (newest first) and refundedAmount to staff', async () => {
      const order = await paidOrder(app);
      const first = await requestRefund(app, operator, order.orderNo, { amount: 100 }).expect(201);
      const second = await requestRefund(app, operator, order.orderNo, { amount: 200 }).expect(201);
      await settleRefund(app, first.body.refundNo, 'SUCCESS');
      const detail = await app.httpRequest().get(`/admin/api/orders/${order.orderNo}`).set('authorization', bearer(operator))
        .expect(200);
      assert.deepEqual(detail.body.refunds.map((r: { refundNo: string }) => r.refundNo), [ second.body.refundNo, first.body.refundNo ]);
      assert.equal(detail.body.refundedAmount, 100);
      // both refunds hold their amount, the PROCESSING one too
      assert.equal(detail.body.refundableAmount, LATTE - 300);
      const list = await app.httpRequest().get('/admin/api/refunds?status=SUCCESS').set('authorization', bearer(operator))
        .expect(200);
      assert.deepEqual(list.body.items.map((r: { refundNo: string }) => r.refundNo), [ first.body.refundNo ]);
      assert.equal(list.body.total, 1);
      await app.httpRequest().get('/admin/api/refunds?status=DONE').set('authorization', bearer(operator))
        .expect(400);
    });

    it('should refuse more than the refundable amount (409 REFUND_EXCEEDS_REFUNDABLE), counting PROCESSING refunds', async () => {
      const order = await paidOrder(app);
      await requestRefund(app, operator, order.orderNo, { amount: LATTE - 100 }).expect(201);
      const res = await requestRefund(app, operator, order.orderNo, { amount: 101 }).expect(409);
      assert.equal(res.body.code, 'REFUND_EXCEEDS_REFUNDABLE');
      await requestRefund(app, operator, order.orderNo, { amount: 100 }).expect(201);
    });

    it('should never refund more than was paid under 20 concurrent partial refunds', async () => {
      const order = await paidOrder(app);
      const replies = await Promise.all(Array.from({ length: 20 }, () =>
        requestRefund(app, operator, order.orderNo, { amount: 200 })));
      const accepted = replies.filter(r => r.status === 201);
      const refused = replies.filter(r => r.status === 409);
      // 13 × 200 = 2600 fen: exactly what was paid, never more.
      assert.equal(accepted.length, 13, replies.map(r => r.status).join(','));
      assert.equal(refused.length, 7);
      for (const r of refused) assert.equal(r.body.code, 'REFUND_EXCEEDS_REFUNDABLE');
      const atWechat = await sandboxRefunds(app, order.orderNo);
      assert.equal(atWechat.reduce((sum, r) => sum + r.amount, 0), LATTE);
      const row = await app.model.Order.findOne({ where: { orderNo: order.orderNo } });
      assert.equal(row!.refundReserved, LATTE);
    });
  });

  describe('Idempotency-Key', () => {
    it('should answer the same refund (200) to the same key and amount, with nothing more sent to WeChat', async () => {
      const order = await paidOrder(app);
      const first = await requestRefund(app, operator, order.orderNo, { amount: 300 }, 'double-click-1').expect(201);
      const again = await requestRefund(app, operator, order.orderNo, { amount: 300 }, 'double-click-1').expect(200);
      assert.equal(again.body.refundNo, first.body.refundNo);
      assert.equal((await sandboxRefunds(app, order.orderNo)).length, 1);
    });

    it('should refuse the key with another amount (409 IDEMPOTENCY_KEY_REUSED) and a key over 64 characters (400)', async () => {
      const order = await paidOrder(app);
      await requestRefund(app, operator, order.orderNo, { amount: 300 }, 'k-1').expect(201);
      const res = await requestRefund(app, operator, order.orderNo, { amount: 301 }, 'k-1').expect(409);
      assert.equal(res.body.code, 'IDEMPOTENCY_KEY_REUSED');
      await requestRefund(app, operator, order.orderNo, { amount: 300 }, 'k'.repeat(65)).expect(400);
      assert.equal((await sandboxRefunds(app, order.orderNo)).length, 1);
    });

    it('should make one refund for concurrent requests with one key', async () => {
      const order = await paidOrder(app);
      const replies = await Promise.all(Array.from({ length: 5 }, () =>
        requestRefund(app, operator, order.orderNo, { amount: 300 }, 'same-key')));
      assert.deepEqual(replies.map(r => r.status).sort(), [ 200, 200, 200, 200, 201 ]);
      assert.equal(new Set(replies.map(r => r.body.refundNo)).size, 1);
      assert.equal((await sandboxRefunds(app, order.orderNo)).length, 1);
    });
  });

  describe('when WeChat does not answer, or refuses', () => {
    it('should answer 202 after a time-out and re-submit the same refundNo from the schedule, refunding once', async () => {
      const order = await paidOrder(app);
      mock(app.config.wxpay, 'timeoutMs', 300);
      // WeChat takes the refund but answers after the client gave up.
      await injectFault(app, 'refund', 'DELAY', { delayMs: 1200 });
      const res = await requestRefund(app, operator, order.orderNo, { amount: 500 }).expect(202);
      assert.equal(res.body.status, 'PROCESSING');
      const row = await app.model.Refund.findOne({ where: { refundNo: res.body.refundNo } });
      assert.equal(row!.acceptedAt, null);
      assert.equal(row!.wechatCode, 'TIMEOUT');

      // Not before RECONCILE_AFTER_SECONDS…
      const ctx = app.mockContext();
      assert.equal((await ctx.service.refundReconciliation.run(new Date())).resubmitted, 0);
      // …then with the same number: WeChat answers the refund it already has.
      const later = new Date(Date.now() + (app.config.wxpay.reconcileAfterSeconds + 1) * 1000);
      const report = await ctx.service.refundReconciliation.run(later);
      assert.equal(report.resubmitted, 1);
      const atWechat = await sandboxRefunds(app, order.orderNo);
      assert.deepEqual(atWechat.map(r => r.refundNo), [ res.body.refundNo ]);
      assert.notEqual((await app.model.Refund.findOne({ where: { refundNo: res.body.refundNo } }))!.acceptedAt, null);
    });

    ([ 'SYSTEMERROR', 'BIZERR_NEED_RETRY', 'FREQUENCY_LIMITED', 'HTTP_500' ] as const).forEach(kind => {
      it(`should answer 202 to ${kind} and keep the refund PROCESSING with its reservation`, async () => {
        const order = await paidOrder(app);
        await injectFault(app, 'refund', kind);
        const res = await requestRefund(app, operator, order.orderNo, { amount: LATTE }).expect(202);
        assert.equal(res.body.status, 'PROCESSING');
        assert.equal((await requestRefund(app, operator, order.orderNo, { amount: 1 }).expect(409)).body.code, 'REFUND_EXCEEDS_REFUNDABLE');
      });
    });

    ([ 'NOTENOUGH', 'USER_ACCOUNT_ABNORMAL' ] as const).forEach(kind => {
      it(`should answer 502 REFUND_REFUSED to ${kind}: the refund FAILED with the code, its amount refundable again`, async () => {
        const order = await paidOrder(app);
        await injectFault(app, 'refund', kind);
        const res = await requestRefund(app, operator, order.orderNo, { amount: LATTE }).expect(502);
        assert.equal(res.body.code, 'REFUND_REFUSED');
        assert.match(res.body.message, new RegExp(kind));
        const [ refund ] = await app.model.Refund.findAll({ where: { orderNo: order.orderNo } });
        assert.equal(refund.status, 'FAILED');
        assert.equal(refund.wechatCode, kind);
        await requestRefund(app, operator, order.orderNo, { amount: LATTE }).expect(201);
      });
    });
  });

  describe('refresh and the schedule', () => {
    it('should apply a refund query on ?refresh=1 and in the schedule when no notify came', async () => {
      const order = await paidOrder(app);
      const first = await requestRefund(app, operator, order.orderNo, { amount: 100 }).expect(201);
      const second = await requestRefund(app, operator, order.orderNo, { amount: 200 }).expect(201);
      await settleRefund(app, first.body.refundNo, 'SUCCESS', { deliverNotify: false });
      await settleRefund(app, second.body.refundNo, 'CLOSED', { deliverNotify: false });
      assert.equal((await refundView(app, operator, first.body.refundNo)).status, 'PROCESSING');
      assert.equal((await refundView(app, operator, first.body.refundNo, true)).status, 'SUCCESS');

      const later = new Date(Date.now() + (app.config.wxpay.reconcileAfterSeconds + 1) * 1000);
      const report = await app.mockContext().service.refundReconciliation.run(later);
      assert.equal(report.queried, 1);
      assert.equal((await refundView(app, operator, second.body.refundNo)).status, 'CLOSED');
      const row = await app.model.Order.findOne({ where: { orderNo: order.orderNo } });
      // SUCCESS counted, CLOSED given back.
      assert.equal(row!.refundedAmount, 100);
      assert.equal(row!.refundReserved, 100);
    });

    it('should let an ABNORMAL refund still end in SUCCESS', async () => {
      const order = await paidOrder(app);
      const res = await requestRefund(app, operator, order.orderNo, { amount: LATTE }).expect(201);
      await settleRefund(app, res.body.refundNo, 'ABNORMAL');
      assert.equal((await refundView(app, operator, res.body.refundNo)).status, 'ABNORMAL');
      await settleRefund(app, res.body.refundNo, 'SUCCESS');
      assert.equal((await refundView(app, operator, res.body.refundNo)).status, 'SUCCESS');
      assert.equal((await customerView(app, order)).status, 'REFUNDED');
    });

    it('should answer 404 for an unknown refund', async () => {
      await app.httpRequest().get('/admin/api/refunds/RNOSUCHREFUND').set('authorization', bearer(operator))
        .expect(404);
    });
  });

  describe('customers', () => {
    it('should show refundedAmount 0 on a new order', async () => {
      const { token } = await loginAs(app, 'fresh');
      const order = await pendingOrder(app, 'fresh');
      assert.equal((await customerView(app, { orderNo: order.orderNo, token })).refundedAmount, 0);
    });
  });
});
