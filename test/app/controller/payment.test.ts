import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { OrderStatus } from '../../../app/lib/order-status';
import { signV2 } from '../../../app/lib/wxpay/v2-sign';
import { buildXml } from '../../../app/lib/wxpay/xml';
import { sandboxOf } from '../../../app/middleware/sandbox';
import { bearer, loginAs } from '../../support/client';
import { pendingOrder } from '../../support/orders';
import { eventually, payerPays } from '../../support/sandbox';
import { mockWechatPayConfig } from '../wechatpay-config';
import { appOrigin, WechatRelay } from '../wechat-relay';

describe('test/app/controller/payment.test.ts', () => {
  let token: string;
  let orderNo: string;
  let amount: number;
  let productId: number;

  beforeEach(async () => {
    ({ token, orderNo, amount, productId } = await pendingOrder(app, 'payer', 2));
  });
  afterEach(() => mock.restore());

  const pay = (no = orderNo, auth = token) => app.httpRequest().post(`/api/orders/${no}/pay`).set('authorization', bearer(auth));
  const show = (query = '') => app.httpRequest().get(`/api/orders/${orderNo}${query}`).set('authorization', bearer(token));
  const close = () => app.httpRequest().post(`/api/orders/${orderNo}/close`).set('authorization', bearer(token));
  const order = async () => (await app.model.Order.findOne({ where: { orderNo } }))!;
  const stock = async () => (await app.model.Product.findByPk(productId))!.stock;
  const prepayIdOf = (pkg: string) => pkg.replace(/^prepay_id=/, '');

  /**
   * Runs `run` with WeChat Pay reached through a relay (test/app/wechat-relay.ts)
   * that can hold one answer: a race is then an order the test chooses, not a
   * sleep against a delay.
   */
  async function withRelay<T>(run: (relay: WechatRelay) => Promise<T>): Promise<T> {
    const relay = await new WechatRelay(appOrigin(app.config.wxpay.apiBase)).start();
    try {
      mock(app.config.wxpay, 'apiBase', `${relay.origin}/sandbox/pay`);
      return await run(relay);
    } finally {
      await relay.close();
    }
  }

  describe('POST /api/orders/:orderNo/pay', () => {
    it('should answer wx.requestPayment parameters with a paySign the mini-program can check', async () => {
      const res = await pay().expect(200);
      const { appId, timeStamp, nonceStr, package: pkg, signType, paySign } = res.body;
      assert.deepEqual(Object.keys(res.body).sort(), [ 'appId', 'nonceStr', 'package', 'paySign', 'signType', 'timeStamp' ]);
      assert.equal(appId, app.config.wechat.appId);
      assert.match(timeStamp, /^\d{10}$/);
      assert.ok(Math.abs(Number(timeStamp) - Date.now() / 1000) < 5);
      assert.match(nonceStr, /^[0-9A-Za-z]{1,32}$/);
      assert.match(pkg, /^prepay_id=wx\w+$/);
      assert.equal(signType, 'MD5');
      assert.equal(paySign, signV2({ appId, timeStamp, nonceStr, package: pkg, signType }, app.config.wxpay.apiKey, 'MD5'));
      const trade = sandboxOf(app).trades.find(orderNo)!;
      assert.equal(trade.totalFee, amount);
      assert.equal((await order()).prepayId, prepayIdOf(pkg));
    });

    it('should sign with HMAC-SHA256 when configured', async () => {
      mockWechatPayConfig(app, { signType: 'HMAC-SHA256' });
      const { body } = await pay().expect(200);
      assert.equal(body.signType, 'HMAC-SHA256');
      const { paySign, ...signed } = body;
      assert.equal(paySign, signV2(signed, app.config.wxpay.apiKey, 'HMAC-SHA256'));
    });

    it('should reuse a prepay_id that is still valid', async () => {
      const first = await pay().expect(200);
      const second = await pay().expect(200);
      assert.equal(second.body.package, first.body.package);
    });

    it('should ask for a new prepay_id once the stored one has expired', async () => {
      const first = await pay().expect(200);
      await app.model.Order.update({ prepayExpiresAt: new Date(Date.now() - 1000) }, { where: { orderNo } });
      const second = await pay().expect(200);
      // WeChat answers the same prepay_id for the same parameters within 2 h
      assert.equal(second.body.package, first.body.package);
      assert.ok((await order()).prepayExpiresAt! > new Date());
    });

    it('should answer 404 for another user\'s order', async () => {
      const other = await loginAs(app, 'mallory');
      const res = await pay(orderNo, other.token).expect(404);
      assert.equal(res.body.code, 'ORDER_NOT_FOUND');
      assert.equal(sandboxOf(app).trades.find(orderNo), undefined);
    });

    it('should answer 409 for a paid or closed order', async () => {
      await close().expect(200);
      assert.equal((await pay().expect(409)).body.code, 'ORDER_NOT_PENDING');
      await app.model.Order.update({ status: OrderStatus.PAID }, { where: { orderNo } });
      assert.equal((await pay().expect(409)).body.code, 'ORDER_ALREADY_PAID');
    });

    it('should answer 409 once the payment window has ended', async () => {
      await app.model.Order.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { orderNo } });
      assert.equal((await pay().expect(409)).body.code, 'ORDER_EXPIRED');
    });

    for (const [ kind, status, code ] of [
      [ 'SYSTEMERROR', 503, 'WECHATPAY_UNAVAILABLE' ],
      [ 'HTTP_500', 503, 'WECHATPAY_UNAVAILABLE' ],
    ] as const) {
      it(`should answer ${status} ${code} on ${kind} and leave the order untouched`, async () => {
        sandboxOf(app).faults.arm('unifiedorder', { kind }, 1);
        const res = await pay().expect(status);
        assert.equal(res.body.code, code);
        const current = await order();
        assert.equal(current.status, OrderStatus.PENDING);
        assert.equal(current.prepayId, null);
        await pay().expect(200);
      });
    }

    it('should answer 503 when WeChat Pay does not answer in time', async () => {
      mock(app.config.wxpay, 'timeoutMs', 200);
      sandboxOf(app).faults.arm('unifiedorder', { kind: 'DELAY', delayMs: 1000 }, 1);
      const res = await pay().expect(503);
      assert.equal(res.body.code, 'WECHATPAY_UNAVAILABLE');
      assert.equal((await order()).prepayId, null);
    });

    it('should answer 502 when WeChat Pay refuses our request signature', async () => {
      mockWechatPayConfig(app, { apiKey: 'k'.repeat(32) });
      const res = await pay().expect(502);
      assert.equal(res.body.code, 'WECHATPAY_ERROR');
      assert.equal((await order()).prepayId, null);
    });

    it('should not trust a reply that is not signed with our key', async () => {
      const forged: Record<string, string> = {
        return_code: 'SUCCESS', return_msg: 'OK', appid: app.config.wechat.appId, mch_id: app.config.wxpay.mchId,
        nonce_str: 'n0nce', result_code: 'SUCCESS', prepay_id: 'wx_forged', trade_type: 'JSAPI',
      };
      forged.sign = signV2(forged, 'f'.repeat(32), 'MD5');
      app.mockHttpclient(`${app.config.wxpay.apiBase}/pay/unifiedorder`, 'POST', { data: buildXml(forged) });
      const res = await pay().expect(502);
      assert.equal(res.body.code, 'WECHATPAY_ERROR');
      assert.equal((await order()).prepayId, null);
    });
  });

  describe('the whole flow through the sandbox', () => {
    it('should go login → order → pay → payer pays → notify → PAID', async () => {
      const { body } = await pay().expect(200);
      await payerPays(app, prepayIdOf(body.package));
      await eventually(async () => (await order()).status === OrderStatus.PAID);
      const res = await show().expect(200);
      assert.equal(res.body.status, 'PAID');
      assert.match(res.body.transactionId, /^\d{28}$/);
      assert.ok(res.body.paidAt);
      const events = await app.model.PaymentEvent.findAll();
      assert.deepEqual(events.map(e => [ e.outcome, e.verified ]), [[ 'PAID', true ]]);
      await eventually(async () => {
        const delivery = await app.httpRequest().get(`/sandbox/control/notifies?outTradeNo=${orderNo}`);
        return delivery.body.state === 'acknowledged';
      });
    });

    it('should keep the order PENDING after a failed payment notify', async () => {
      const { body } = await pay().expect(200);
      await payerPays(app, prepayIdOf(body.package), { result: 'FAIL' });
      await eventually(async () => (await app.model.PaymentEvent.count()) === 1);
      assert.equal((await order()).status, OrderStatus.PENDING);
      assert.equal((await app.model.PaymentEvent.findOne())!.outcome, 'PAYMENT_FAILED');
    });
  });

  describe('GET /api/orders/:orderNo?refresh=1', () => {
    it('should settle a paid order whose notify has not come', async () => {
      const { body } = await pay().expect(200);
      const paid = await payerPays(app, prepayIdOf(body.package), { deliverNotify: false });
      assert.equal((await show().expect(200)).body.status, 'PENDING');
      const res = await show('?refresh=1').expect(200);
      assert.equal(res.body.status, 'PAID');
      assert.equal(res.body.transactionId, paid.transactionId);
      const events = await app.model.PaymentEvent.findAll();
      assert.deepEqual(events.map(e => [ e.source, e.outcome ]), [[ 'query', 'PAID' ]]);
    });

    // The races below are forced, not hoped for: the relay holds WeChat's answer to
    // one order query until the competing settlement has committed.
    const sourcesAndOutcomes = async () => (await app.model.PaymentEvent.findAll({ order: [[ 'id', 'ASC' ]] }))
      .map(e => [ e.source, e.outcome ]);

    it('should credit once when the notify commits between the query\'s answer and its application', async () => {
      const { body } = await pay().expect(200);
      const paid = await payerPays(app, prepayIdOf(body.package), { deliverNotify: false });
      await withRelay(async relay => {
        const held = relay.holdNext('/pay/orderquery');
        const refreshing = show('?refresh=1').then(res => res); // supertest sends on then()
        await held.arrived; // WeChat has answered SUCCESS; the service has not read it yet
        const resent = await app.httpRequest().post('/sandbox/control/notify/resend').send({ outTradeNo: orderNo })
          .expect(200);
        assert.equal(resent.body.acknowledged, true);
        assert.equal((await order()).status, OrderStatus.PAID);
        held.release();
        const res = await refreshing;
        assert.equal(res.status, 200);
        assert.equal(res.body.status, 'PAID');
      });
      assert.deepEqual(await sourcesAndOutcomes(), [[ 'notify', 'PAID' ], [ 'query', 'DUPLICATE' ]]);
      assert.equal((await order()).transactionId, paid.transactionId);
    });

    it('should credit once when two refreshes\' answers cross', async () => {
      const { body } = await pay().expect(200);
      await payerPays(app, prepayIdOf(body.package), { deliverNotify: false });
      await withRelay(async relay => {
        const held = relay.holdNext('/pay/orderquery');
        const first = show('?refresh=1').then(res => res);
        await held.arrived; // the first refresh read the order PENDING and WeChat answered it
        assert.equal((await show('?refresh=1').expect(200)).body.status, 'PAID');
        held.release();
        assert.equal((await first).body.status, 'PAID');
      });
      assert.deepEqual(await sourcesAndOutcomes(), [[ 'query', 'PAID' ], [ 'query', 'DUPLICATE' ]]);
    });

    it('should close an order that WeChat reports CLOSED and release its stock', async () => {
      await pay().expect(200);
      sandboxOf(app).trades.close(sandboxOf(app).trades.find(orderNo)!);
      const res = await show('?refresh=1').expect(200);
      assert.equal(res.body.status, 'CLOSED');
      assert.equal(await stock(), 100);
    });

    it('should leave an unpaid order PENDING', async () => {
      await pay().expect(200);
      assert.equal((await show('?refresh=1').expect(200)).body.status, 'PENDING');
    });

    it('should not apply a query answer about another order', async () => {
      await pay().expect(200);
      const { wechat, wxpay } = app.config;
      const foreign: Record<string, string> = {
        return_code: 'SUCCESS', appid: wechat.appId, mch_id: wxpay.mchId, nonce_str: 'n0nce', result_code: 'SUCCESS',
        trade_state: 'SUCCESS', out_trade_no: 'SOMEONEELSE0001', transaction_id: '4200000003202611221234567890',
        total_fee: String(amount), time_end: '20261122153000',
      };
      foreign.sign = signV2(foreign, wxpay.apiKey, 'MD5');
      app.mockHttpclient(`${wxpay.apiBase}/pay/orderquery`, 'POST', { data: buildXml(foreign) });
      assert.equal((await show('?refresh=1').expect(502)).body.code, 'WECHATPAY_BAD_RESPONSE');
      assert.equal((await order()).status, OrderStatus.PENDING);
    });

    it('should answer 503 and change nothing when the query fails', async () => {
      await pay().expect(200);
      sandboxOf(app).faults.arm('orderquery', { kind: 'SYSTEMERROR' }, 1);
      assert.equal((await show('?refresh=1').expect(503)).body.code, 'WECHATPAY_UNAVAILABLE');
      assert.equal((await order()).status, OrderStatus.PENDING);
    });
  });

  describe('POST /api/orders/:orderNo/close', () => {
    it('should close a never-prepaid order locally and release its stock', async () => {
      assert.equal(await stock(), 98);
      const res = await close().expect(200);
      assert.equal(res.body.status, 'CLOSED');
      assert.equal(await stock(), 100);
      // closing twice is harmless and does not release twice
      await close().expect(200);
      assert.equal(await stock(), 100);
    });

    it('should close a prepaid order at WeChat too', async () => {
      await pay().expect(200);
      await close().expect(200);
      assert.equal(sandboxOf(app).trades.find(orderNo)!.state, 'CLOSED');
      assert.equal((await order()).status, OrderStatus.CLOSED);
    });

    it('should answer 409 for a paid order', async () => {
      const { body } = await pay().expect(200);
      await payerPays(app, prepayIdOf(body.package));
      await eventually(async () => (await order()).status === OrderStatus.PAID);
      assert.equal((await close().expect(409)).body.code, 'ORDER_NOT_CLOSABLE');
      assert.equal(await stock(), 98);
    });

    it('should settle instead of closing when WeChat says it was paid meanwhile', async () => {
      const { body } = await pay().expect(200);
      await payerPays(app, prepayIdOf(body.package), { deliverNotify: false });
      assert.equal((await close().expect(409)).body.code, 'ORDER_ALREADY_PAID');
      assert.equal((await order()).status, OrderStatus.PAID);
      assert.equal(await stock(), 98);
    });

    it('should not hand out a paySign for an order closed while WeChat was being asked', async () => {
      const res = await withRelay(async relay => {
        const held = relay.holdNext('/pay/unifiedorder');
        const paying = pay().then(reply => reply); // supertest sends on then()
        await held.arrived; // WeChat has made the prepay; the service has not seen its answer yet
        assert.equal((await close().expect(200)).body.status, 'CLOSED');
        held.release();
        return paying;
      });
      assert.equal(res.status, 409);
      assert.equal(res.body.code, 'ORDER_NOT_PENDING');
      // the prepay made meanwhile is closed at WeChat, so nobody can pay it
      assert.equal(sandboxOf(app).trades.find(orderNo)!.state, 'CLOSED');
      assert.equal(await stock(), 100);
    });

    it('should close at WeChat a prepay that appeared after the order was read', async () => {
      const current = await order();
      await pay().expect(200);
      // `current` was read before the pay call stored its prepay_id
      await app.mockContext().service.payment.closeEverywhere(current);
      assert.equal((await order()).status, OrderStatus.CLOSED);
      assert.equal(sandboxOf(app).trades.find(orderNo)!.state, 'CLOSED');
      assert.equal(await stock(), 100);
    });

    it('should answer 503 and stay PENDING when WeChat cannot close it', async () => {
      await pay().expect(200);
      sandboxOf(app).faults.arm('closeorder', { kind: 'HTTP_500' }, 1);
      await close().expect(503);
      assert.equal((await order()).status, OrderStatus.PENDING);
      assert.equal(await stock(), 98);
    });
  });
});
