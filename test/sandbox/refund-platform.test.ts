import assert from 'node:assert/strict';
import { verifyV2RefundNotify } from '../../app/lib/wxpay/v2-refund-notify';
import { parseXml } from '../../app/lib/wxpay/xml';
import { SANDBOX_API_KEY, SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { decryptReqInfo } from '../../sandbox/wechat/refund-req-info';
import { ACK_SUCCESS, callV2, control, orderFields } from './support';
import { callRefundV2, NotifySink, paidTrade, RefundSandbox, refundFields, startRefundSandbox } from './refund-support';

function reqInfoOf(body: string): Record<string, string> {
  return parseXml(decryptReqInfo(parseXml(body).req_info, SANDBOX_API_KEY), 'root');
}

describe('test/sandbox/refund-platform.test.ts', () => {
  let running: RefundSandbox;
  let sink: NotifySink;

  before(async () => {
    running = await startRefundSandbox();
    sink = await new NotifySink(body => reqInfoOf(body).out_refund_no).start();
    sink.reply = () => ({ status: 200, body: ACK_SUCCESS });
  });

  after(async () => {
    await running.close();
    await sink.close();
  });

  const platformRefund = (body: Record<string, unknown>) => control(running.origin, 'POST', '/refund/platform', body);

  describe('POST /sandbox/control/refund/platform', () => {
    it('should refund a v2 trade with a WeChat-chosen out_refund_no and notify it to the refund-notify URL beside the pay notify', async () => {
      const trade = await paidTrade(running.origin, { notifyUrl: `${sink.origin}/api/pay/notify` });
      const reply = await platformRefund({ outTradeNo: trade.outTradeNo, amount: 300 });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      const refundNo = String(reply.body.refundNo);
      assert.match(refundNo, /^\d{24}$/);
      assert.match(String(reply.body.refundId), /^50\d{27}$/);
      assert.equal(reply.body.state, 'SUCCESS');
      assert.equal(reply.body.source, 'VENDOR_PLATFORM');
      assert.equal(reply.body.notifyUrl, `${sink.origin}/api/pay/refund-notify`);
      assert.equal((reply.body.notify as { state: string }).state, 'acknowledged');

      const [ notify ] = sink.about(refundNo);
      assert.equal(notify.url, '/api/pay/refund-notify');
      const info = reqInfoOf(notify.body);
      assert.equal(info.refund_request_source, 'VENDOR_PLATFORM');
      assert.equal(info.refund_status, 'SUCCESS');
      assert.equal(info.refund_fee, '300');
      assert.equal(info.out_trade_no, trade.outTradeNo);
      assert.equal(info.transaction_id, trade.transactionId);
      const verified = verifyV2RefundNotify(notify.body, { apiKey: SANDBOX_API_KEY, appId: SANDBOX_APPID, mchId: SANDBOX_MCHID });
      assert.ok(verified.ok && verified.report.requestSource === 'VENDOR_PLATFORM', JSON.stringify(verified));
    });

    it('should notify a v3 merchant in the v2 XML form too, at its v3 refund-notify URL', async () => {
      const trade = await paidTrade(running.origin, { api: 'v3', notifyUrl: `${sink.origin}/api/pay/notify/v3` });
      const reply = await platformRefund({ outTradeNo: trade.outTradeNo, amount: 1280 });
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.equal(reply.body.notifyForm, 'v2');
      const [ notify ] = sink.about(String(reply.body.refundNo));
      assert.equal(notify.url, '/api/pay/refund-notify/v3');
      assert.match(String(notify.headers['content-type']), /^text\/xml/);
      assert.equal(reqInfoOf(notify.body).refund_request_source, 'VENDOR_PLATFORM');
    });

    it('should send to the notifyUrl given, and leave a PROCESSING refund for a later settle', async () => {
      const trade = await paidTrade(running.origin);
      const reply = await platformRefund({ outTradeNo: trade.outTradeNo, amount: 100, notifyUrl: `${sink.origin}/elsewhere`, outcome: 'PROCESSING' });
      assert.equal(reply.body.state, 'PROCESSING');
      const refundNo = String(reply.body.refundNo);
      assert.equal(sink.about(refundNo).length, 0);
      const settled = await control(running.origin, 'POST', '/refund', { refundNo, outcome: 'CLOSED' });
      assert.equal(settled.status, 200);
      const [ notify ] = sink.about(refundNo);
      assert.equal(notify.url, '/elsewhere');
      assert.equal(reqInfoOf(notify.body).refund_status, 'REFUNDCLOSE');
    });

    it('should apply the refund rules: what is left to refund, a known and paid trade', async () => {
      const trade = await paidTrade(running.origin);
      await callRefundV2(running.tlsOrigin, refundFields(trade.outTradeNo, { refund_fee: 1000 }));
      const over = await platformRefund({ outTradeNo: trade.outTradeNo, amount: 281, deliverNotify: false });
      assert.equal(over.status, 409);
      assert.equal(over.body.code, 'REFUND_REFUSED');
      assert.equal(over.body.message, '申请退款金额超过订单可退金额');
      assert.equal((await platformRefund({ outTradeNo: trade.outTradeNo, amount: 280, deliverNotify: false })).status, 200);
      assert.equal((await platformRefund({ outTradeNo: 'NO_SUCH_ORDER', amount: 1 })).status, 404);
      const unpaid = orderFields();
      await callV2(running.origin, 'unifiedorder', unpaid);
      const refused = await platformRefund({ outTradeNo: unpaid.out_trade_no, amount: 1 });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'TRADE_NOT_PAID');
    });

    it('should answer 400 for a malformed call', async () => {
      const trade = await paidTrade(running.origin);
      for (const body of [{}, { outTradeNo: trade.outTradeNo }, { outTradeNo: trade.outTradeNo, amount: '100' },
        { outTradeNo: trade.outTradeNo, amount: 0 }, { outTradeNo: trade.outTradeNo, amount: 1.5 },
        { outTradeNo: trade.outTradeNo, amount: 1, outcome: 'DONE' }, { outTradeNo: trade.outTradeNo, amount: 1, notifyUrl: 'ftp://x' },
        { outTradeNo: trade.outTradeNo, amount: 1, wait: 1 }]) {
        assert.equal((await platformRefund(body)).status, 400, JSON.stringify(body));
      }
    });
  });
});
