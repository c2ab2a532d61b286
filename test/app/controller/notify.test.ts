import * as sqlLib from '../../../app/lib/sql';
import assert from 'node:assert/strict';
import { app, mock } from 'egg-mock/bootstrap';
import { OrderStatus } from '../../../app/lib/order-status';
import { pendingOrder } from '../../support/orders';
import { buildV2Notify, postV2Notify } from '../../support/v2-notify';
import { mockWechatPayConfig } from '../wechatpay-config';

describe('test/app/controller/notify.test.ts', () => {
  let orderNo: string;
  let amount: number;

  beforeEach(async () => {
    ({ orderNo, amount } = await pendingOrder(app));
  });
  afterEach(() => mock.restore());

  const paidNotify = (extra: Record<string, string | number | undefined> = {}) => buildV2Notify(app, {
    out_trade_no: orderNo, total_fee: amount, cash_fee: amount, transaction_id: '4200000001202611221234567890', ...extra,
  });
  const order = () => app.model.Order.findOne({ where: { orderNo } });
  const events = () => app.model.PaymentEvent.findAll({ order: [[ 'id', 'ASC' ]] });

  async function expectFail(body: string | Buffer, outcome: string, status = 200) {
    const res = await postV2Notify(app, body);
    assert.equal(res.status, status);
    assert.match(res.type, /^text\/xml/);
    assert.equal(res.reply.return_code, 'FAIL');
    assert.ok(res.reply.return_msg.length > 0);
    assert.equal((await order())!.status, OrderStatus.PENDING);
    const rows = await events();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].outcome, outcome);
    assert.equal(rows[0].verified, false);
    return res;
  }

  it('should mark the order paid once for a valid notify and answer SUCCESS in XML', async () => {
    const res = await postV2Notify(app, paidNotify());
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/xml/);
    assert.deepEqual({ ...res.reply }, { return_code: 'SUCCESS', return_msg: 'OK' });
    const paid = (await order())!;
    assert.equal(paid.status, OrderStatus.PAID);
    assert.equal(paid.transactionId, '4200000001202611221234567890');
    assert.equal(paid.paidAt!.toISOString(), '2026-11-22T07:30:00.000Z');
    const rows = await events();
    assert.equal(rows.length, 1);
    assert.equal(rows[0].outcome, 'PAID');
    assert.equal(rows[0].verified, true);
    assert.equal(rows[0].amount, amount);
    assert.equal(rows[0].source, 'notify');
  });

  it('should answer SUCCESS to a duplicate and not rewrite the order', async () => {
    const body = paidNotify();
    await postV2Notify(app, body);
    const before = (await order())!;
    const res = await postV2Notify(app, body);
    assert.equal(res.reply.return_code, 'SUCCESS');
    const after = (await order())!;
    assert.equal(after.updatedAt.getTime(), before.updatedAt.getTime());
    assert.deepEqual((await events()).map(e => e.outcome), [ 'PAID', 'DUPLICATE' ]);
  });

  it('should credit 50 concurrent copies exactly once and answer SUCCESS to all', async () => {
    const body = paidNotify();
    const replies = await Promise.all(Array.from({ length: 50 }, () => postV2Notify(app, body)));
    assert.deepEqual(new Set(replies.map(r => r.reply.return_code)), new Set([ 'SUCCESS' ]));
    const outcomes = (await events()).map(e => e.outcome);
    assert.equal(outcomes.length, 50);
    assert.equal(outcomes.filter(o => o === 'PAID').length, 1);
    assert.equal(outcomes.filter(o => o === 'DUPLICATE').length, 49);
    assert.equal((await order())!.status, OrderStatus.PAID);
  });

  it('should refuse a tampered notify', async () => {
    const body = paidNotify().replace(`<total_fee>${amount}</total_fee>`, '<total_fee>1</total_fee>');
    assert.notEqual(body, paidNotify());
    await expectFail(body, 'SIGNATURE_INVALID');
  });

  it('should refuse a notify signed with another key', async () => {
    await expectFail(buildV2Notify(app, { out_trade_no: orderNo, total_fee: amount, transaction_id: '42' },
      { key: 'x'.repeat(32) }), 'SIGNATURE_INVALID');
  });

  it('should refuse a notify without a signature', async () => {
    await expectFail(paidNotify().replace(/<sign>.*<\/sign>/, ''), 'SIGNATURE_INVALID');
  });

  it('should refuse a wrong amount, recorded as verified', async () => {
    const res = await postV2Notify(app, paidNotify({ total_fee: amount - 1, cash_fee: amount - 1 }));
    assert.equal(res.reply.return_code, 'FAIL');
    assert.match(res.reply.return_msg, /amount does not match/);
    assert.equal((await order())!.status, OrderStatus.PENDING);
    assert.deepEqual((await events()).map(e => [ e.outcome, e.verified ]), [[ 'AMOUNT_MISMATCH', true ]]);
  });

  it('should refuse another appid or mch_id', async () => {
    await expectFail(paidNotify({ appid: 'wx0000000000000000' }), 'APPID_MISMATCH');
    await app.model.PaymentEvent.destroy({ where: {} });
    await expectFail(paidNotify({ mch_id: '1234567890' }), 'MCHID_MISMATCH');
  });

  it('should refuse an unknown order', async () => {
    const res = await postV2Notify(app, paidNotify({ out_trade_no: 'NOSUCHORDER0001' }));
    assert.equal(res.reply.return_code, 'FAIL');
    assert.match(res.reply.return_msg, /unknown out_trade_no/);
    assert.deepEqual((await events()).map(e => e.outcome), [ 'UNKNOWN_ORDER' ]);
  });

  it('should record and acknowledge a failed payment, leaving the order PENDING', async () => {
    const res = await postV2Notify(app, paidNotify({ result_code: 'FAIL', err_code: 'NOTENOUGH', err_code_des: 'balance' }));
    assert.equal(res.reply.return_code, 'SUCCESS');
    assert.equal((await order())!.status, OrderStatus.PENDING);
    assert.deepEqual((await events()).map(e => [ e.outcome, e.verified ]), [[ 'PAYMENT_FAILED', true ]]);
  });

  it('should refuse malformed XML', async () => {
    await expectFail('<xml><return_code>SUCCESS</return_code>', 'XML_INVALID');
  });

  it('should refuse DOCTYPE and entity payloads without expanding them', async () => {
    const xxe = '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
      + '<xml><out_trade_no>&xxe;</out_trade_no></xml>';
    const res = await expectFail(xxe, 'XML_INVALID');
    assert.doesNotMatch(res.reply.return_msg, /root:/);
    await app.model.PaymentEvent.destroy({ where: {} });
    const laughs = '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><x>&b;</x></xml>';
    await expectFail(laughs, 'XML_INVALID');
  });

  it('should answer 413 to a body over 1 MB and FAIL to an empty one', async () => {
    await expectFail(Buffer.alloc(1024 * 1024 + 1, 'a'), 'BODY_TOO_LARGE', 413);
    await app.model.PaymentEvent.destroy({ where: {} });
    await expectFail('', 'BODY_EMPTY');
  });

  it('should record the request and answer FAIL when it cannot verify (no API key configured)', async () => {
    const body = paidNotify();
    mockWechatPayConfig(app, { apiKey: '' });
    const res = await postV2Notify(app, body);
    assert.equal(res.reply.return_code, 'FAIL');
    assert.deepEqual((await events()).map(e => [ e.outcome, e.verified ]), [[ 'VERIFY_ERROR', false ]]);
    assert.equal((await order())!.status, OrderStatus.PENDING);
  });

  it('should answer FAIL when the database fails, and succeed when WeChat retries', async () => {
    mock(sqlLib, 'sqlTransaction', async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:3306');
    });
    const body = paidNotify();
    const failed = await postV2Notify(app, body);
    assert.equal(failed.status, 200);
    assert.equal(failed.reply.return_code, 'FAIL');
    assert.equal((await order())!.status, OrderStatus.PENDING);
    mock.restore();
    const retried = await postV2Notify(app, body);
    assert.equal(retried.reply.return_code, 'SUCCESS');
    assert.equal((await order())!.status, OrderStatus.PAID);
  });
});
