import assert from 'node:assert/strict';
import { decryptResource, EncryptedResource } from '../../app/lib/wxpay/v3-resource';
import { verifyV2RefundNotify } from '../../app/lib/wxpay/v2-refund-notify';
import { verifyV3RefundNotify } from '../../app/lib/wxpay/v3-refund-notify';
import { parseXml } from '../../app/lib/wxpay/xml';
import { SANDBOX_API_KEY, SANDBOX_APIV3_KEY, SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { NOTIFY_RETRY_DELAYS_S } from '../../sandbox/notify-delivery';
// The notify's req_info is read back with the simulator's own decryption, pinned to WeChat's published vectors.
import { decryptReqInfo } from '../../sandbox/wechat/refund-req-info';
import { ACK_FAIL, ACK_SUCCESS, control, ControlReply, waitFor } from './support';
import {
  callRefundV2,
  callV3,
  newOutRefundNo,
  NotifySink,
  paidTrade,
  RefundSandbox,
  refundFields,
  startRefundSandbox,
  WECHATPAY_KEYS,
} from './refund-support';

const RETRY_SCALE = 0.001;

/** The refund a v2 refund notify is about, decrypted. */
function reqInfoOf(body: string): Record<string, string> {
  return parseXml(decryptReqInfo(parseXml(body).req_info, SANDBOX_API_KEY), 'root');
}

/** The refund a v3 refund notify is about, decrypted. */
function resourceOf(body: string): Record<string, unknown> {
  return JSON.parse(decryptResource((JSON.parse(body) as { resource: EncryptedResource }).resource, SANDBOX_APIV3_KEY));
}

describe('test/sandbox/refund-notify.test.ts', () => {
  let running: RefundSandbox;
  let v2Sink: NotifySink;
  let v3Sink: NotifySink;

  before(async () => {
    running = await startRefundSandbox({ notifyRetryScale: RETRY_SCALE });
    v2Sink = await new NotifySink(body => reqInfoOf(body).out_refund_no).start();
    v3Sink = await new NotifySink(body => String(resourceOf(body).out_refund_no)).start();
  });

  after(async () => {
    await running.close();
    await v2Sink.close();
    await v3Sink.close();
  });

  beforeEach(() => {
    v2Sink.reply = () => ({ status: 200, body: ACK_SUCCESS });
    v3Sink.reply = () => ({ status: 204, body: '' });
  });

  /** A v2 refund of `amount` accepted by WeChat, its notify_url the v2 sink. */
  async function v2Refund(amount = 500) {
    const trade = await paidTrade(running.origin);
    const fields = refundFields(trade.outTradeNo, { refund_fee: amount, notify_url: v2Sink.url });
    const reply = await callRefundV2(running.tlsOrigin, fields);
    assert.equal(reply.fields.result_code, 'SUCCESS', reply.text);
    return { ...trade, refundNo: String(fields.out_refund_no), refundId: reply.fields.refund_id };
  }

  /** A v3 refund of `amount` accepted by WeChat, its notify_url the v3 sink. */
  async function v3Refund(amount = 500) {
    const trade = await paidTrade(running.origin, { api: 'v3' });
    const refundNo = newOutRefundNo();
    const reply = await callV3(running.tlsOrigin, 'POST', '/v3/refund/domestic/refunds', {
      out_trade_no: trade.outTradeNo, out_refund_no: refundNo, notify_url: `${v3Sink.url}/v3`,
      amount: { refund: amount, total: trade.total, currency: 'CNY' },
    });
    assert.equal(reply.status, 200, reply.text);
    return { ...trade, refundNo, refundId: String(reply.body.refund_id) };
  }

  const settle = (refundNo: string, outcome: string, options: Record<string, unknown> = {}) =>
    control(running.origin, 'POST', '/refund', { refundNo, outcome, ...options });
  const notifyLog = (refundNo: string) => control(running.origin, 'GET', `/refund-notifies?refundNo=${refundNo}`);

  function settledLog(refundNo: string): Promise<ControlReply> {
    return waitFor(async () => {
      const log = await notifyLog(refundNo);
      return log.body.state === 'delivering' ? undefined : log;
    }, 5000, `the notify of ${refundNo}`);
  }

  describe('v2 (XML with req_info)', () => {
    it('should notify a SUCCESS with the fields of req_info, unsigned, that the service accepts', async () => {
      const refund = await v2Refund(500);
      const settled = await settle(refund.refundNo, 'SUCCESS');
      assert.equal(settled.status, 200, JSON.stringify(settled.body));
      assert.equal(settled.body.state, 'SUCCESS');
      const notifySummary = settled.body.notify as { state: string; firstAttempt: { attempt: number; status: number; acknowledged: boolean } };
      assert.equal(notifySummary.state, 'acknowledged');
      assert.deepEqual([ notifySummary.firstAttempt.attempt, notifySummary.firstAttempt.status, notifySummary.firstAttempt.acknowledged ], [ 1, 200, true ]);

      const [ notify ] = v2Sink.about(refund.refundNo);
      assert.match(String(notify.headers['content-type']), /^text\/xml/);
      const outer = parseXml(notify.body);
      assert.deepEqual(Object.keys(outer).sort(), [ 'appid', 'mch_id', 'nonce_str', 'req_info', 'return_code' ]);
      assert.equal(outer.return_code, 'SUCCESS');
      assert.equal(outer.appid, SANDBOX_APPID);
      assert.equal(outer.mch_id, SANDBOX_MCHID);
      const info = reqInfoOf(notify.body);
      assert.deepEqual(Object.keys(info), [
        'out_refund_no', 'out_trade_no', 'refund_account', 'refund_fee', 'refund_id', 'refund_recv_accout', 'refund_request_source',
        'refund_status', 'settlement_refund_fee', 'settlement_total_fee', 'success_time', 'total_fee', 'transaction_id',
      ]);
      assert.equal(info.out_refund_no, refund.refundNo);
      assert.equal(info.refund_id, refund.refundId);
      assert.equal(info.out_trade_no, refund.outTradeNo);
      assert.equal(info.transaction_id, refund.transactionId);
      assert.equal(info.total_fee, '1280');
      assert.equal(info.refund_fee, '500');
      assert.equal(info.refund_status, 'SUCCESS');
      assert.equal(info.refund_request_source, 'API');
      assert.equal(info.refund_recv_accout, '支付用户零钱');
      assert.match(info.success_time, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

      const verified = verifyV2RefundNotify(notify.body, { apiKey: SANDBOX_API_KEY, appId: SANDBOX_APPID, mchId: SANDBOX_MCHID });
      assert.ok(verified.ok, JSON.stringify(verified));
    });

    it('should retry on the scaled schedule until the merchant answers SUCCESS', async () => {
      v2Sink.reply = n => ({ status: 200, body: n <= 2 ? ACK_FAIL : ACK_SUCCESS });
      const refund = await v2Refund();
      await settle(refund.refundNo, 'SUCCESS', { wait: false });
      const log = await settledLog(refund.refundNo);
      assert.equal(log.body.state, 'acknowledged');
      const attempts = log.body.attempts as Array<{ acknowledged: boolean; status: number }>;
      assert.deepEqual(attempts.map(attempt => attempt.acknowledged), [ false, false, true ]);
      const arrivals = v2Sink.about(refund.refundNo);
      assert.equal(arrivals.length, 3);
      // Every retry carries the same refund.
      assert.deepEqual(new Set(arrivals.map(notify => reqInfoOf(notify.body).refund_id)), new Set([ refund.refundId ]));
      // WeChat waits 15 s, then 15 s more, scaled here to milliseconds (a timer may fire a hair early).
      for (let i = 1; i < arrivals.length; i++) {
        const gap = arrivals[i].arrivedAt - arrivals[i - 1].arrivedAt;
        assert.ok(gap >= NOTIFY_RETRY_DELAYS_S[i - 1] * 1000 * RETRY_SCALE - 2, `retry ${i} came after ${gap} ms`);
      }
    });

    it('should keep retrying through HTTP errors', async () => {
      v2Sink.reply = n => (n === 1 ? { status: 500, body: 'oops' } : { status: 200, body: ACK_SUCCESS });
      const refund = await v2Refund();
      const settled = await settle(refund.refundNo, 'SUCCESS');
      const first = (settled.body.notify as { firstAttempt: { status: number; acknowledged: boolean } }).firstAttempt;
      assert.deepEqual([ first.status, first.acknowledged ], [ 500, false ]);
      assert.equal((await settledLog(refund.refundNo)).body.state, 'acknowledged');
    });

    it('should notify REFUNDCLOSE without success_time, CHANGE, and CHANGE then SUCCESS', async () => {
      const closed = await v2Refund();
      await settle(closed.refundNo, 'CLOSED');
      const closedInfo = reqInfoOf(v2Sink.about(closed.refundNo)[0].body);
      assert.equal(closedInfo.refund_status, 'REFUNDCLOSE');
      assert.equal(closedInfo.success_time, undefined);

      const abnormal = await v2Refund();
      await settle(abnormal.refundNo, 'ABNORMAL');
      await settle(abnormal.refundNo, 'SUCCESS');
      const statuses = v2Sink.about(abnormal.refundNo).map(notify => reqInfoOf(notify.body).refund_status);
      assert.deepEqual(statuses, [ 'CHANGE', 'SUCCESS' ]);
    });
  });

  describe('v3 (REFUND.* JSON)', () => {
    it('should notify a signed REFUND.SUCCESS whose resource decrypts to the refund, that the service accepts', async () => {
      const refund = await v3Refund(700);
      const settled = await settle(refund.refundNo, 'SUCCESS');
      assert.equal((settled.body.notify as { state: string }).state, 'acknowledged');
      const [ notify ] = v3Sink.about(refund.refundNo);
      const envelope = JSON.parse(notify.body);
      assert.equal(envelope.event_type, 'REFUND.SUCCESS');
      assert.equal(envelope.resource_type, 'encrypt-resource');
      assert.equal(envelope.summary, '退款成功');
      assert.equal(envelope.resource.original_type, 'refund');
      assert.equal(envelope.resource.algorithm, 'AEAD_AES_256_GCM');
      assert.equal(envelope.resource.associated_data, 'refund');
      const resource = resourceOf(notify.body);
      assert.deepEqual(Object.keys(resource), [
        'mchid', 'transaction_id', 'out_trade_no', 'refund_id', 'out_refund_no', 'refund_status', 'success_time', 'user_received_account', 'amount',
      ]);
      assert.equal(resource.mchid, SANDBOX_MCHID);
      assert.equal(resource.refund_id, refund.refundId);
      assert.equal(resource.transaction_id, refund.transactionId);
      assert.equal(resource.refund_status, 'SUCCESS');
      assert.match(String(resource.success_time), /\+08:00$/);
      assert.deepEqual(resource.amount, { total: 1280, refund: 700, payer_total: 1280, payer_refund: 700 });

      const verified = verifyV3RefundNotify({
        headers: notify.headers, rawBody: notify.body, keys: WECHATPAY_KEYS, apiV3Key: SANDBOX_APIV3_KEY, mchId: SANDBOX_MCHID,
      });
      assert.ok(verified.ok, JSON.stringify(verified));
    });

    it('should notify REFUND.CLOSED and REFUND.ABNORMAL, without success_time', async () => {
      for (const outcome of [ 'CLOSED', 'ABNORMAL' ]) {
        const refund = await v3Refund();
        await settle(refund.refundNo, outcome);
        const [ notify ] = v3Sink.about(refund.refundNo);
        assert.equal(JSON.parse(notify.body).event_type, `REFUND.${outcome}`);
        assert.equal(resourceOf(notify.body).refund_status, outcome);
        assert.equal(resourceOf(notify.body).success_time, undefined);
      }
    });

    it('should retry until 200 or 204, with the same notify id and a fresh signature each time', async () => {
      v3Sink.reply = n => (n <= 2 ? { status: 500, body: '{"code":"FAIL","message":"失败"}' } : { status: 200, body: '' });
      const refund = await v3Refund();
      await settle(refund.refundNo, 'SUCCESS', { wait: false });
      const log = await settledLog(refund.refundNo);
      assert.equal(log.body.state, 'acknowledged');
      const arrivals = v3Sink.about(refund.refundNo);
      assert.equal(arrivals.length, 3);
      assert.equal(new Set(arrivals.map(notify => JSON.parse(notify.body).id)).size, 1);
      assert.equal(new Set(arrivals.map(notify => notify.headers['wechatpay-nonce'])).size, 3);
    });
  });

  describe('controls', () => {
    it('should record the outcome without a notify when asked, and send it on resend', async () => {
      const refund = await v2Refund();
      const settled = await settle(refund.refundNo, 'SUCCESS', { deliverNotify: false });
      assert.deepEqual(settled.body.notify, { state: 'suppressed' });
      assert.equal(v2Sink.about(refund.refundNo).length, 0);
      const resent = await control(running.origin, 'POST', '/refund/resend', { refundNo: refund.refundNo });
      assert.equal(resent.status, 200, JSON.stringify(resent.body));
      assert.equal(resent.body.resend, true);
      assert.equal(resent.body.acknowledged, true);
      assert.equal(v2Sink.about(refund.refundNo).length, 1);
    });

    it('should send a duplicate on resend after the notify was acknowledged, and log both', async () => {
      const refund = await v3Refund();
      await settle(refund.refundNo, 'SUCCESS');
      await control(running.origin, 'POST', '/refund/resend', { refundNo: refund.refundNo });
      const arrivals = v3Sink.about(refund.refundNo);
      assert.equal(arrivals.length, 2);
      assert.equal(JSON.parse(arrivals[0].body).id, JSON.parse(arrivals[1].body).id);
      const log = await notifyLog(refund.refundNo);
      assert.deepEqual((log.body.attempts as Array<{ resend?: boolean }>).map(attempt => attempt.resend ?? false), [ false, true ]);
    });

    it('should answer 409 to a resend of a refund with no outcome or no notify_url', async () => {
      const processing = await v2Refund();
      assert.equal((await control(running.origin, 'POST', '/refund/resend', { refundNo: processing.refundNo })).status, 409);
      const trade = await paidTrade(running.origin);
      const fields = refundFields(trade.outTradeNo);
      await callRefundV2(running.tlsOrigin, fields);
      const settled = await settle(String(fields.out_refund_no), 'SUCCESS');
      assert.deepEqual(settled.body.notify, { state: 'suppressed' });
      assert.equal((await control(running.origin, 'POST', '/refund/resend', { refundNo: fields.out_refund_no })).status, 409);
    });

    it('should answer 400 for malformed control calls and 404 for unknown refunds', async () => {
      const refund = await v2Refund();
      for (const body of [[], {}, { refundNo: refund.refundNo }, { refundNo: refund.refundNo, outcome: 'PROCESSING' },
        { refundNo: refund.refundNo, outcome: 'SUCCESS', wait: 'yes' }, { refundNo: refund.refundNo, outcome: 'SUCCESS', deliverNotify: 0 },
        { refundNo: 7, outcome: 'SUCCESS' }]) {
        assert.equal((await control(running.origin, 'POST', '/refund', body)).status, 400, JSON.stringify(body));
      }
      assert.equal((await settle('NO_SUCH_REFUND', 'SUCCESS')).status, 404);
      assert.equal((await control(running.origin, 'POST', '/refund/resend', {})).status, 400);
      assert.equal((await control(running.origin, 'POST', '/refund/resend', { refundNo: 'NO_SUCH_REFUND' })).status, 404);
      assert.equal((await control(running.origin, 'GET', '/refund-notifies')).status, 400);
      assert.equal((await notifyLog('NO_SUCH_REFUND')).status, 404);
      assert.equal((await control(running.origin, 'GET', '/refunds')).status, 400);
    });

    it('should answer 409 for a refund already SUCCESS or CLOSED, and for ABNORMAL twice', async () => {
      const succeeded = await v2Refund();
      await settle(succeeded.refundNo, 'SUCCESS', { deliverNotify: false });
      for (const outcome of [ 'SUCCESS', 'CLOSED', 'ABNORMAL' ]) {
        const reply = await settle(succeeded.refundNo, outcome);
        assert.equal(reply.status, 409);
        assert.equal(reply.body.state, 'SUCCESS');
      }
      const abnormal = await v2Refund();
      await settle(abnormal.refundNo, 'ABNORMAL', { deliverNotify: false });
      assert.equal((await settle(abnormal.refundNo, 'ABNORMAL')).status, 409);
      assert.equal((await settle(abnormal.refundNo, 'CLOSED', { deliverNotify: false })).status, 200);
      assert.equal((await settle(abnormal.refundNo, 'SUCCESS')).status, 409);
    });

    it('should list the refunds WeChat holds for a trade, oldest first', async () => {
      const refund = await v2Refund(100);
      const second = refundFields(refund.outTradeNo, { refund_fee: 200 });
      await callRefundV2(running.tlsOrigin, second);
      const listed = await control(running.origin, 'GET', `/refunds?outTradeNo=${refund.outTradeNo}`);
      const refunds = listed.body.refunds as Array<Record<string, unknown>>;
      assert.deepEqual(refunds.map(item => [ item.refundNo, item.amount, item.state ]),
        [[ refund.refundNo, 100, 'PROCESSING' ], [ second.out_refund_no, 200, 'PROCESSING' ]]);
      assert.equal(refunds[0].source, 'API');
      assert.equal(refunds[0].notifyForm, 'v2');
    });
  });
});
