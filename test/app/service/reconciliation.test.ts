import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { OrderStatus } from '../../../app/lib/order-status';
import { sandboxOf } from '../../../app/middleware/sandbox';
import { bearer } from '../../support/client';
import { pendingOrder } from '../../support/orders';
import { payerPays } from '../../support/sandbox';

describe('test/app/service/reconciliation.test.ts', () => {
  afterEach(() => mock.restore());

  async function prepaid(user: string) {
    const created = await pendingOrder(app, user, 1);
    const res = await app.httpRequest().post(`/api/orders/${created.orderNo}/pay`)
      .set('authorization', bearer(created.token))
      .expect(200);
    return { ...created, prepayId: (res.body.package as string).replace('prepay_id=', '') };
  }
  const statusOf = async (orderNo: string) => (await app.model.Order.findOne({ where: { orderNo } }))!.status;
  const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

  it('should settle a payment whose notify never arrived', async () => {
    const { orderNo, prepayId } = await prepaid('quiet');
    const paid = await payerPays(app, prepayId, { deliverNotify: false });
    // too young: left alone
    let report = await app.mockContext().service.reconciliation.run();
    assert.equal(report.examined, 0);
    report = await app.mockContext().service.reconciliation.run(later(app.config.wxpay.reconcileAfterSeconds + 1));
    assert.equal(report.paid, 1);
    const order = (await app.model.Order.findOne({ where: { orderNo } }))!;
    assert.equal(order.status, OrderStatus.PAID);
    assert.equal(order.transactionId, paid.transactionId);
  });

  it('should close orders past their payment window, at WeChat and here, releasing stock', async () => {
    const unpaid = await prepaid('late');
    const never = await pendingOrder(app, 'never', 3);
    const report = await app.mockContext().service.reconciliation.run(later(app.config.wxpay.paymentWindowSeconds + 1));
    assert.equal(report.closed, 2);
    assert.equal(await statusOf(unpaid.orderNo), OrderStatus.CLOSED);
    assert.equal(await statusOf(never.orderNo), OrderStatus.CLOSED);
    assert.equal(sandboxOf(app).trades.find(unpaid.orderNo)!.state, 'CLOSED');
    assert.equal((await app.model.Product.findByPk(never.productId))!.stock, 100);
  });

  it('should settle rather than close an expired order that was paid', async () => {
    const { orderNo, prepayId } = await prepaid('justintime');
    await payerPays(app, prepayId, { deliverNotify: false });
    const report = await app.mockContext().service.reconciliation.run(later(app.config.wxpay.paymentWindowSeconds + 1));
    assert.equal(report.paid, 1);
    assert.equal(await statusOf(orderNo), OrderStatus.PAID);
  });

  it('should let only one of several concurrent runs handle an order', async () => {
    await prepaid('a');
    await prepaid('b');
    const when = later(app.config.wxpay.paymentWindowSeconds + 1);
    const reports = await Promise.all([ 1, 2, 3 ].map(() => app.mockContext().service.reconciliation.run(when)));
    assert.equal(reports.reduce((sum, r) => sum + r.claimed, 0), 2);
    assert.equal(reports.reduce((sum, r) => sum + r.closed, 0), 2);
  });

  it('should keep going when WeChat fails for one order, and retry it after the lease', async () => {
    const { orderNo } = await prepaid('flaky');
    sandboxOf(app).faults.arm('orderquery', { kind: 'HTTP_500' }, 1);
    const when = later(app.config.wxpay.paymentWindowSeconds + 1);
    const first = await app.mockContext().service.reconciliation.run(when);
    assert.equal(first.failed, 1);
    assert.equal(await statusOf(orderNo), OrderStatus.PENDING);
    // claimed for a minute: not touched again until the lease ends
    assert.equal((await app.mockContext().service.reconciliation.run(when)).claimed, 0);
    const retry = await app.mockContext().service.reconciliation.run(new Date(when.getTime() + 61_000));
    assert.equal(retry.closed, 1);
  });
});
