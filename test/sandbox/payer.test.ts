import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { V2SignType, verifyV2Signature } from '../../app/lib/wxpay/v2-sign';
import { XmlFields } from '../../app/lib/wxpay/xml';
import { SANDBOX_API_KEY, SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { DeliveryReport, NOTIFY_RETRY_DELAYS_S } from '../../sandbox/notify-delivery';
import {
  ACK_SUCCESS,
  callV2,
  control,
  failFirst,
  MerchantStub,
  orderFields,
  PAYER_OPENID,
  RunningSandbox,
  startSandbox,
  waitFor,
} from './support';

const RETRY_SCALE = 0.001;

describe('test/sandbox/payer.test.ts', () => {
  let running: RunningSandbox;
  let merchant: MerchantStub;

  before(async () => {
    merchant = await new MerchantStub().start();
    running = await startSandbox({ notifyRetryScale: RETRY_SCALE });
  });

  after(async () => {
    await running.close();
    await merchant.close();
  });

  beforeEach(() => merchant.reset());

  /** Places a unifiedorder whose notify_url is the merchant stub. */
  async function order(overrides: XmlFields = {}, signType: V2SignType = 'MD5', sandbox = running) {
    const fields = orderFields({ notify_url: merchant.notifyUrl, ...overrides });
    const reply = await callV2(sandbox.origin, 'unifiedorder', fields, signType);
    assert.equal(reply.fields.result_code, 'SUCCESS', reply.text);
    return { outTradeNo: String(fields.out_trade_no), prepayId: reply.fields.prepay_id };
  }

  async function notifyReport(outTradeNo: string, sandbox = running): Promise<DeliveryReport> {
    const reply = await control(sandbox.origin, 'GET', `/notifies?outTradeNo=${encodeURIComponent(outTradeNo)}`);
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body as unknown as DeliveryReport;
  }

  /** Waits until the delivery leaves `delivering`. */
  function settledReport(outTradeNo: string, sandbox = running, timeoutMs = 5000): Promise<DeliveryReport> {
    return waitFor(async () => {
      const report = await notifyReport(outTradeNo, sandbox);
      return report.state === 'delivering' ? undefined : report;
    }, timeoutMs, `the notify of ${outTradeNo}`);
  }

  function assertSignedNotify(fields: Record<string, string>, signType: V2SignType): void {
    assert.ok(verifyV2Signature(fields, SANDBOX_API_KEY, signType), `notify not signed with ${signType}`);
    assert.equal(fields.sign_type, signType === 'HMAC-SHA256' ? signType : undefined);
  }

  describe('POST /sandbox/control/pay', () => {
    it('should answer 400 for a malformed call', async () => {
      const { outTradeNo, prepayId } = await order();
      for (const body of [[ 1 ], {}, { prepayId, outTradeNo }, { prepayId: 7 }, { prepayId, result: 'MAYBE' },
        { prepayId, deliverNotify: 'no' }, { prepayId, wait: 'no' }, { prepayId, bankType: '' }]) {
        const reply = await control(running.origin, 'POST', '/pay', body);
        assert.equal(reply.status, 400, JSON.stringify(body));
      }
      const notJson = await fetch(`${running.origin}/sandbox/control/pay`, { method: 'POST', body: '{prepayId' });
      assert.equal(notJson.status, 400);
    });

    it('should answer 404 for an unknown prepayId or outTradeNo', async () => {
      for (const body of [{ prepayId: 'wx00000000000000000000000000000000ab' }, { outTradeNo: 'NO_SUCH_ORDER' }]) {
        const reply = await control(running.origin, 'POST', '/pay', body);
        assert.equal(reply.status, 404);
        assert.equal(reply.body.code, 'TRADE_NOT_FOUND');
      }
    });

    it('should pay a prepay_id and deliver a notify signed with MD5', async () => {
      const { outTradeNo, prepayId } = await order({ attach: 'cart=7' });
      const paid = await control(running.origin, 'POST', '/pay', { prepayId, result: 'SUCCESS' });
      assert.equal(paid.status, 200);
      assert.equal(paid.body.outTradeNo, outTradeNo);
      assert.equal(paid.body.state, 'SUCCESS');
      assert.match(String(paid.body.transactionId), /^4200\d{24}$/);

      const report = await settledReport(outTradeNo);
      assert.equal(report.state, 'acknowledged');
      assert.equal(report.attempts.length, 1);
      const [ attempt ] = report.attempts;
      assert.equal(attempt.attempt, 1);
      assert.equal(attempt.status, 200);
      assert.equal(attempt.acknowledged, true);
      assert.equal(attempt.error, undefined);
      assert.ok(!Number.isNaN(Date.parse(attempt.at)));

      const [ notify ] = merchant.notifiesFor(outTradeNo);
      assert.match(String(notify.headers['content-type']), /^text\/xml/);
      const { fields } = notify;
      assertSignedNotify(fields, 'MD5');
      assert.equal(fields.return_code, 'SUCCESS');
      assert.equal(fields.result_code, 'SUCCESS');
      assert.equal(fields.appid, SANDBOX_APPID);
      assert.equal(fields.mch_id, SANDBOX_MCHID);
      assert.match(fields.nonce_str, /^[0-9A-Za-z]{32}$/);
      assert.equal(fields.openid, PAYER_OPENID);
      assert.equal(fields.is_subscribe, 'N');
      assert.equal(fields.trade_type, 'JSAPI');
      assert.equal(fields.bank_type, 'OTHERS');
      assert.equal(fields.total_fee, '1280');
      assert.equal(fields.cash_fee, '1280');
      assert.equal(fields.fee_type, 'CNY');
      assert.equal(fields.transaction_id, paid.body.transactionId);
      assert.equal(fields.out_trade_no, outTradeNo);
      assert.equal(fields.attach, 'cart=7');
      assert.match(fields.time_end, /^20\d{12}$/);
      assert.equal(fields.err_code, undefined);
    });

    it('should sign the notify of an HMAC-SHA256 order with HMAC-SHA256', async () => {
      const { outTradeNo } = await order({}, 'HMAC-SHA256');
      await control(running.origin, 'POST', '/pay', { outTradeNo });
      assert.equal((await settledReport(outTradeNo)).state, 'acknowledged');
      const [ notify ] = merchant.notifiesFor(outTradeNo);
      assertSignedNotify(notify.fields, 'HMAC-SHA256');
      assert.equal(verifyV2Signature(notify.fields, SANDBOX_API_KEY, 'MD5'), false);
    });

    it('should answer 409 for a paid trade', async () => {
      const { outTradeNo } = await order();
      assert.equal((await control(running.origin, 'POST', '/pay', { outTradeNo, deliverNotify: false })).status, 200);
      const again = await control(running.origin, 'POST', '/pay', { outTradeNo });
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'TRADE_NOT_PAYABLE');
      assert.equal(again.body.state, 'SUCCESS');
    });

    it('should notify a failed payment with result_code FAIL, and let the payer try again', async () => {
      const { outTradeNo, prepayId } = await order();
      const failed = await control(running.origin, 'POST', '/pay', { prepayId, result: 'FAIL' });
      assert.equal(failed.status, 200);
      assert.equal(failed.body.state, 'PAYERROR');
      assert.equal((await settledReport(outTradeNo)).state, 'acknowledged');
      const [ failure ] = merchant.notifiesFor(outTradeNo);
      assertSignedNotify(failure.fields, 'MD5');
      assert.equal(failure.fields.return_code, 'SUCCESS');
      assert.equal(failure.fields.result_code, 'FAIL');
      assert.ok(failure.fields.err_code);
      assert.ok(failure.fields.err_code_des);
      assert.equal(failure.fields.out_trade_no, outTradeNo);

      const paid = await control(running.origin, 'POST', '/pay', { prepayId });
      assert.equal(paid.body.state, 'SUCCESS');
      assert.notEqual(paid.body.transactionId, failed.body.transactionId);
      await waitFor(async () => (merchant.notifiesFor(outTradeNo).length === 2 ? true : undefined));
      const success = merchant.notifiesFor(outTradeNo)[1];
      assert.equal(success.fields.result_code, 'SUCCESS');
      assert.equal(success.fields.transaction_id, paid.body.transactionId);
    });

    it('should keep a payer entering the password as USERPAYING, without notify, until paid', async () => {
      const { outTradeNo } = await order();
      const paying = await control(running.origin, 'POST', '/pay', { outTradeNo, result: 'USERPAYING' });
      assert.deepEqual(paying.body, { outTradeNo, transactionId: null, state: 'USERPAYING', notify: { state: 'none' } });
      assert.equal((await notifyReport(outTradeNo)).state, 'none');
      const paid = await control(running.origin, 'POST', '/pay', { outTradeNo });
      assert.equal(paid.body.state, 'SUCCESS');
      assert.equal((await settledReport(outTradeNo)).state, 'acknowledged');
    });
  });

  describe('POST /sandbox/control/pay and the first notify attempt', () => {
    it('should answer once the first attempt is over, saying that it was acknowledged', async () => {
      const { outTradeNo } = await order();
      const paid = await control(running.origin, 'POST', '/pay', { outTradeNo });
      // No polling: the merchant has had the notify by the time the reply comes.
      assert.equal(merchant.notifiesFor(outTradeNo).length, 1);
      const notify = paid.body.notify as { state: string; firstAttempt: Record<string, unknown> };
      assert.equal(notify.state, 'acknowledged');
      assert.equal(notify.firstAttempt.attempt, 1);
      assert.equal(notify.firstAttempt.status, 200);
      assert.equal(notify.firstAttempt.acknowledged, true);
    });

    it('should say when the first attempt was not acknowledged, and go on retrying', async () => {
      merchant.reset(failFirst(1));
      const { outTradeNo } = await order();
      const paid = await control(running.origin, 'POST', '/pay', { outTradeNo });
      const notify = paid.body.notify as { state: string; firstAttempt: Record<string, unknown> };
      assert.equal(notify.state, 'delivering');
      assert.equal(notify.firstAttempt.acknowledged, false);
      assert.match(String(notify.firstAttempt.error), /not acknowledged/);
      assert.equal((await settledReport(outTradeNo)).state, 'acknowledged');
    });

    it('should answer at once with wait: false, and after the merchant replies without it', async () => {
      // A merchant that takes 300 ms to acknowledge.
      const slow = createServer((req, res) => {
        req.resume();
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/xml' }).end(ACK_SUCCESS), 300);
      });
      await new Promise<void>(resolve => slow.listen(0, '127.0.0.1', resolve));
      try {
        const notifyUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/api/pay/notify`;
        const first = await order({ notify_url: notifyUrl });
        let started = Date.now();
        const quick = await control(running.origin, 'POST', '/pay', { outTradeNo: first.outTradeNo, wait: false });
        assert.ok(Date.now() - started < 250, 'waited for the merchant');
        assert.deepEqual(quick.body.notify, { state: 'delivering' });

        const second = await order({ notify_url: notifyUrl });
        started = Date.now();
        const patient = await control(running.origin, 'POST', '/pay', { outTradeNo: second.outTradeNo });
        assert.ok(Date.now() - started >= 280, 'answered before the merchant did');
        assert.equal((patient.body.notify as { state: string }).state, 'acknowledged');
        assert.equal((await settledReport(first.outTradeNo)).state, 'acknowledged');
      } finally {
        slow.closeAllConnections();
        await new Promise(resolve => slow.close(resolve));
      }
    });

    it('should report a notify_url that does not answer in the reply', async () => {
      const { outTradeNo } = await order({ notify_url: 'http://127.0.0.1:1/api/pay/notify' });
      const paid = await control(running.origin, 'POST', '/pay', { outTradeNo });
      const notify = paid.body.notify as { state: string; firstAttempt: Record<string, unknown> };
      assert.equal(notify.firstAttempt.status, null);
      assert.equal(notify.firstAttempt.acknowledged, false);
    });
  });

  describe('notify delivery', () => {
    it("should retry on WeChat's schedule until the merchant acknowledges", async () => {
      merchant.reset(failFirst(3));
      const { outTradeNo } = await order();
      await control(running.origin, 'POST', '/pay', { outTradeNo });

      const report = await settledReport(outTradeNo);
      assert.equal(report.state, 'acknowledged');
      assert.deepEqual(report.attempts.map(a => [ a.attempt, a.status, a.acknowledged ]), [
        [ 1, 200, false ], [ 2, 200, false ], [ 3, 200, false ], [ 4, 200, true ],
      ]);
      assert.match(String(report.attempts[0].error), /not acknowledged/);

      const notifies = merchant.notifiesFor(outTradeNo);
      assert.equal(notifies.length, 4);
      // 15 s, 15 s, 30 s scaled down; a timer may fire a millisecond early, never much earlier.
      for (let i = 1; i < notifies.length; i++) {
        const expectedMs = NOTIFY_RETRY_DELAYS_S[i - 1] * 1000 * RETRY_SCALE;
        const gap = notifies[i].arrivedAt - notifies[i - 1].arrivedAt;
        assert.ok(gap >= expectedMs - 2, `retry ${i} came after ${gap} ms, expected ${expectedMs} ms`);
      }
      // Every retry tells the same payment, each one signed.
      for (const notify of notifies) {
        assertSignedNotify(notify.fields, 'MD5');
        assert.equal(notify.fields.transaction_id, notifies[0].fields.transaction_id);
      }
    });

    it('should count an HTTP error or a reply that is not XML SUCCESS as unacknowledged', async () => {
      merchant.reset(n => [
        { status: 500, body: ACK_SUCCESS },
        { status: 200, body: 'SUCCESS' },
        { status: 200, body: ACK_SUCCESS },
      ][n - 1] ?? { status: 200, body: ACK_SUCCESS });
      const { outTradeNo } = await order();
      await control(running.origin, 'POST', '/pay', { outTradeNo });
      const report = await settledReport(outTradeNo);
      assert.equal(report.state, 'acknowledged');
      assert.deepEqual(report.attempts.map(a => [ a.status, a.acknowledged ]), [
        [ 500, false ], [ 200, false ], [ 200, true ],
      ]);
    });

    it('should record a notify_url that does not answer', async () => {
      const { outTradeNo } = await order({ notify_url: 'http://127.0.0.1:1/api/pay/notify' });
      await control(running.origin, 'POST', '/pay', { outTradeNo });
      const report = await waitFor(async () => {
        const current = await notifyReport(outTradeNo);
        return current.attempts.length > 0 ? current : undefined;
      });
      assert.equal(report.attempts[0].status, null);
      assert.equal(report.attempts[0].acknowledged, false);
      assert.match(String(report.attempts[0].error), /fetch failed|ECONNREFUSED/);
    });

    it('should give up after the 16 attempts of WeChat\'s 24 h schedule', async () => {
      // 24h4m scaled by 1e-5 is under a second.
      const fast = await startSandbox({ notifyRetryScale: 0.00001 });
      try {
        merchant.reset(failFirst(Infinity));
        const { outTradeNo } = await order({}, 'MD5', fast);
        await control(fast.origin, 'POST', '/pay', { outTradeNo });
        const report = await settledReport(outTradeNo, fast, 8000);
        assert.equal(report.state, 'gave_up');
        assert.equal(report.attempts.length, NOTIFY_RETRY_DELAYS_S.length + 1);
        assert.equal(merchant.notifiesFor(outTradeNo).length, 16);
        assert.ok(report.attempts.every(a => !a.acknowledged));
      } finally {
        await fast.close();
      }
    });

    it('should cancel pending retries when the sandbox closes', async () => {
      const unscaled = await startSandbox({ notifyRetryScale: 1 });
      try {
        merchant.reset(failFirst(Infinity));
        const { outTradeNo } = await order({}, 'MD5', unscaled);
        await control(unscaled.origin, 'POST', '/pay', { outTradeNo });
        // The first attempt fails; the next one would come 15 s later.
        await waitFor(async () => ((await notifyReport(outTradeNo, unscaled)).attempts.length === 1 ? true : undefined));
        unscaled.sandbox.close();
        const report = await notifyReport(outTradeNo, unscaled);
        assert.equal(report.state, 'cancelled');
        assert.equal(report.attempts.length, 1);
      } finally {
        await unscaled.close();
      }
    });
  });

  describe('POST /sandbox/control/notify/resend', () => {
    it('should deliver the same payment once more and answer the attempt', async () => {
      const { outTradeNo } = await order();
      const paid = await control(running.origin, 'POST', '/pay', { outTradeNo });
      assert.equal((await settledReport(outTradeNo)).state, 'acknowledged');

      const resent = await control(running.origin, 'POST', '/notify/resend', { outTradeNo });
      assert.equal(resent.status, 200);
      assert.equal(resent.body.outTradeNo, outTradeNo);
      assert.equal(resent.body.attempt, 2);
      assert.equal(resent.body.status, 200);
      assert.equal(resent.body.acknowledged, true);
      assert.equal(resent.body.resend, true);

      const notifies = merchant.notifiesFor(outTradeNo);
      assert.equal(notifies.length, 2);
      for (const notify of notifies) {
        assertSignedNotify(notify.fields, 'MD5');
        assert.equal(notify.fields.transaction_id, paid.body.transactionId);
        assert.equal(notify.fields.result_code, 'SUCCESS');
      }
      const report = await notifyReport(outTradeNo);
      assert.equal(report.state, 'acknowledged');
      assert.equal(report.attempts.length, 2);
    });

    it('should answer 400 without outTradeNo, 404 for an unknown trade, 409 before any payment', async () => {
      assert.equal((await control(running.origin, 'POST', '/notify/resend', {})).status, 400);
      assert.equal((await control(running.origin, 'POST', '/notify/resend', { outTradeNo: 'NO_SUCH_ORDER' })).status, 404);
      const { outTradeNo } = await order();
      const unpaid = await control(running.origin, 'POST', '/notify/resend', { outTradeNo });
      assert.equal(unpaid.status, 409);
      assert.equal(unpaid.body.code, 'NOTHING_TO_RESEND');
    });
  });

  describe('deliverNotify: false', () => {
    it('should pay without notifying, so that only a query or a resend tells the merchant', async () => {
      const { outTradeNo } = await order();
      const paid = await control(running.origin, 'POST', '/pay', { outTradeNo, deliverNotify: false });
      assert.equal(paid.body.state, 'SUCCESS');
      assert.deepEqual(paid.body.notify, { state: 'suppressed' });

      const report = await notifyReport(outTradeNo);
      assert.deepEqual(report, { outTradeNo, state: 'suppressed', attempts: [] });
      const query = await callV2(running.origin, 'orderquery', {
        appid: SANDBOX_APPID, mch_id: SANDBOX_MCHID, out_trade_no: outTradeNo,
      });
      assert.equal(query.fields.trade_state, 'SUCCESS');
      assert.equal(query.fields.transaction_id, paid.body.transactionId);
      await new Promise(resolve => setTimeout(resolve, 50));
      assert.equal(merchant.notifiesFor(outTradeNo).length, 0);

      // A late notify still arrives when asked for.
      const resent = await control(running.origin, 'POST', '/notify/resend', { outTradeNo });
      assert.equal(resent.body.acknowledged, true);
      assert.equal(merchant.notifiesFor(outTradeNo).length, 1);
    });
  });

  describe('GET /sandbox/control/notifies', () => {
    it('should answer 400 without outTradeNo, 404 for an unknown trade, none before payment', async () => {
      assert.equal((await control(running.origin, 'GET', '/notifies')).status, 400);
      assert.equal((await control(running.origin, 'GET', '/notifies?outTradeNo=NO_SUCH_ORDER')).status, 404);
      const { outTradeNo } = await order();
      assert.deepEqual(await notifyReport(outTradeNo), { outTradeNo, state: 'none', attempts: [] });
    });
  });
});
