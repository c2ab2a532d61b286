import assert from 'node:assert/strict';
import { verifyV2Signature } from '../../app/lib/wxpay/v2-sign';
import { buildXml, XmlFields } from '../../app/lib/wxpay/xml';
import { FOREIGN_APPID, FOREIGN_MCHID, SANDBOX_API_KEY, SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { PREPAY_LIFETIME_MS } from '../../sandbox/trade-store';
import {
  callV2,
  control,
  orderFields,
  PAYER_OPENID,
  postV2,
  RunningSandbox,
  signRequest,
  startSandbox,
  V2Reply,
} from './support';

const WRONG_KEY = 'ffffffffffffffffffffffffffffffff';

function assertSigned(reply: V2Reply, signType: 'MD5' | 'HMAC-SHA256' = 'MD5'): void {
  assert.equal(reply.status, 200);
  assert.match(reply.contentType ?? '', /^text\/xml/);
  assert.equal(reply.fields.return_code, 'SUCCESS', reply.text);
  assert.equal(reply.fields.appid, SANDBOX_APPID);
  assert.equal(reply.fields.mch_id, SANDBOX_MCHID);
  assert.match(reply.fields.nonce_str, /^[0-9A-Za-z]{32}$/);
  assert.equal(reply.fields.sign_type, signType === 'HMAC-SHA256' ? signType : undefined);
  assert.ok(verifyV2Signature(reply.fields, SANDBOX_API_KEY, signType), `reply not signed with ${signType}`);
}

function assertProtocolFailure(reply: V2Reply, returnMsg: string): void {
  assert.equal(reply.status, 200);
  assert.match(reply.contentType ?? '', /^text\/xml/);
  assert.equal(reply.fields.return_code, 'FAIL');
  assert.equal(reply.fields.return_msg, returnMsg);
  // Like WeChat, the sandbox signs no return_code FAIL reply.
  assert.equal(reply.fields.sign, undefined);
}

function assertBusinessFailure(reply: V2Reply, errCode: string): void {
  assertSigned(reply);
  assert.equal(reply.fields.result_code, 'FAIL');
  assert.equal(reply.fields.err_code, errCode, reply.text);
  assert.ok(reply.fields.err_code_des);
}

describe('test/sandbox/pay-v2.test.ts', () => {
  let running: RunningSandbox;
  let origin: string;
  let now = Date.now();

  before(async () => {
    running = await startSandbox({ clock: () => now });
    origin = running.origin;
  });

  after(async () => {
    await running.close();
  });

  beforeEach(() => {
    now = Date.now();
    running.sandbox.faults.clear();
  });

  async function order(overrides: XmlFields = {}) {
    const fields = orderFields(overrides);
    const reply = await callV2(origin, 'unifiedorder', fields);
    assert.equal(reply.fields.result_code, 'SUCCESS', reply.text);
    return { fields, prepayId: reply.fields.prepay_id, outTradeNo: String(fields.out_trade_no) };
  }

  async function pay(outTradeNo: string, result = 'SUCCESS') {
    const reply = await control(origin, 'POST', '/pay', { outTradeNo, result, deliverNotify: false });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body;
  }

  function query(outTradeNo: string, signType: 'MD5' | 'HMAC-SHA256' = 'MD5') {
    return callV2(origin, 'orderquery', { appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, out_trade_no: outTradeNo }, signType);
  }

  function close(outTradeNo: string) {
    return callV2(origin, 'closeorder', { appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, out_trade_no: outTradeNo });
  }

  describe('request envelope', () => {
    it('should refuse a request signed with another key', async () => {
      const body = buildXml(signRequest(orderFields(), 'MD5', WRONG_KEY));
      assertProtocolFailure(await postV2(origin, 'unifiedorder', body), '签名错误');
    });

    it('should refuse a request altered after signing', async () => {
      const signed = signRequest(orderFields({ total_fee: 100 }));
      const body = buildXml({ ...signed, total_fee: 1 });
      assertProtocolFailure(await postV2(origin, 'unifiedorder', body), '签名错误');
    });

    it('should refuse an MD5 signature that claims to be HMAC-SHA256', async () => {
      const signed = signRequest(orderFields(), 'MD5');
      const body = buildXml({ ...signed, sign_type: 'HMAC-SHA256' });
      assertProtocolFailure(await postV2(origin, 'unifiedorder', body), '签名错误');
    });

    it('should refuse an unknown sign_type', async () => {
      const body = buildXml({ ...signRequest(orderFields()), sign_type: 'SHA1' });
      assertProtocolFailure(await postV2(origin, 'unifiedorder', body), 'sign_type参数格式错误');
    });

    it('should refuse malformed or empty XML', async () => {
      for (const body of [ '<xml><appid>wx</appid>', '{"appid":"wx"}', '' ]) {
        assertProtocolFailure(await postV2(origin, 'unifiedorder', body), 'XML格式错误');
      }
    });

    it('should refuse another appid or mch_id', async () => {
      for (const overrides of [{ appid: 'wx0000000000000000' }, { mch_id: '1230000109' }]) {
        const reply = await callV2(origin, 'unifiedorder', orderFields(overrides));
        assertProtocolFailure(reply, 'appid和mch_id不匹配');
      }
    });

    it('should require nonce_str and sign', async () => {
      const withoutNonce = await callV2(origin, 'unifiedorder', orderFields({ nonce_str: '' }));
      assertProtocolFailure(withoutNonce, '缺少参数nonce_str');
      const withoutSign = await postV2(origin, 'unifiedorder', buildXml({ ...orderFields(), nonce_str: 'abc' }));
      assertProtocolFailure(withoutSign, '缺少参数sign');
    });
  });

  describe('unifiedorder', () => {
    it('should answer a prepay_id in a reply signed with MD5', async () => {
      const reply = await callV2(origin, 'unifiedorder', orderFields());
      assertSigned(reply, 'MD5');
      assert.equal(reply.fields.return_msg, 'OK');
      assert.equal(reply.fields.result_code, 'SUCCESS');
      assert.equal(reply.fields.trade_type, 'JSAPI');
      assert.match(reply.fields.prepay_id, /^wx\d{14}[0-9a-f]{20}$/);
      assert.equal(verifyV2Signature(reply.fields, SANDBOX_API_KEY, 'HMAC-SHA256'), false);
    });

    it('should accept HMAC-SHA256 and sign its reply the same way', async () => {
      const reply = await callV2(origin, 'unifiedorder', orderFields(), 'HMAC-SHA256');
      assertSigned(reply, 'HMAC-SHA256');
      assert.equal(reply.fields.result_code, 'SUCCESS');
      assert.equal(verifyV2Signature(reply.fields, SANDBOX_API_KEY, 'MD5'), false);
    });

    it('should answer PARAM_ERROR for a JSAPI order without openid', async () => {
      const reply = await callV2(origin, 'unifiedorder', orderFields({ openid: undefined }));
      assertBusinessFailure(reply, 'PARAM_ERROR');
      assert.equal(reply.fields.err_code_des, 'JSAPI支付必须传openid');
    });

    it('should answer PARAM_ERROR naming a missing or malformed parameter', async () => {
      const cases: Array<[ Record<string, string | undefined>, string ]> = [
        [{ body: undefined }, 'body' ],
        [{ body: 'x'.repeat(129) }, 'body' ],
        [{ out_trade_no: 'x'.repeat(33) }, 'out_trade_no' ],
        [{ out_trade_no: 'order#1' }, 'out_trade_no' ],
        [{ total_fee: '0' }, 'total_fee' ],
        [{ total_fee: '-1' }, 'total_fee' ],
        [{ total_fee: '12.5' }, 'total_fee' ],
        [{ total_fee: 'ten' }, 'total_fee' ],
        [{ spbill_create_ip: undefined }, 'spbill_create_ip' ],
        [{ spbill_create_ip: 'localhost' }, 'spbill_create_ip' ],
        [{ notify_url: undefined }, 'notify_url' ],
        [{ notify_url: 'http://127.0.0.1/notify?order=1' }, 'notify_url' ],
        [{ notify_url: 'ftp://127.0.0.1/notify' }, 'notify_url' ],
        [{ trade_type: 'MICROPAY' }, 'trade_type' ],
        [{ trade_type: 'NATIVE' }, 'product_id' ],
        [{ fee_type: 'USD' }, 'fee_type' ],
        [{ time_expire: '2026-11-22 10:00:00' }, 'time_expire' ],
        [{ time_start: '20261322100000' }, 'time_start' ],
      ];
      for (const [ overrides, parameter ] of cases) {
        const reply = await callV2(origin, 'unifiedorder', orderFields(overrides));
        assertBusinessFailure(reply, 'PARAM_ERROR');
        assert.ok(reply.fields.err_code_des.includes(parameter), `${JSON.stringify(overrides)}: ${reply.fields.err_code_des}`);
      }
    });

    it("should accept every character of WeChat's out_trade_no set", async () => {
      const outTradeNo = `aZ09_-|*${Date.now()}`.slice(0, 32);
      const { prepayId } = await order({ out_trade_no: outTradeNo });
      assert.ok(prepayId);
    });

    it('should answer a code_url for a NATIVE order', async () => {
      const reply = await callV2(origin, 'unifiedorder', orderFields({ trade_type: 'NATIVE', openid: undefined, product_id: 'P1' }));
      assertSigned(reply);
      assert.match(reply.fields.code_url, /^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    });

    it('should answer the same prepay_id when the same order comes again', async () => {
      const first = await order();
      // Another nonce, client IP, expiry time and sign type: still the same order.
      const retry = { ...first.fields, spbill_create_ip: '10.0.0.8', time_expire: '20991231235959' };
      const again = await callV2(origin, 'unifiedorder', retry, 'HMAC-SHA256');
      assertSigned(again, 'HMAC-SHA256');
      assert.equal(again.fields.prepay_id, first.prepayId);
    });

    it('should answer OUT_TRADE_NO_USED when the same out_trade_no comes with other parameters', async () => {
      const first = await order();
      for (const overrides of [{ total_fee: 1 }, { body: 'Another thing' }, { openid: 'oAnotherPayer' }, { notify_url: 'http://127.0.0.1:9/other' }]) {
        const reply = await callV2(origin, 'unifiedorder', { ...first.fields, ...overrides });
        assertBusinessFailure(reply, 'OUT_TRADE_NO_USED');
      }
      // The original order is untouched.
      const again = await callV2(origin, 'unifiedorder', first.fields);
      assert.equal(again.fields.prepay_id, first.prepayId);
    });

    it('should issue a new prepay_id after two hours, and the old one can no longer be paid', async () => {
      const first = await order();
      now += PREPAY_LIFETIME_MS;
      const again = await callV2(origin, 'unifiedorder', first.fields);
      assert.equal(again.fields.result_code, 'SUCCESS');
      assert.notEqual(again.fields.prepay_id, first.prepayId);
      const stale = await control(origin, 'POST', '/pay', { prepayId: first.prepayId, deliverNotify: false });
      assert.equal(stale.status, 410);
      assert.equal(stale.body.code, 'PREPAY_EXPIRED');
      const fresh = await control(origin, 'POST', '/pay', { prepayId: again.fields.prepay_id, deliverNotify: false });
      assert.equal(fresh.status, 200);
    });

    it('should let a failed payment be ordered again with the same prepay_id', async () => {
      const first = await order();
      await pay(first.outTradeNo, 'FAIL');
      const again = await callV2(origin, 'unifiedorder', first.fields);
      assert.equal(again.fields.prepay_id, first.prepayId);
    });

    it('should answer ORDERPAID for a paid order', async () => {
      const first = await order();
      await pay(first.outTradeNo);
      assertBusinessFailure(await callV2(origin, 'unifiedorder', first.fields), 'ORDERPAID');
    });

    it('should answer ORDERCLOSED for a closed order', async () => {
      const first = await order();
      assert.equal((await close(first.outTradeNo)).fields.result_code, 'SUCCESS');
      assertBusinessFailure(await callV2(origin, 'unifiedorder', first.fields), 'ORDERCLOSED');
    });
  });

  describe('orderquery', () => {
    it('should answer ORDERNOTEXIST for an unknown order', async () => {
      assertBusinessFailure(await query('NO_SUCH_ORDER'), 'ORDERNOTEXIST');
      const byTransaction = await callV2(origin, 'orderquery', {
        appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, transaction_id: '4200000000202601011234567890',
      });
      assertBusinessFailure(byTransaction, 'ORDERNOTEXIST');
    });

    it('should answer PARAM_ERROR without out_trade_no and transaction_id', async () => {
      assertBusinessFailure(await callV2(origin, 'orderquery', { appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID }), 'PARAM_ERROR');
    });

    it('should answer NOTPAY for an unpaid order', async () => {
      const { outTradeNo } = await order();
      const reply = await query(outTradeNo);
      assertSigned(reply);
      assert.equal(reply.fields.result_code, 'SUCCESS');
      assert.equal(reply.fields.out_trade_no, outTradeNo);
      assert.equal(reply.fields.trade_state, 'NOTPAY');
      assert.equal(reply.fields.trade_state_desc, '订单未支付');
      assert.equal(reply.fields.total_fee, '1280');
      assert.equal(reply.fields.transaction_id, undefined);
    });

    it('should answer the payment of a paid order, also by transaction_id and signed with HMAC-SHA256', async () => {
      const { outTradeNo } = await order({ attach: 'cart=7' });
      const paid = await pay(outTradeNo);
      for (const reply of [
        await query(outTradeNo, 'HMAC-SHA256'),
        await callV2(origin, 'orderquery', {
          appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, transaction_id: String(paid.transactionId),
        }, 'HMAC-SHA256'),
      ]) {
        assertSigned(reply, 'HMAC-SHA256');
        const { fields } = reply;
        assert.equal(fields.result_code, 'SUCCESS');
        assert.equal(fields.trade_state, 'SUCCESS');
        assert.equal(fields.trade_state_desc, '支付成功');
        assert.equal(fields.out_trade_no, outTradeNo);
        assert.equal(fields.transaction_id, paid.transactionId);
        assert.match(fields.transaction_id, /^4200\d{24}$/);
        assert.equal(fields.openid, PAYER_OPENID);
        assert.equal(fields.trade_type, 'JSAPI');
        assert.equal(fields.bank_type, 'OTHERS');
        assert.equal(fields.total_fee, '1280');
        assert.equal(fields.cash_fee, '1280');
        assert.equal(fields.fee_type, 'CNY');
        assert.equal(fields.attach, 'cart=7');
        assert.match(fields.time_end, /^20\d{12}$/);
      }
    });

    it('should answer PAYERROR, USERPAYING and CLOSED', async () => {
      const failed = await order();
      await pay(failed.outTradeNo, 'FAIL');
      assert.equal((await query(failed.outTradeNo)).fields.trade_state, 'PAYERROR');

      const paying = await order();
      await pay(paying.outTradeNo, 'USERPAYING');
      assert.equal((await query(paying.outTradeNo)).fields.trade_state, 'USERPAYING');

      const closed = await order();
      await close(closed.outTradeNo);
      const reply = await query(closed.outTradeNo);
      assert.equal(reply.fields.trade_state, 'CLOSED');
      assert.equal(reply.fields.trade_state_desc, '订单已关闭');
    });
  });

  describe('closeorder', () => {
    it('should close an unpaid order, which then cannot be paid', async () => {
      const { outTradeNo } = await order();
      const reply = await close(outTradeNo);
      assertSigned(reply);
      assert.equal(reply.fields.result_code, 'SUCCESS');
      const payment = await control(origin, 'POST', '/pay', { outTradeNo });
      assert.equal(payment.status, 409);
      assert.equal(payment.body.state, 'CLOSED');
    });

    it('should answer ORDERCLOSED when closing a closed order', async () => {
      const { outTradeNo } = await order();
      await close(outTradeNo);
      assertBusinessFailure(await close(outTradeNo), 'ORDERCLOSED');
    });

    it('should answer ORDERPAID for a paid order and leave it paid', async () => {
      const { outTradeNo } = await order();
      await pay(outTradeNo);
      assertBusinessFailure(await close(outTradeNo), 'ORDERPAID');
      assert.equal((await query(outTradeNo)).fields.trade_state, 'SUCCESS');
    });

    it('should answer ORDERNOTEXIST for an unknown order', async () => {
      assertBusinessFailure(await close('NO_SUCH_ORDER'), 'ORDERNOTEXIST');
    });
  });

  describe('faults', () => {
    it('should answer a signed SYSTEMERROR and create no trade', async () => {
      running.sandbox.faults.arm('unifiedorder', { kind: 'SYSTEMERROR' }, 1);
      const fields = orderFields();
      const reply = await callV2(origin, 'unifiedorder', fields, 'HMAC-SHA256');
      assertSigned(reply, 'HMAC-SHA256');
      assert.equal(reply.fields.result_code, 'FAIL');
      assert.equal(reply.fields.err_code, 'SYSTEMERROR');
      assert.ok(reply.fields.err_code_des);
      assertBusinessFailure(await query(String(fields.out_trade_no)), 'ORDERNOTEXIST');
      // Armed for one call only.
      assert.equal((await callV2(origin, 'unifiedorder', fields)).fields.result_code, 'SUCCESS');
    });

    it('should answer BUSY as SYSTEMERROR', async () => {
      const { outTradeNo } = await order();
      running.sandbox.faults.arm('orderquery', { kind: 'BUSY' }, 1);
      assertBusinessFailure(await query(outTradeNo), 'SYSTEMERROR');
    });

    it('should answer HTTP 500 with a plain body', async () => {
      const { outTradeNo } = await order();
      running.sandbox.faults.arm('closeorder', { kind: 'HTTP_500' }, 1);
      const reply = await close(outTradeNo);
      assert.equal(reply.status, 500);
      assert.equal(reply.fields.return_code, undefined);
      assert.equal((await query(outTradeNo)).fields.trade_state, 'NOTPAY');
    });

    it('should answer normally after an injected delay', async () => {
      running.sandbox.faults.arm('unifiedorder', { kind: 'DELAY', delayMs: 150 }, 1);
      const started = Date.now();
      const reply = await callV2(origin, 'unifiedorder', orderFields());
      assert.ok(Date.now() - started >= 140, 'answered before the delay');
      assert.equal(reply.fields.result_code, 'SUCCESS');
    });

    it('should apply a `pay` fault to every operation, and an operation fault to that one only', async () => {
      const { outTradeNo } = await order();
      running.sandbox.faults.arm('closeorder', { kind: 'SYSTEMERROR' }, 1);
      assert.equal((await query(outTradeNo)).fields.result_code, 'SUCCESS');

      running.sandbox.faults.clear();
      running.sandbox.faults.arm('pay', { kind: 'SYSTEMERROR' }, 3);
      assertBusinessFailure(await callV2(origin, 'unifiedorder', orderFields()), 'SYSTEMERROR');
      assertBusinessFailure(await query(outTradeNo), 'SYSTEMERROR');
      assertBusinessFailure(await close(outTradeNo), 'SYSTEMERROR');
      assert.equal((await query(outTradeNo)).fields.trade_state, 'NOTPAY');
    });

    it('should take faults armed through the control API', async () => {
      const armed = await control(origin, 'POST', '/faults', { target: 'unifiedorder', kind: 'HTTP_500' });
      assert.equal(armed.status, 200);
      assert.equal((await callV2(origin, 'unifiedorder', orderFields())).status, 500);
      assert.equal((await callV2(origin, 'unifiedorder', orderFields())).status, 200);
    });

    it('should refuse an unknown target through the control API, naming the valid ones', async () => {
      const refused = await control(origin, 'POST', '/faults', { target: 'unifiedOrder', kind: 'HTTP_500' });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'INVALID_FAULT');
      assert.match(String(refused.body.message), /unifiedorder, orderquery, closeorder, prepay, query, close, certificates/);
      assert.deepEqual((await control(origin, 'GET', '/faults')).body.armed, []);
      assert.throws(() => running.sandbox.faults.arm('unifiedOrder', { kind: 'HTTP_500' }, 1), /unknown fault target/);
    });

    it('should refuse a bad kind, count or delay, and a FOREIGN_* fault on anything but a query', async () => {
      for (const body of [
        { target: 'orderquery', kind: 'TIMEOUT' },
        { target: 'orderquery', kind: 'HTTP_500', count: 0 },
        { target: 'orderquery', kind: 'DELAY', delayMs: -1 },
        { target: 'unifiedorder', kind: 'FOREIGN_APPID' },
        { target: 'pay', kind: 'FOREIGN_MCHID' },
      ]) {
        assert.equal((await control(origin, 'POST', '/faults', body)).status, 400, JSON.stringify(body));
      }
    });

    it('should list what is armed and forget it when cleared', async () => {
      await control(origin, 'POST', '/faults', { target: 'orderquery', kind: 'DELAY', delayMs: 20, count: 2 });
      await control(origin, 'POST', '/faults', { target: 'jscode2session', kind: 'BUSY' });
      const { outTradeNo } = await order();
      await query(outTradeNo);
      const listed = await control(origin, 'GET', '/faults');
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.armed, [
        { target: 'orderquery', kind: 'DELAY', remaining: 1, delayMs: 20 },
        { target: 'jscode2session', kind: 'BUSY', remaining: 1, delayMs: 0 },
      ]);
      assert.ok((listed.body.targets as string[]).includes('certificates'));
      assert.equal((await control(origin, 'DELETE', '/faults')).status, 204);
      assert.deepEqual((await control(origin, 'GET', '/faults')).body.armed, []);
    });

    // Read through a function: the loop's tests run after `running` is set.
    const sandboxOf = () => running.sandbox;
    const foreignCases: Array<[ 'FOREIGN_APPID' | 'FOREIGN_MCHID', string, string ]> = [
      [ 'FOREIGN_APPID', 'appid', FOREIGN_APPID ],
      [ 'FOREIGN_MCHID', 'mch_id', FOREIGN_MCHID ],
    ];
    for (const [ kind, field, foreign ] of foreignCases) {
      it(`should answer an orderquery about another merchant, correctly signed, with ${kind}`, async () => {
        const { outTradeNo } = await order();
        await pay(outTradeNo);
        sandboxOf().faults.arm('orderquery', { kind }, 1);
        const reply = await query(outTradeNo, 'HMAC-SHA256');
        assert.equal(reply.fields.return_code, 'SUCCESS');
        assert.equal(reply.fields.result_code, 'SUCCESS');
        assert.equal(reply.fields.trade_state, 'SUCCESS');
        assert.equal(reply.fields.out_trade_no, outTradeNo);
        assert.equal(reply.fields[field], foreign);
        assert.ok(verifyV2Signature(reply.fields, SANDBOX_API_KEY, 'HMAC-SHA256'), 'not signed');
        // One call only.
        assertSigned(await query(outTradeNo));
      });
    }
  });
});
