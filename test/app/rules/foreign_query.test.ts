import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { bearer } from '../../support/client';
import { pendingOrder } from '../../support/orders';

// Rule: a reply from WeChat Pay is trusted only when it is about us. An order
// query answered with a correct signature but naming another appid or mchid
// (the sandbox's FOREIGN_APPID / FOREIGN_MCHID faults) changes nothing: the
// order stays PENDING, nothing is recorded as PAID, and the API answers 502.

const CASES = [
  { version: 'v2', target: 'orderquery', kind: 'FOREIGN_APPID' },
  { version: 'v2', target: 'orderquery', kind: 'FOREIGN_MCHID' },
  { version: 'v3', target: 'query', kind: 'FOREIGN_APPID' },
  { version: 'v3', target: 'query', kind: 'FOREIGN_MCHID' },
] as const;

describe('test/app/rules/foreign_query.test.ts', () => {
  for (const { version, target, kind } of CASES) {
    it(`should change nothing and answer 502 when a ${version} order query is answered with another ${kind === 'FOREIGN_APPID' ? 'appid' : 'mchid'}`, async () => {
      if (version === 'v3') {
        mock(app.config.wxpay, 'apiVersion', 'v3');
        mock(app.config.wxpay, 'notifyUrl', app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify$/, '/api/pay/notify/v3'));
      }
      const { orderNo, token } = await pendingOrder(app, `foreign${version}`);
      const auth = bearer(token);
      await app.httpRequest().post(`/api/orders/${orderNo}/pay`).set('authorization', auth)
        .expect(200);
      // Paid at WeChat, but the merchant is not told: only a query can reveal it.
      const paid = await app.httpRequest().post('/sandbox/control/pay').send({ outTradeNo: orderNo, deliverNotify: false });
      assert.equal(paid.status, 200, paid.text);
      const armed = await app.httpRequest().post('/sandbox/control/faults').send({ target, kind });
      assert.equal(armed.status, 200, `the sandbox cannot answer about another merchant yet: ${armed.text}`);

      const refreshed = await app.httpRequest().get(`/api/orders/${orderNo}?refresh=1`).set('authorization', auth);
      assert.equal(refreshed.status, 502, refreshed.text);
      assert.equal(typeof refreshed.body.code, 'string');

      const order = (await app.model.Order.findOne({ where: { orderNo } }))!;
      assert.equal(order.status, 'PENDING');
      assert.equal(order.transactionId, null);
      assert.equal(order.paidAt, null);
      const paidRows = await app.model.PaymentEvent.count({ where: { orderNo, outcome: 'PAID' } });
      assert.equal(paidRows, 0);

      // The same query answered about us settles it: the trade really is paid, only the foreign answer was refused.
      const genuine = await app.httpRequest().get(`/api/orders/${orderNo}?refresh=1`).set('authorization', auth)
        .expect(200);
      assert.equal(genuine.body.status, 'PAID');
      assert.equal(genuine.body.transactionId, paid.body.transactionId);
    });
  }
});
