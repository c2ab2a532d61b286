#!/usr/bin/env node
'use strict';

/**
 * Load test of POST /api/pay/refund-notify/v3 (WeChat Pay API v3 refund
 * notify, app in v3 mode): the same seeded refunds, rounds, duplicate storm and
 * SQL checks as refund-notify-v2.js (see its header), with signed v3 notifies:
 *
 *   body: {"id","create_time","resource_type":"encrypt-resource","event_type":"REFUND.SUCCESS",
 *          "summary","resource":{"original_type":"refund","algorithm":"AEAD_AES_256_GCM",
 *          "ciphertext","associated_data":"refund","nonce"}}
 *   resource: AES-256-GCM (APIv3 key, AAD "refund") of {mchid, transaction_id, out_trade_no,
 *             refund_id, out_refund_no, refund_status, success_time, user_received_account,
 *             amount {total, refund, payer_total, payer_refund}} (v3 refund resources name no appid);
 *   headers: Wechatpay-Timestamp / -Nonce / -Serial / -Signature as for the pay notify.
 * Acknowledged = 204. Built by common.js V3Notifier, signed once before the run (the server's
 * window is ±300 s).
 *
 * Environment (besides refund-notify-v2.js's): WECHATPAY_APIV3_KEY, BENCH_WECHATPAY_PRIVATE_KEY
 * (PEM text or a file path, matching the app's WECHATPAY_PUBLIC_KEY), WECHATPAY_PUBLIC_KEY_ID.
 */

const { V3Notifier } = require('./common');
const { config } = require('./notify-v2');
const { runRefundNotifyBench, refundFacts, v3Time } = require('./refund-notify-v2');

let notifier = null; // built in prepare(): the keys come from the environment

function build(tag, index) {
  const f = refundFacts(tag, index);
  const now = new Date();
  return notifier.notify({
    eventType: 'REFUND.SUCCESS',
    summary: '退款成功',
    originalType: 'refund',
    createTime: v3Time(now),
    resource: {
      mchid: config.mchId,
      transaction_id: f.transactionId,
      out_trade_no: f.orderNo,
      refund_id: f.refundId,
      out_refund_no: f.refundNo,
      refund_status: 'SUCCESS',
      success_time: v3Time(now),
      user_received_account: '支付用户零钱',
      amount: { total: f.total, refund: f.amount, payer_total: f.total, payer_refund: f.amount },
    },
  });
}

runRefundNotifyBench({
  name: 'refund-notify-v3',
  apiVersion: 'v3',
  path: '/api/pay/refund-notify/v3',
  contentType: 'application/json',
  prepare() {
    notifier = new V3Notifier();
  },
  build,
  // Only 204 acknowledges (an error is 4xx/5xx with a JSON body); 401 would mean the signatures went stale.
  isAck: status => status === 204,
  beforeRun: () => notifier.assertFresh(),
});
