import assert from 'node:assert/strict';
import { SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { callV2, control } from './support';
import { assertV3Signed, callV3, MERCHANT_SIGNER, newOutRefundNo, paidTrade, RefundSandbox, startRefundSandbox, V3Reply } from './refund-support';
import { rsaKeyPair } from '../lib/wxpay/v3-fixtures';

function assertV3Error(reply: V3Reply, status: number, code: string, message?: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.body.code, code, reply.text);
  if (message) assert.equal(reply.body.message, message);
  assertV3Signed(reply);
}

describe('test/sandbox/refund-v3.test.ts', () => {
  let running: RefundSandbox;

  before(async () => {
    running = await startRefundSandbox();
  });

  after(async () => {
    await running.close();
  });

  beforeEach(() => {
    running.sandbox.faults.clear();
  });

  /** Over TLS, as the service calls v3; the v3 API itself needs no client certificate. */
  const create = (body: Record<string, unknown>) => callV3(running.tlsOrigin, 'POST', '/v3/refund/domestic/refunds', body);
  const query = (outRefundNo: string) => callV3(running.tlsOrigin, 'GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`);

  function refundBody(trade: { outTradeNo: string; total: number }, overrides: Record<string, unknown> = {}, amount: Record<string, unknown> = {}) {
    return {
      out_trade_no: trade.outTradeNo,
      out_refund_no: newOutRefundNo(),
      reason: '商品已售完',
      notify_url: 'http://127.0.0.1:9/api/pay/refund-notify/v3',
      amount: { refund: trade.total, total: trade.total, currency: 'CNY', ...amount },
      ...overrides,
    };
  }

  describe('POST /v3/refund/domestic/refunds', () => {
    it('should accept a refund and answer the signed Refund object, PROCESSING', async () => {
      const trade = await paidTrade(running.origin, { api: 'v3' });
      const body = refundBody(trade, {}, { refund: 500 });
      const reply = await create(body);
      assert.equal(reply.status, 200, reply.text);
      assertV3Signed(reply);
      const refund = reply.body;
      assert.match(String(refund.refund_id), /^50\d{27}$/);
      assert.equal(refund.out_refund_no, body.out_refund_no);
      assert.equal(refund.transaction_id, trade.transactionId);
      assert.equal(refund.out_trade_no, trade.outTradeNo);
      assert.equal(refund.channel, 'ORIGINAL');
      assert.equal(refund.user_received_account, '支付用户零钱');
      assert.equal(refund.status, 'PROCESSING');
      assert.equal(refund.success_time, undefined);
      assert.match(String(refund.create_time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
      assert.equal(refund.funds_account, 'UNSETTLED');
      assert.deepEqual(refund.amount, {
        total: 1280, refund: 500, from: [], payer_total: 1280, payer_refund: 500,
        settlement_refund: 500, settlement_total: 1280, discount_refund: 0, currency: 'CNY', refund_fee: 0,
      });
      const [ kept ] = running.sandbox.refunds.ofTrade(trade.outTradeNo);
      assert.equal(kept.notifyForm, 'v3');
      assert.equal(kept.notifyUrl, body.notify_url);
    });

    it('should answer the same refund again for the same request, and INVALID_REQUEST for a different one', async () => {
      const trade = await paidTrade(running.origin, { api: 'v3' });
      const body = refundBody(trade, {}, { refund: 300 });
      const first = await create(body);
      const again = await create({ ...body, out_trade_no: undefined, transaction_id: trade.transactionId });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.refund_id, first.body.refund_id);
      assertV3Error(await create({ ...body, amount: { ...body.amount, refund: 301 } }), 400, 'INVALID_REQUEST',
        '订单金额或退款金额与之前请求不一致,请核实后再试');
    });

    it("should answer INVALID_REQUEST for a total that is not the trade's and for refunds exceeding it", async () => {
      const trade = await paidTrade(running.origin, { api: 'v3' });
      assertV3Error(await create(refundBody(trade, {}, { total: 1000, refund: 100 })), 400, 'INVALID_REQUEST',
        '订单金额或退款金额与之前请求不一致,请核实后再试');
      assert.equal((await create(refundBody(trade, {}, { refund: 1000 }))).status, 200);
      assertV3Error(await create(refundBody(trade, {}, { refund: 281 })), 400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
    });

    it('should share one refund ledger with v2: an out_refund_no is one refund whichever API asks', async () => {
      const trade = await paidTrade(running.origin, { api: 'v3' });
      const body = refundBody(trade, {}, { refund: 100 });
      const created = await create(body);
      const v2Query = await callV2(running.origin, 'refundquery', { appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, out_refund_no: body.out_refund_no });
      assert.equal(v2Query.fields.refund_id_0, created.body.refund_id, v2Query.text);
      assert.equal(v2Query.fields.refund_status_0, 'PROCESSING');
    });

    it('should answer 404 RESOURCE_NOT_EXISTS for an unknown or unpaid trade', async () => {
      assertV3Error(await create(refundBody({ outTradeNo: 'NO_SUCH_ORDER', total: 100 })), 404, 'RESOURCE_NOT_EXISTS', '订单不存在');
    });

    it('should answer 400 PARAM_ERROR for malformed bodies', async () => {
      const trade = await paidTrade(running.origin, { api: 'v3' });
      for (const body of [
        refundBody(trade, { out_trade_no: undefined }),
        refundBody(trade, { out_refund_no: undefined }),
        refundBody(trade, { out_refund_no: 'with space' }),
        refundBody(trade, { notify_url: 'http://127.0.0.1:9/notify?x=1' }),
        refundBody(trade, { funds_account: 'BASIC' }),
        refundBody(trade, { amount: undefined }),
        refundBody(trade, {}, { currency: undefined }),
        refundBody(trade, {}, { refund: '100' }),
        refundBody(trade, {}, { refund: 1281 }),
      ]) {
        assertV3Error(await create(body), 400, 'PARAM_ERROR');
      }
    });

    it('should answer 401 SIGN_ERROR to a request not signed by the merchant', async () => {
      const trade = await paidTrade(running.origin, { api: 'v3' });
      const stranger = { ...MERCHANT_SIGNER, privateKey: rsaKeyPair('stranger').privateKey };
      const reply = await callV3(running.tlsOrigin, 'POST', '/v3/refund/domestic/refunds', refundBody(trade), stranger);
      assertV3Error(reply, 401, 'SIGN_ERROR');
      assert.deepEqual(running.sandbox.refunds.ofTrade(trade.outTradeNo), []);
    });
  });

  describe('GET /v3/refund/domestic/refunds/{out_refund_no}', () => {
    it('should answer the refund as it stands, success_time once SUCCESS', async () => {
      const trade = await paidTrade(running.origin, { api: 'v3' });
      const body = refundBody(trade);
      const created = await create(body);
      const processing = await query(body.out_refund_no);
      assert.equal(processing.status, 200, processing.text);
      assertV3Signed(processing);
      assert.deepEqual(processing.body, created.body);
      await control(running.origin, 'POST', '/refund', { refundNo: body.out_refund_no, outcome: 'SUCCESS', deliverNotify: false });
      const succeeded = await query(body.out_refund_no);
      assert.equal(succeeded.body.status, 'SUCCESS');
      assert.match(String(succeeded.body.success_time), /\+08:00$/);
    });

    it('should answer 404 RESOURCE_NOT_EXISTS for an unknown refund, 400 for a malformed number', async () => {
      assertV3Error(await query(newOutRefundNo()), 404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      assertV3Error(await query('with space'), 400, 'PARAM_ERROR');
    });

    it('should answer refunds made by hand in the merchant platform as well', async () => {
      const trade = await paidTrade(running.origin, { api: 'v3' });
      const platform = await control(running.origin, 'POST', '/refund/platform', { outTradeNo: trade.outTradeNo, amount: 1, deliverNotify: false });
      const reply = await query(String(platform.body.refundNo));
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.status, 'SUCCESS');
      assert.equal(reply.body.refund_id, platform.body.refundId);
    });
  });
});
