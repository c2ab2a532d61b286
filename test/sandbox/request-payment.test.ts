import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { bearer } from '../support/client';
import { pendingOrder } from '../support/orders';
import { mockWechatPayConfig } from '../app/wechatpay-config';

/**
 * POST /sandbox/control/request-payment on the app's own sandbox mount, fed
 * with the wx.requestPayment parameters the real service's
 * POST /api/orders/:orderNo/pay hands out. The paySign check itself is pinned
 * to published vectors in test/sandbox/wechat/pay-sign.test.ts.
 */
describe('test/sandbox/request-payment.test.ts', () => {
  afterEach(() => mock.restore());

  async function payParams(user: string) {
    const { token, orderNo } = await pendingOrder(app, user);
    const res = await app.httpRequest().post(`/api/orders/${orderNo}/pay`).set('authorization', bearer(token))
      .expect(200);
    return { token, orderNo, params: res.body as Record<string, string> };
  }

  function requestPayment(body: Record<string, unknown>) {
    return app.httpRequest().post('/sandbox/control/request-payment').send(body);
  }

  async function orderStatus(token: string, orderNo: string): Promise<string> {
    const res = await app.httpRequest().get(`/api/orders/${orderNo}`).set('authorization', bearer(token))
      .expect(200);
    return res.body.status;
  }

  function useV3() {
    mockWechatPayConfig(app, { apiVersion: 'v3', notifyUrl: app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify$/, '/api/pay/notify/v3') });
  }

  for (const [ mode, setUp, signType ] of [
    [ 'v2 MD5', () => undefined, 'MD5' ],
    [ 'v2 HMAC-SHA256', () => mockWechatPayConfig(app, { signType: 'HMAC-SHA256' }), 'HMAC-SHA256' ],
    [ 'v3', useV3, 'RSA' ],
  ] as const) {
    it(`should verify the service's ${mode} paySign, pay, wait for the notify and leave the order PAID`, async () => {
      setUp();
      const { token, orderNo, params } = await payParams(`rp${signType}`);
      assert.equal(params.signType, signType);
      const res = await requestPayment(params).expect(200);
      assert.equal(res.body.paySignValid, true, res.body.reason);
      assert.equal(res.body.errMsg, 'requestPayment:ok');
      assert.equal(res.body.signType, signType);
      assert.equal(res.body.payment.outTradeNo, orderNo);
      assert.equal(res.body.payment.state, 'SUCCESS');
      assert.equal(res.body.payment.notify.firstAttempt.acknowledged, true, JSON.stringify(res.body.payment.notify));
      assert.equal(await orderStatus(token, orderNo), 'PAID');
    });
  }

  for (const [ mode, setUp ] of [[ 'v2', () => undefined ], [ 'v3', useV3 ]] as const) {
    it(`should refuse a tampered ${mode} paySign and pay nothing`, async () => {
      setUp();
      const { token, orderNo, params } = await payParams(`rptamper${mode}`);
      const tampered = [
        { ...params, paySign: `${params.paySign.slice(0, -4)}AAAA` },
        { ...params, timeStamp: String(Number(params.timeStamp) + 1) },
        { ...params, nonceStr: `${params.nonceStr}x` },
      ];
      for (const body of tampered) {
        const res = await requestPayment(body).expect(200);
        assert.equal(res.body.paySignValid, false);
        assert.match(res.body.errMsg, /^requestPayment:fail paySign is not the/);
        assert.equal(res.body.payment, undefined);
      }
      assert.equal(await orderStatus(token, orderNo), 'PENDING');
      const notifies = await app.httpRequest().get(`/sandbox/control/notifies?outTradeNo=${orderNo}`).expect(200);
      assert.deepEqual(notifies.body.attempts, []);
    });
  }

  it('should let the user cancel: a valid paySign, errMsg "requestPayment:fail cancel", the order still PENDING and payable', async () => {
    const { token, orderNo, params } = await payParams('rpcancel');
    const res = await requestPayment({ ...params, result: 'CANCEL' }).expect(200);
    assert.deepEqual(res.body, { paySignValid: true, signType: 'MD5', errMsg: 'requestPayment:fail cancel' });
    assert.equal(await orderStatus(token, orderNo), 'PENDING');
    const again = await requestPayment(params).expect(200);
    assert.equal(again.body.errMsg, 'requestPayment:ok');
  });

  it('should report a failed v2 payment after its notify (result_code FAIL), the order left PENDING', async () => {
    const { token, orderNo, params } = await payParams('rpfailv2');
    const res = await requestPayment({ ...params, result: 'FAIL' }).expect(200);
    assert.equal(res.body.paySignValid, true);
    assert.equal(res.body.errMsg, 'requestPayment:fail the payment failed');
    assert.equal(res.body.payment.state, 'PAYERROR');
    assert.equal(res.body.payment.notify.firstAttempt.acknowledged, true, JSON.stringify(res.body.payment.notify));
    assert.equal(await orderStatus(token, orderNo), 'PENDING');
  });

  it('should report a failed v3 payment without a notify (v3 notifies successes only), the order left PENDING', async () => {
    useV3();
    const { token, orderNo, params } = await payParams('rpfailv3');
    const res = await requestPayment({ ...params, result: 'FAIL' }).expect(200);
    assert.equal(res.body.errMsg, 'requestPayment:fail the payment failed');
    assert.equal(res.body.payment.state, 'PAYERROR');
    assert.equal(res.body.payment.notify.state, 'suppressed');
    assert.equal(await orderStatus(token, orderNo), 'PENDING');
  });

  it('should refuse another appId, a package that is not a live prepay_id, a paid order and missing parameters', async () => {
    const { params } = await payParams('rpchecks');
    const cases: Array<[ Record<string, unknown>, RegExp ]> = [
      [{ ...params, appId: 'wx0000000000000000' }, /appId wx0000000000000000 is not this mini-program's/ ],
      [{ ...params, package: 'prepay_id=wx_unknown' }, /no trade has prepay_id wx_unknown/ ],
      [{ ...params, package: params.package.replace('prepay_id=', 'prepayid=') }, /package is not prepay_id=/ ],
      [{ ...params, paySign: undefined, timeStamp: 1 }, /parameter timeStamp, paySign missing or not a string/ ],
      [{ ...params, signType: 'SHA1' }, /signType SHA1 does not match the v2 prepay's MD5/ ],
      [{ ...params, signType: 'HMAC-SHA256' }, /signType HMAC-SHA256 does not match the v2 prepay's MD5/ ],
      [{ ...params, timeStamp: `${params.timeStamp}000` }, /timeStamp is not seconds since the epoch/ ],
    ];
    for (const [ body, reason ] of cases) {
      const res = await requestPayment(body).expect(200);
      assert.equal(res.body.paySignValid, false);
      assert.match(res.body.reason, reason);
      assert.equal(res.body.errMsg, `requestPayment:fail ${res.body.reason}`);
    }
    await requestPayment(params).expect(200);
    const paidTwice = await requestPayment(params).expect(200);
    assert.equal(paidTwice.body.reason, 'the order is SUCCESS');
  });

  it('should refuse a v2 paySign for a v3 prepay (WeChat pays a v3 prepay_id with an RSA paySign only)', async () => {
    useV3();
    const { token, orderNo, params } = await payParams('rpcross');
    const res = await requestPayment({ ...params, signType: 'MD5' }).expect(200);
    assert.equal(res.body.paySignValid, false);
    assert.equal(res.body.reason, "signType MD5 does not match the v3 prepay's RSA");
    assert.equal(await orderStatus(token, orderNo), 'PENDING');
  });

  it('should answer 400 for a body that is not a JSON object or an unknown result', async () => {
    await requestPayment({ result: 'MAYBE' }).expect(400);
    await app.httpRequest().post('/sandbox/control/request-payment').set('content-type', 'application/json')
      .send('[1]')
      .expect(400);
  });
});
