import assert from 'node:assert/strict';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { app, mock } from 'egg-mock/bootstrap';
import { OrderStatus } from '../../../app/lib/order-status';
import { sealResource } from '../../../sandbox/wechat/aes-gcm';
import { nonceStr } from '../../../sandbox/wechat/nonce';
import { encryptReqInfo } from '../../../sandbox/wechat/refund-req-info';
import { wechatpaySignatureHeaders } from '../../../sandbox/wechat/wechatpay-signature';
import { fromXml, toXml } from '../../../sandbox/wechat/xml';
import { platformRefund, resendRefundNotify, sandboxRefunds, settleRefund } from '../../support/refunds';
import { eventually } from '../../support/sandbox';
import { buildV2Notify, postV2Notify } from '../../support/v2-notify';
import { customerView, operatorToken, paidOrder, refundView, requestRefund } from '../refund-fixtures';

const LATTE = 2600;

/** The v2 refund notify URL of the running app. */
function refundNotifyUrl(v3 = false): string {
  return `${new URL(app.config.wxpay.notifyUrl).origin}/api/pay/refund-notify${v3 ? '/v3' : ''}`;
}

/** A v2 refund notify as WeChat builds it (no sign; req_info encrypted with the MD5 of the key), by the sandbox's own code. */
function v2RefundNotify(root: Record<string, string | number>, options: { key?: string; appid?: string } = {}): string {
  const plain = toXml(root, 'root');
  return toXml({
    return_code: 'SUCCESS',
    appid: options.appid ?? app.config.wechat.appId,
    mch_id: app.config.wxpay.mchId,
    nonce_str: nonceStr(),
    req_info: encryptReqInfo(plain, options.key ?? app.config.wxpay.apiKey),
  });
}

async function postXml(url: string, body: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
  const text = await res.text();
  return { status: res.status, reply: text.startsWith('<') ? fromXml(text) : {} };
}

async function lastEvent() {
  return app.model.PaymentEvent.findOne({ order: [[ 'id', 'DESC' ]] });
}

describe('test/app/controller/refund_notify.test.ts', () => {
  let operator: string;

  beforeEach(async () => {
    operator = await operatorToken(app);
  });

  /** A PAID order with one accepted PROCESSING refund of `amount`, and the v2 notify fields describing it. */
  async function orderWithRefund(amount = 1000) {
    const order = await paidOrder(app);
    const refund = (await requestRefund(app, operator, order.orderNo, { amount }).expect(201)).body;
    const root = {
      transaction_id: order.transactionId,
      out_trade_no: order.orderNo,
      refund_id: '50000000000000000000000000001',
      out_refund_no: refund.refundNo,
      total_fee: LATTE,
      refund_fee: amount,
      settlement_total_fee: LATTE,
      settlement_refund_fee: amount,
      refund_status: 'SUCCESS',
      success_time: '2026-11-29 18:00:00',
      refund_recv_accout: '支付用户零钱',
      refund_account: 'REFUND_SOURCE_RECHARGE_FUNDS',
      refund_request_source: 'API',
    };
    return { order, refund, root };
  }

  describe('POST /api/pay/refund-notify (v2)', () => {
    it('should apply a genuine notify once, acknowledge its duplicates, and audit every request', async () => {
      const { order, refund, root } = await orderWithRefund();
      const body = v2RefundNotify(root);
      const first = await postXml(refundNotifyUrl(), body);
      assert.equal(first.status, 200);
      assert.equal(first.reply.return_code, 'SUCCESS');
      const view = await refundView(app, operator, refund.refundNo);
      assert.equal(view.status, 'SUCCESS');
      assert.equal(view.succeededAt, '2026-11-29T10:00:00.000Z');
      const events = await app.model.PaymentEvent.count({ where: { source: 'refund_notify' } });

      const again = await postXml(refundNotifyUrl(), body);
      assert.equal(again.reply.return_code, 'SUCCESS');
      assert.equal((await lastEvent())!.outcome, 'REFUND_SUCCESS_DUPLICATE');
      assert.equal(await app.model.PaymentEvent.count({ where: { source: 'refund_notify' } }), events + 1);
      assert.equal((await customerView(app, order)).refundedAmount, 1000);
    });

    it('should acknowledge but not apply a late status after SUCCESS (refunds only move forward)', async () => {
      const { refund, root } = await orderWithRefund();
      await postXml(refundNotifyUrl(), v2RefundNotify(root));
      const late = await postXml(refundNotifyUrl(), v2RefundNotify({ ...root, refund_status: 'REFUNDCLOSE' }));
      assert.equal(late.reply.return_code, 'SUCCESS');
      assert.equal((await refundView(app, operator, refund.refundNo)).status, 'SUCCESS');
      assert.equal((await lastEvent())!.outcome, 'REFUND_CLOSED_STALE');
    });

    it('should refuse a req_info encrypted with another key, changing nothing', async () => {
      const { refund, root } = await orderWithRefund();
      const res = await postXml(refundNotifyUrl(), v2RefundNotify(root, { key: 'k'.repeat(32) }));
      assert.equal(res.reply.return_code, 'FAIL');
      assert.equal((await refundView(app, operator, refund.refundNo)).status, 'PROCESSING');
      const event = await lastEvent();
      assert.equal(event!.outcome, 'REQ_INFO_INVALID');
      assert.equal(Boolean(event!.verified), false);
    });

    it('should refuse another appid, an unknown refund and different amounts', async () => {
      const { refund, root } = await orderWithRefund();
      assert.equal((await postXml(refundNotifyUrl(), v2RefundNotify(root, { appid: 'wxsomeoneelse0001' }))).reply.return_code, 'FAIL');
      assert.equal((await lastEvent())!.outcome, 'APPID_MISMATCH');

      const unknown = v2RefundNotify({ ...root, out_refund_no: 'RUNKNOWN0001', out_trade_no: '20261129000000UNKNOWNORDER' });
      assert.equal((await postXml(refundNotifyUrl(), unknown)).reply.return_code, 'FAIL');
      assert.equal((await lastEvent())!.outcome, 'UNKNOWN_REFUND');

      assert.equal((await postXml(refundNotifyUrl(), v2RefundNotify({ ...root, refund_fee: 999 }))).reply.return_code, 'FAIL');
      assert.equal((await lastEvent())!.outcome, 'REFUND_MISMATCH');
      assert.equal((await postXml(refundNotifyUrl(), v2RefundNotify({ ...root, total_fee: 5200 }))).reply.return_code, 'FAIL');
      assert.equal((await refundView(app, operator, refund.refundNo)).status, 'PROCESSING');
    });

    it('should refuse malformed and entity-laden bodies, and answer 413 over 1 MB', async () => {
      const { root } = await orderWithRefund();
      assert.equal((await postXml(refundNotifyUrl(), 'not xml')).reply.return_code, 'FAIL');
      const laden = `<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY e SYSTEM "file:///etc/passwd">]>${v2RefundNotify(root).replace('<xml>', '<xml><x>&e;</x>')}`;
      assert.equal((await postXml(refundNotifyUrl(), laden)).reply.return_code, 'FAIL');
      assert.equal((await lastEvent())!.outcome, 'XML_INVALID');
      const huge = await postXml(refundNotifyUrl(), `<xml><pad>${'a'.repeat(1024 * 1024)}</pad></xml>`);
      assert.equal(huge.status, 413);
      assert.equal((await lastEvent())!.outcome, 'BODY_TOO_LARGE');
    });

    it('should take a refund WeChat delivers for real, and its duplicate, through the sandbox', async () => {
      const { refund } = await orderWithRefund(LATTE);
      const settled = await settleRefund(app, refund.refundNo, 'SUCCESS');
      assert.equal(settled.notify.firstAttempt?.acknowledged, true);
      const duplicate = await resendRefundNotify(app, refund.refundNo);
      assert.equal(duplicate.acknowledged, true);
      const order = await app.model.Order.findOne({ where: { orderNo: refund.orderNo } });
      assert.equal(order!.status, 'REFUNDED');
      assert.equal(order!.refundedAmount, LATTE);
    });

    it('should import a refund made by hand in the merchant platform, created by merchant-platform', async () => {
      const order = await paidOrder(app);
      const manual = await platformRefund(app, order.orderNo, 600);
      assert.equal(manual.notify.firstAttempt?.acknowledged, true);
      const refund = await app.model.Refund.findOne({ where: { refundNo: manual.refundNo } });
      assert.equal(refund!.createdBy, 'merchant-platform');
      assert.equal(refund!.status, 'SUCCESS');
      assert.equal((await customerView(app, order)).refundedAmount, 600);
      // It is counted in the refundable amount.
      assert.equal((await requestRefund(app, operator, order.orderNo, { amount: LATTE - 599 }).expect(409)).body.code, 'REFUND_EXCEEDS_REFUNDABLE');
    });
  });

  describe('automatic refunds', () => {
    /** The verified notify of the order's real payment, as WeChat sends it again. */
    function repeatPayment(order: { orderNo: string; transactionId: string }) {
      return buildV2Notify(app, { out_trade_no: order.orderNo, transaction_id: order.transactionId, total_fee: LATTE });
    }

    it('should refund in full, once, a payment of an order closed here (PAID_AFTER_CLOSE), however often it is reported', async () => {
      const order = await paidOrder(app);
      // The order was closed here while WeChat took the money (a race the close cannot always win).
      await app.model.Order.update({ status: OrderStatus.CLOSED, transactionId: null, paidAt: null }, { where: { orderNo: order.orderNo } });
      const replies = await Promise.all([ 1, 2, 3 ].map(() => postV2Notify(app, repeatPayment(order))));
      for (const reply of replies) assert.equal(reply.reply.return_code, 'SUCCESS');
      const refunds = await app.model.Refund.findAll({ where: { orderNo: order.orderNo } });
      assert.equal(refunds.length, 1);
      assert.equal(refunds[0].createdBy, 'system');
      assert.equal(refunds[0].transactionId, order.transactionId);
      assert.equal(refunds[0].amount, LATTE);
      assert.match(refunds[0].reason!, /closed/);
      await eventually(async () => (await sandboxRefunds(app, order.orderNo)).length === 1);
      // The order keeps its status and refundedAmount.
      await settleRefund(app, refunds[0].refundNo, 'SUCCESS');
      const row = await app.model.Order.findOne({ where: { orderNo: order.orderNo } });
      assert.equal(row!.status, 'CLOSED');
      assert.equal(row!.refundedAmount, 0);
    });

    it('should refund a second transaction of a paid order (PAID_BY_OTHER_TRANSACTION) and leave the order as it was', async () => {
      const order = await paidOrder(app);
      // The order was paid by another transaction first: this payment is the second one.
      await app.model.Order.update({ transactionId: '4200000000000000000000000001' }, { where: { orderNo: order.orderNo } });
      await postV2Notify(app, repeatPayment(order));
      const [ refund ] = await app.model.Refund.findAll({ where: { orderNo: order.orderNo } });
      assert.equal(refund.createdBy, 'system');
      assert.equal(refund.transactionId, order.transactionId);
      assert.match(refund.reason!, /second payment/);
      await eventually(async () => (await app.model.Refund.findOne({ where: { refundNo: refund.refundNo } }))!.acceptedAt !== null);
      await settleRefund(app, refund.refundNo, 'SUCCESS');
      const view = await customerView(app, order);
      assert.equal(view.status, 'PAID');
      assert.equal(view.refundedAmount, 0);
    });

    it('should only log and list the case with AUTO_REFUND=false', async () => {
      mock(app.config.wxpay, 'autoRefund', false);
      const order = await paidOrder(app);
      await app.model.Order.update({ status: OrderStatus.CLOSED, transactionId: null }, { where: { orderNo: order.orderNo } });
      assert.equal((await postV2Notify(app, repeatPayment(order))).reply.return_code, 'SUCCESS');
      assert.equal(await app.model.Refund.count(), 0);
      assert.equal((await lastEvent())!.outcome, 'PAID_AFTER_CLOSE');
    });
  });

  describe('v3', () => {
    beforeEach(() => {
      mock(app.config.wxpay, 'apiVersion', 'v3');
      mock(app.config.wxpay, 'notifyUrl', app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify$/, '/api/pay/notify/v3'));
    });

    /** A v3 REFUND.* notify as WeChat builds it, by the sandbox's own code. */
    function v3RefundNotify(eventType: string, refund: Record<string, unknown>) {
      const { wxpay, sandbox } = app.config;
      const body = JSON.stringify({
        id: randomUUID(),
        create_time: '2026-11-29T18:00:01+08:00',
        resource_type: 'encrypt-resource',
        event_type: eventType,
        summary: '退款成功',
        resource: { original_type: 'refund', ...sealResource(JSON.stringify({ mchid: wxpay.mchId, ...refund }), wxpay.apiV3Key, nonceStr(12), 'refund') },
      });
      return { body, headers: wechatpaySignatureHeaders(body, createPrivateKey(sandbox.wechatpayPrivateKey), wxpay.publicKeyId) };
    }

    async function postV3(notify: { body: string; headers: Record<string, string> }) {
      const res = await fetch(refundNotifyUrl(true), { method: 'POST', headers: { 'content-type': 'application/json', ...notify.headers }, body: notify.body });
      return res.status;
    }

    it('should refund through v3 and settle from the REFUND.SUCCESS notify WeChat delivers', async () => {
      const order = await paidOrder(app);
      const refund = (await requestRefund(app, operator, order.orderNo, { amount: LATTE }).expect(201)).body;
      const settled = await settleRefund(app, refund.refundNo, 'SUCCESS');
      assert.equal(settled.notifyForm, 'v3');
      assert.equal(settled.notify.firstAttempt?.acknowledged, true);
      assert.equal((await customerView(app, order)).status, 'REFUNDED');
    });

    it('should answer 204 once, 204 to a duplicate, 401 to a bad signature and 400 to another merchant', async () => {
      const order = await paidOrder(app);
      const refund = (await requestRefund(app, operator, order.orderNo, { amount: 700 }).expect(201)).body;
      const facts = {
        out_trade_no: order.orderNo, transaction_id: order.transactionId, out_refund_no: refund.refundNo,
        refund_id: '50000000000000000000000000002', refund_status: 'SUCCESS', success_time: '2026-11-29T18:00:00+08:00',
        user_received_account: '支付用户零钱', amount: { total: LATTE, refund: 700, payer_total: LATTE, payer_refund: 700 },
      };
      const notify = v3RefundNotify('REFUND.SUCCESS', facts);
      assert.equal(await postV3(notify), 204);
      assert.equal(await postV3(notify), 204);
      assert.equal((await customerView(app, order)).refundedAmount, 700);
      assert.equal(await postV3({ ...notify, body: notify.body.replace('退款成功', '退款成功 ') }), 401);
      assert.equal(await postV3(v3RefundNotify('REFUND.SUCCESS', { ...facts, mchid: '1900000002' })), 400);
      assert.equal(await postV3(v3RefundNotify('REFUND.CLOSED', { ...facts, refund_status: 'CLOSED' })), 204);
      assert.equal((await refundView(app, operator, refund.refundNo)).status, 'SUCCESS');
    });

    it('should take the v2 XML form of a merchant-platform refund at the v3 URL, answered in XML', async () => {
      const order = await paidOrder(app);
      const manual = await platformRefund(app, order.orderNo, 500);
      assert.equal(manual.notifyForm, 'v2');
      assert.match(manual.notifyUrl ?? '', /\/api\/pay\/refund-notify\/v3$/);
      assert.equal(manual.notify.firstAttempt?.acknowledged, true);
      assert.equal((await customerView(app, order)).refundedAmount, 500);
    });
  });
});
