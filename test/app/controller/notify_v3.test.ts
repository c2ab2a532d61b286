import * as sqlLib from '../../../app/lib/sql';
import assert from 'node:assert/strict';
import { createPublicKey, createVerify } from 'node:crypto';
import { app, mock } from 'egg-mock/bootstrap';
import { OrderStatus } from '../../../app/lib/order-status';
import { bearer } from '../../support/client';
import { pendingOrder } from '../../support/orders';
import { eventually, payerPays } from '../../support/sandbox';
import { buildV3Notify, postV3Notify } from '../../support/v3-notify';
import { mockWechatPayConfig } from '../wechatpay-config';

describe('test/app/controller/notify_v3.test.ts', () => {
  let orderNo: string;
  let amount: number;
  let token: string;

  beforeEach(async () => {
    mock(app.config.wxpay, 'apiVersion', 'v3');
    mock(app.config.wxpay, 'notifyUrl', app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify$/, '/api/pay/notify/v3'));
    ({ orderNo, amount, token } = await pendingOrder(app, 'v3payer'));
  });
  afterEach(() => mock.restore());

  const transaction = (extra: Record<string, unknown> = {}) => ({
    out_trade_no: orderNo,
    transaction_id: '4200000002202611221234567890',
    amount: { total: amount, payer_total: amount, currency: 'CNY', payer_currency: 'CNY' },
    ...extra,
  });
  const order = async () => (await app.model.Order.findOne({ where: { orderNo } }))!;
  const outcomes = async () => (await app.model.PaymentEvent.findAll({ order: [[ 'id', 'ASC' ]] })).map(e => e.outcome);

  it('should verify, decrypt, mark PAID and answer 204', async () => {
    const res = await postV3Notify(app, buildV3Notify(app, transaction()));
    assert.equal(res.status, 204);
    const paid = await order();
    assert.equal(paid.status, OrderStatus.PAID);
    assert.equal(paid.transactionId, '4200000002202611221234567890');
    assert.equal(paid.paidAt!.toISOString(), '2026-11-22T07:30:00.000Z');
    assert.deepEqual(await outcomes(), [ 'PAID' ]);
  });

  it('should credit duplicates and 50 concurrent copies once, answering 204 to all', async () => {
    const notify = buildV3Notify(app, transaction());
    const replies = await Promise.all(Array.from({ length: 50 }, () => postV3Notify(app, notify)));
    assert.deepEqual(new Set(replies.map(r => r.status)), new Set([ 204 ]));
    assert.equal((await postV3Notify(app, notify)).status, 204);
    const all = await outcomes();
    assert.equal(all.filter(o => o === 'PAID').length, 1);
    assert.equal(all.filter(o => o === 'DUPLICATE').length, 50);
  });

  it('should answer 401 for every signature failure and change nothing', async () => {
    const good = buildV3Notify(app, transaction());
    // well past the ±300 s window (the exact edges are unit-tested in test/lib/wxpay)
    const now = Math.floor(Date.now() / 1000);
    const withHeaders = (headers: Record<string, string>) => ({ body: good.body, headers: { ...good.headers, ...headers } });
    const cases: Array<[string, { body: string; headers: Record<string, string> }, string]> = [
      [ 'a missing header', withHeaders({ 'Wechatpay-Signature': '' }), 'HEADER_MISSING' ],
      [ 'a stale timestamp', buildV3Notify(app, transaction(), { timestamp: String(now - 310) }), 'TIMESTAMP_EXPIRED' ],
      [ 'a future timestamp', buildV3Notify(app, transaction(), { timestamp: String(now + 310) }), 'TIMESTAMP_EXPIRED' ],
      [ 'an unknown serial', withHeaders({ 'Wechatpay-Serial': 'PUB_KEY_ID_UNKNOWN' }), 'SERIAL_UNKNOWN' ],
      [ 'a SIGNTEST probe', withHeaders({ 'Wechatpay-Signature': 'WECHATPAY/SIGNTEST/abc' }), 'SIGNATURE_INVALID' ],
      [ 'a bad signature', withHeaders({ 'Wechatpay-Signature': Buffer.alloc(256, 1).toString('base64') }), 'SIGNATURE_INVALID' ],
    ];
    for (const [ name, notify, code ] of cases) {
      const res = await postV3Notify(app, notify);
      assert.equal(res.status, 401, name);
      assert.equal(res.body.code, 'FAIL');
      assert.equal((await outcomes()).pop(), code, name);
    }
    const tampered = await postV3Notify(app, { body: good.body.replace('TRANSACTION.SUCCESS', 'TRANSACTION.SUCCESS '), headers: good.headers });
    assert.equal(tampered.status, 401);
    assert.equal((await order()).status, OrderStatus.PENDING);
  });

  it('should answer 400 for a resource encrypted with another key', async () => {
    const res = await postV3Notify(app, buildV3Notify(app, transaction(), { apiV3Key: 'k'.repeat(32) }));
    assert.equal(res.status, 400);
    assert.equal((await outcomes()).pop(), 'RESOURCE_INVALID');
    assert.equal((await order()).status, OrderStatus.PENDING);
  });

  it('should refuse a wrong amount, appid, mchid or unknown order', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ amount: { total: amount - 1, payer_total: amount - 1, currency: 'CNY' } }, 'AMOUNT_MISMATCH' ],
      [{ appid: 'wx0000000000000000' }, 'APPID_MISMATCH' ],
      [{ mchid: '1234567890' }, 'MCHID_MISMATCH' ],
      [{ out_trade_no: 'NOSUCHORDER0002' }, 'UNKNOWN_ORDER' ],
    ];
    for (const [ extra, outcome ] of cases) {
      const res = await postV3Notify(app, buildV3Notify(app, transaction(extra)));
      assert.equal(res.status, 400, outcome);
      assert.equal((await outcomes()).pop(), outcome);
    }
    assert.equal((await order()).status, OrderStatus.PENDING);
  });

  it('should answer 400 for an event that is not TRANSACTION.SUCCESS', async () => {
    const res = await postV3Notify(app, buildV3Notify(app, transaction(), { eventType: 'REFUND.SUCCESS' }));
    assert.equal(res.status, 400);
    assert.equal((await order()).status, OrderStatus.PENDING);
  });

  it('should record the request and answer 500 when it cannot verify (a malformed APIv3 key)', async () => {
    const notify = buildV3Notify(app, transaction());
    mockWechatPayConfig(app, { apiV3Key: 'too-short' });
    assert.equal((await postV3Notify(app, notify)).status, 500);
    assert.deepEqual(await outcomes(), [ 'VERIFY_ERROR' ]);
    assert.equal((await order()).status, OrderStatus.PENDING);
  });

  it('should answer 500 when the database fails, and 204 when WeChat retries', async () => {
    const notify = buildV3Notify(app, transaction());
    mock(sqlLib, 'sqlTransaction', async () => {
      throw new Error('connect ECONNREFUSED');
    });
    assert.equal((await postV3Notify(app, notify)).status, 500);
    assert.equal((await order()).status, OrderStatus.PENDING);
    mock.restore();
    mock(app.config.wxpay, 'apiVersion', 'v3');
    assert.equal((await postV3Notify(app, notify)).status, 204);
    assert.equal((await order()).status, OrderStatus.PAID);
  });

  it('should run the whole v3 flow: RSA paySign, payer pays, encrypted notify, PAID', async () => {
    const res = await app.httpRequest().post(`/api/orders/${orderNo}/pay`).set('authorization', bearer(token))
      .expect(200);
    const { appId, timeStamp, nonceStr, package: pkg, signType, paySign } = res.body;
    assert.equal(signType, 'RSA');
    const merchantPublicKey = createPublicKey(app.config.wxpay.privateKey);
    const verified = createVerify('RSA-SHA256').update(`${appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`)
      .verify(merchantPublicKey, paySign, 'base64');
    assert.equal(verified, true);
    await payerPays(app, pkg.replace('prepay_id=', ''));
    await eventually(async () => (await order()).status === OrderStatus.PAID);
    const refreshed = await app.httpRequest().get(`/api/orders/${orderNo}?refresh=1`).set('authorization', bearer(token))
      .expect(200);
    assert.equal(refreshed.body.status, 'PAID');
  });

  it('should refresh and close through v3', async () => {
    const res = await app.httpRequest().post(`/api/orders/${orderNo}/pay`).set('authorization', bearer(token))
      .expect(200);
    await payerPays(app, res.body.package.replace('prepay_id=', ''), { deliverNotify: false });
    const refreshed = await app.httpRequest().get(`/api/orders/${orderNo}?refresh=1`).set('authorization', bearer(token))
      .expect(200);
    assert.equal(refreshed.body.status, 'PAID');
    const other = await pendingOrder(app, 'v3closer');
    await app.httpRequest().post(`/api/orders/${other.orderNo}/pay`).set('authorization', bearer(other.token))
      .expect(200);
    const closed = await app.httpRequest().post(`/api/orders/${other.orderNo}/close`).set('authorization', bearer(other.token))
      .expect(200);
    assert.equal(closed.body.status, 'CLOSED');
  });
});
