import assert from 'node:assert/strict';
import { MockApplication } from 'egg-mock';
import { bearer } from '../support/client';
import { pendingOrder } from '../support/orders';
import { payerPays } from '../support/sandbox';
import { staffToken } from './staff-accounts';

/** A PAID order of `quantity` lattes (2600 fen each): prepaid, paid at the sandbox, its notify delivered and acknowledged. */
export async function paidOrder(app: MockApplication, quantity = 1) {
  const order = await pendingOrder(app, 'payer', quantity);
  const pay = await app.httpRequest().post(`/api/orders/${order.orderNo}/pay`).set('authorization', bearer(order.token))
    .expect(200);
  const paid = await payerPays(app, String(pay.body.package).replace('prepay_id=', ''), { wait: true });
  assert.equal(paid.notify.firstAttempt?.acknowledged, true, 'the pay notify was not acknowledged');
  const view = await app.httpRequest().get(`/api/orders/${order.orderNo}`).set('authorization', bearer(order.token))
    .expect(200);
  assert.equal(view.body.status, 'PAID');
  return { ...order, transactionId: paid.transactionId };
}

/** An operator's token (the account is made on first use). */
export function operatorToken(app: MockApplication): Promise<string> {
  return staffToken(app, 'olga', 'operator');
}

/** POST /admin/api/orders/:orderNo/refunds as it is answered. */
export function requestRefund(app: MockApplication, token: string, orderNo: string, body: unknown, idempotencyKey?: string) {
  const request = app.httpRequest().post(`/admin/api/orders/${orderNo}/refunds`).set('authorization', bearer(token));
  if (idempotencyKey !== undefined) request.set('idempotency-key', idempotencyKey);
  return request.send(body as object);
}

/** The order as its customer sees it. */
export async function customerView(app: MockApplication, order: { orderNo: string; token: string }) {
  return (await app.httpRequest().get(`/api/orders/${order.orderNo}`).set('authorization', bearer(order.token))
    .expect(200)).body;
}

/** A refund as staff see it. */
export async function refundView(app: MockApplication, token: string, refundNo: string, refresh = false) {
  return (await app.httpRequest().get(`/admin/api/refunds/${refundNo}${refresh ? '?refresh=1' : ''}`).set('authorization', bearer(token))
    .expect(200)).body;
}
