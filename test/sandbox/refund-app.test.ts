import assert from 'node:assert/strict';
import { app } from 'egg-mock/bootstrap';
import { parseXml } from '../../app/lib/wxpay/xml';
import { sandboxOf } from '../../app/middleware/sandbox';
import { decryptReqInfo } from '../../sandbox/wechat/refund-req-info';
import { bearer } from '../support/client';
import { pendingOrder } from '../support/orders';
import {
  injectFault,
  platformRefund,
  refundNotifies,
  resendRefundNotify,
  sandboxRefunds,
  settleRefund,
} from '../support/refunds';
import { payerPays } from '../support/sandbox';
import { ACK_SUCCESS } from './support';
import { callRefundV2, NotifySink, refundFields } from './refund-support';

/**
 * The app's own sandbox as the tests wire it (test/.setup.ts): the Pay API
 * over TLS, the merchant API certificate config.unittest issues, and the
 * test/support refund helpers flow tests drive WeChat's side with.
 */
describe('test/sandbox/refund-app.test.ts', () => {
  let sink: NotifySink;

  before(async () => {
    sink = await new NotifySink(body => parseXml(decryptReqInfo(parseXml(body).req_info, app.config.wxpay.apiKey), 'root').out_refund_no).start();
    sink.reply = () => ({ status: 200, body: ACK_SUCCESS });
  });

  after(async () => {
    await sink.close();
  });

  /** An order paid at the app's sandbox, without its payment notify. */
  async function paidOrder() {
    const { token, orderNo, amount } = await pendingOrder(app, 'refunder');
    const res = await app.httpRequest().post(`/api/orders/${orderNo}/pay`).set('authorization', bearer(token))
      .expect(200);
    const paid = await payerPays(app, String(res.body.package).replace(/^prepay_id=/, ''), { deliverNotify: false });
    return { orderNo, amount, transactionId: paid.transactionId };
  }

  /** The app's configured merchant API certificate and key: what the service presents on /secapi. */
  const appIdentity = () => ({ cert: app.config.wxpay.clientCert, key: app.config.wxpay.privateKey });
  const tlsOrigin = () => new URL(app.config.wxpay.apiBase).origin;

  it('should send every Pay API call over TLS to the sandbox', () => {
    assert.match(app.config.wxpay.apiBase, /^https:\/\/127\.0\.0\.1:\d+\/sandbox\/pay$/);
  });

  it("should accept the merchant API certificate the unittest config issued for the app's key", async () => {
    const { orderNo, amount, transactionId } = await paidOrder();
    const fields = refundFields(orderNo, { transaction_id: transactionId, total_fee: amount, refund_fee: 100 });
    const reply = await callRefundV2(tlsOrigin(), fields, 'MD5', appIdentity());
    assert.equal(reply.fields.result_code, 'SUCCESS', reply.text);
    const [ refund ] = await sandboxRefunds(app, orderNo);
    assert.equal(refund.refundNo, fields.out_refund_no);
    assert.equal(refund.state, 'PROCESSING');
  });

  it('should settle, log and resend through the test/support helpers', async () => {
    const { orderNo, amount } = await paidOrder();
    const fields = refundFields(orderNo, { total_fee: amount, refund_fee: amount, notify_url: sink.url });
    await callRefundV2(tlsOrigin(), fields, 'MD5', appIdentity());
    const refundNo = String(fields.out_refund_no);

    const settled = await settleRefund(app, refundNo, 'SUCCESS');
    assert.equal(settled.state, 'SUCCESS');
    assert.equal(settled.notify.state, 'acknowledged');
    assert.equal(settled.notify.firstAttempt?.acknowledged, true);
    const resent = await resendRefundNotify(app, refundNo);
    assert.equal(resent.resend, true);
    const log = await refundNotifies(app, refundNo);
    assert.equal(log.state, 'acknowledged');
    assert.equal(log.attempts.length, 2);
    assert.equal(sink.about(refundNo).length, 2);
    await assert.rejects(settleRefund(app, refundNo, 'CLOSED'), /answered 409/);
  });

  it('should make a merchant-platform refund through the helper, notified to the refund-notify URL by default', async () => {
    const { orderNo } = await paidOrder();
    const refund = await platformRefund(app, orderNo, 200, { deliverNotify: false });
    assert.equal(refund.source, 'VENDOR_PLATFORM');
    assert.equal(refund.state, 'SUCCESS');
    assert.equal(refund.notifyUrl, app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify$/, '/api/pay/refund-notify'));
    assert.deepEqual((await sandboxRefunds(app, orderNo)).map(item => item.refundNo), [ refund.refundNo ]);
    const sent = await platformRefund(app, orderNo, 300, { notifyUrl: sink.url });
    assert.equal(sent.notify.state, 'acknowledged');
  });

  it('should arm refund faults through the helper, cleared before each test by the setup', async () => {
    const { orderNo, amount } = await paidOrder();
    await injectFault(app, 'refund', 'NOTENOUGH');
    const reply = await callRefundV2(tlsOrigin(), refundFields(orderNo, { total_fee: amount }), 'MD5', appIdentity());
    assert.equal(reply.fields.err_code, 'NOTENOUGH');
    await injectFault(app, 'refund', 'DELAY', { delayMs: 1 });
    assert.deepEqual(sandboxOf(app).faults.armed().map(fault => fault.kind), [ 'DELAY' ]);
    await assert.rejects(injectFault(app, 'refundquery', 'NOTENOUGH'), /answered 400/);
  });
});
