import assert from 'node:assert/strict';
import { verifyV2Signature } from '../../app/lib/wxpay/v2-sign';
import { buildXml, XmlFields } from '../../app/lib/wxpay/xml';
import { SANDBOX_API_KEY, SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { callV2, control, orderFields, signRequest, V2Reply } from './support';
import {
  callRefundV2,
  MERCHANT_IDENTITY,
  newOutRefundNo,
  paidTrade,
  postTls,
  RefundSandbox,
  refundFields,
  startRefundSandbox,
} from './refund-support';

const PARAMS_MISMATCH = '订单金额或退款金额与之前请求不一致,请核实后再试';
const EXCEEDS_REFUNDABLE = '申请退款金额超过订单可退金额';

function assertSigned(reply: V2Reply, signType: 'MD5' | 'HMAC-SHA256' = 'MD5'): void {
  assert.equal(reply.status, 200);
  assert.equal(reply.fields.return_code, 'SUCCESS', reply.text);
  assert.equal(reply.fields.appid, SANDBOX_APPID);
  assert.equal(reply.fields.mch_id, SANDBOX_MCHID);
  assert.ok(verifyV2Signature(reply.fields, SANDBOX_API_KEY, signType), `reply not signed with ${signType}`);
}

function assertRefused(reply: V2Reply, errCode: string, errCodeDes?: string): void {
  assertSigned(reply);
  assert.equal(reply.fields.result_code, 'FAIL', reply.text);
  assert.equal(reply.fields.err_code, errCode, reply.text);
  if (errCodeDes) assert.equal(reply.fields.err_code_des, errCodeDes);
}

describe('test/sandbox/refund-v2.test.ts', () => {
  let running: RefundSandbox;
  let now = Date.now();

  before(async () => {
    running = await startRefundSandbox({ clock: () => now });
  });

  after(async () => {
    await running.close();
  });

  beforeEach(() => {
    now = Date.now();
    running.sandbox.faults.clear();
  });

  const refund = (fields: XmlFields, signType: 'MD5' | 'HMAC-SHA256' = 'MD5') => callRefundV2(running.tlsOrigin, fields, signType);
  const refundQuery = (fields: XmlFields) => callV2(running.origin, 'refundquery', { appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, ...fields });
  const settle = (refundNo: string, outcome: string) => control(running.origin, 'POST', '/refund', { refundNo, outcome, deliverNotify: false });

  describe('POST /secapi/pay/refund', () => {
    it('should accept a refund: PROCESSING at WeChat, a 29-digit refund_id starting 50, the reply signed with MD5', async () => {
      const { outTradeNo, transactionId } = await paidTrade(running.origin);
      const fields = refundFields(outTradeNo, { refund_fee: 500, refund_desc: '不想要了', notify_url: 'http://127.0.0.1:9/api/pay/refund-notify' });
      const reply = await refund(fields);
      assertSigned(reply, 'MD5');
      assert.equal(reply.fields.sign_type, undefined);
      assert.equal(reply.fields.result_code, 'SUCCESS', reply.text);
      assert.match(reply.fields.refund_id, /^50\d{27}$/);
      assert.equal(reply.fields.out_refund_no, fields.out_refund_no);
      assert.equal(reply.fields.out_trade_no, outTradeNo);
      assert.equal(reply.fields.transaction_id, transactionId);
      assert.equal(reply.fields.total_fee, '1280');
      assert.equal(reply.fields.refund_fee, '500');
      assert.equal(reply.fields.cash_fee, '1280');
      const [ kept ] = running.sandbox.refunds.ofTrade(outTradeNo);
      assert.equal(kept.status, 'PROCESSING');
      assert.equal(kept.notifyUrl, 'http://127.0.0.1:9/api/pay/refund-notify');
      assert.equal(kept.reason, '不想要了');
      assert.equal(kept.notifyForm, 'v2');
    });

    it('should sign its reply with HMAC-SHA256 when the request did', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const reply = await refund(refundFields(outTradeNo), 'HMAC-SHA256');
      assertSigned(reply, 'HMAC-SHA256');
      assert.equal(reply.fields.sign_type, 'HMAC-SHA256');
      assert.equal(verifyV2Signature(reply.fields, SANDBOX_API_KEY, 'MD5'), false);
    });

    it('should refuse a request altered after signing, or signed with another key, and refund nothing', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const url = `${running.tlsOrigin}/sandbox/pay/secapi/pay/refund`;
      const altered = { ...signRequest(refundFields(outTradeNo, { refund_fee: 100 })), refund_fee: 1280 };
      const wrongKey = signRequest(refundFields(outTradeNo), 'MD5', 'ffffffffffffffffffffffffffffffff');
      for (const fields of [ altered, wrongKey ]) {
        const reply = await postTls(url, buildXml(fields), MERCHANT_IDENTITY);
        assert.deepEqual({ ...reply.fields }, { return_code: 'FAIL', return_msg: '签名错误' });
      }
      assert.deepEqual(running.sandbox.refunds.ofTrade(outTradeNo), []);
    });

    it('should find the trade by transaction_id before out_trade_no', async () => {
      const first = await paidTrade(running.origin);
      const second = await paidTrade(running.origin);
      const reply = await refund(refundFields(second.outTradeNo, { transaction_id: first.transactionId }));
      assert.equal(reply.fields.result_code, 'SUCCESS', reply.text);
      assert.equal(reply.fields.out_trade_no, first.outTradeNo);
    });

    it('should answer the same refund again for the same out_refund_no, trade and amounts (idempotent)', async () => {
      const { outTradeNo, transactionId } = await paidTrade(running.origin);
      const fields = refundFields(outTradeNo, { refund_fee: 300 });
      const first = await refund(fields);
      // A retry may name the trade by transaction_id and come with a fresh nonce: still the same refund.
      const again = await refund({ ...fields, out_trade_no: undefined, transaction_id: transactionId });
      assert.equal(again.fields.result_code, 'SUCCESS', again.text);
      assert.equal(again.fields.refund_id, first.fields.refund_id);
      assert.equal(running.sandbox.refunds.ofTrade(outTradeNo).length, 1);
    });

    it('should refuse the same out_refund_no with another amount or trade: INVALID_REQUEST', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const other = await paidTrade(running.origin);
      const fields = refundFields(outTradeNo, { refund_fee: 300 });
      await refund(fields);
      assertRefused(await refund({ ...fields, refund_fee: 301 }), 'INVALID_REQUEST', PARAMS_MISMATCH);
      assertRefused(await refund({ ...fields, out_trade_no: other.outTradeNo }), 'INVALID_REQUEST', PARAMS_MISMATCH);
      assert.equal(running.sandbox.refunds.ofTrade(other.outTradeNo).length, 0);
    });

    it("should refuse a total_fee that is not the trade's total: INVALID_REQUEST", async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      // Partial refunds still state the order's total, never what is left.
      assertRefused(await refund(refundFields(outTradeNo, { total_fee: 1000, refund_fee: 100 })), 'INVALID_REQUEST', PARAMS_MISMATCH);
    });

    it('should answer return_code FAIL invalid refund_fee when refund_fee is over total_fee', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const reply = await refund(refundFields(outTradeNo, { total_fee: 1280, refund_fee: 1281 }));
      assert.deepEqual({ ...reply.fields }, { return_code: 'FAIL', return_msg: 'invalid refund_fee' });
    });

    it('should refuse refunds that together exceed the trade, counting PROCESSING ones, until one is closed', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const first = refundFields(outTradeNo, { refund_fee: 1000 });
      assert.equal((await refund(first)).fields.result_code, 'SUCCESS');
      assertRefused(await refund(refundFields(outTradeNo, { refund_fee: 281 })), 'INVALID_REQUEST', EXCEEDS_REFUNDABLE);
      assert.equal((await refund(refundFields(outTradeNo, { refund_fee: 280 }))).fields.result_code, 'SUCCESS');
      // A closed refund gives its amount back; an abnormal one does not (its money is still on the way).
      assert.equal((await settle(String(first.out_refund_no), 'ABNORMAL')).status, 200);
      assertRefused(await refund(refundFields(outTradeNo, { refund_fee: 1 })), 'INVALID_REQUEST', EXCEEDS_REFUNDABLE);
      assert.equal((await settle(String(first.out_refund_no), 'CLOSED')).status, 200);
      assert.equal((await refund(refundFields(outTradeNo, { refund_fee: 1000 }))).fields.result_code, 'SUCCESS');
    });

    it('should answer ORDERNOTEXIST for an unknown or unpaid trade', async () => {
      assertRefused(await refund(refundFields('NO_SUCH_ORDER')), 'ORDERNOTEXIST');
      assertRefused(await refund(refundFields('X', { out_trade_no: undefined, transaction_id: '4200000000000000000000000000' })), 'ORDERNOTEXIST');
      const unpaid = orderFields();
      await callV2(running.origin, 'unifiedorder', unpaid);
      assertRefused(await refund(refundFields(String(unpaid.out_trade_no))), 'ORDERNOTEXIST');
    });

    it('should answer TRADE_OVERDUE more than a year after the payment', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      now += 366 * 24 * 3600 * 1000;
      assertRefused(await refund(refundFields(outTradeNo)), 'TRADE_OVERDUE');
    });

    it('should answer PARAM_ERROR for missing or malformed fields', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      for (const overrides of [{ out_refund_no: undefined }, { out_refund_no: 'bad refund no' }, { refund_fee: '1.5' },
        { total_fee: undefined }, { out_trade_no: undefined }, { refund_account: 'SOMEWHERE' }, { notify_url: 'http://x/?a=1' }]) {
        assertRefused(await refund(refundFields(outTradeNo, overrides)), 'PARAM_ERROR');
      }
    });
  });

  describe('POST /pay/refundquery', () => {
    it("should answer a refund's _$n fields by out_refund_no, and by refund_id", async () => {
      const { outTradeNo, transactionId } = await paidTrade(running.origin);
      const fields = refundFields(outTradeNo, { refund_fee: 200 });
      const accepted = await refund(fields);
      for (const by of [{ out_refund_no: fields.out_refund_no }, { refund_id: accepted.fields.refund_id }]) {
        const reply = await refundQuery(by);
        assertSigned(reply);
        assert.equal(reply.fields.result_code, 'SUCCESS', reply.text);
        assert.equal(reply.fields.refund_count, '1');
        assert.equal(reply.fields.out_refund_no_0, fields.out_refund_no);
        assert.equal(reply.fields.refund_id_0, accepted.fields.refund_id);
        assert.equal(reply.fields.refund_fee_0, '200');
        assert.equal(reply.fields.refund_status_0, 'PROCESSING');
        assert.equal(reply.fields.refund_success_time_0, undefined);
        assert.equal(reply.fields.refund_recv_accout_0, '支付用户零钱');
        assert.equal(reply.fields.total_fee, '1280');
        assert.equal(reply.fields.transaction_id, transactionId);
        assert.equal(reply.fields.out_trade_no, outTradeNo);
      }
    });

    it('should name the statuses as v2 does: SUCCESS with its Beijing time, REFUNDCLOSE, CHANGE', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      const numbers: string[] = [];
      for (const amount of [ 100, 200, 300 ]) {
        const fields = refundFields(outTradeNo, { refund_fee: amount });
        await refund(fields);
        numbers.push(String(fields.out_refund_no));
      }
      now = Date.UTC(2026, 10, 22, 7, 30, 5);
      await settle(numbers[0], 'SUCCESS');
      await settle(numbers[1], 'CLOSED');
      await settle(numbers[2], 'ABNORMAL');
      const reply = await refundQuery({ out_trade_no: outTradeNo });
      assert.equal(reply.fields.refund_count, '3');
      assert.equal(reply.fields.total_refund_count, '3');
      assert.deepEqual([ 0, 1, 2 ].map(n => reply.fields[`out_refund_no_${n}`]), numbers);
      assert.deepEqual([ 0, 1, 2 ].map(n => reply.fields[`refund_status_${n}`]), [ 'SUCCESS', 'REFUNDCLOSE', 'CHANGE' ]);
      assert.equal(reply.fields.refund_success_time_0, '2026-11-22 15:30:05');
      assert.equal(reply.fields.refund_success_time_1, undefined);
    });

    it("should answer an order's refunds ten at a time from offset, by out_trade_no or transaction_id", async () => {
      const { outTradeNo, transactionId } = await paidTrade(running.origin);
      for (let i = 0; i < 12; i++) await refund(refundFields(outTradeNo, { refund_fee: 10 }));
      const first = await refundQuery({ transaction_id: transactionId });
      assert.equal(first.fields.refund_count, '10');
      assert.equal(first.fields.total_refund_count, '12');
      const next = await refundQuery({ out_trade_no: outTradeNo, offset: 10 });
      assert.equal(next.fields.refund_count, '2');
      assert.equal(next.fields.out_refund_no_0, running.sandbox.refunds.ofTrade(outTradeNo)[10].outRefundNo);
      assert.equal((await refundQuery({ out_trade_no: outTradeNo, offset: 12 })).fields.err_code, 'PARAM_ERROR');
    });

    it('should answer REFUNDNOTEXIST when no refund matches, and PARAM_ERROR when nothing is named', async () => {
      const { outTradeNo } = await paidTrade(running.origin);
      assertRefused(await refundQuery({ out_trade_no: outTradeNo }), 'REFUNDNOTEXIST');
      assertRefused(await refundQuery({ out_refund_no: newOutRefundNo() }), 'REFUNDNOTEXIST');
      assertRefused(await refundQuery({}), 'PARAM_ERROR');
    });
  });
});
