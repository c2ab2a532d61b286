#!/usr/bin/env node
'use strict';

/**
 * Load test of POST /api/pay/notify/v3 (WeChat Pay API v3): the same runner,
 * state, rounds, duplicate storm and SQL checks as notify-v2.js (see its
 * header for the options), with v3 notifies instead of v2 XML:
 *
 *   body: {"id","create_time","resource_type":"encrypt-resource","event_type":"TRANSACTION.SUCCESS",
 *          "summary","resource":{"original_type","algorithm":"AEAD_AES_256_GCM","ciphertext",
 *          "associated_data":"transaction","nonce"}}
 *   resource: AES-256-GCM (APIv3 key as the key, a 12-character nonce, AAD "transaction") of the
 *             transaction JSON, ciphertext || 16-byte tag in base64;
 *   headers: Wechatpay-Timestamp / -Nonce / -Serial / -Signature, SHA256withRSA over
 *            "timestamp\nnonce\nbody\n" with WeChat Pay's private key (the app holds the public one).
 *
 * Re-implemented on node:crypto (common.js V3Notifier, no build needed). The bodies are signed once, just before the run
 * (~1 ms each at RSA-2048): the server accepts timestamps within ±300 s, and a run is well under that.
 *
 * Environment (besides notify-v2.js's BASE_URL, DATABASE_URL, WECHAT_APPID, WECHATPAY_MCHID, BENCH_*):
 *   WECHATPAY_APIV3_KEY (32 characters)
 *   BENCH_WECHATPAY_PRIVATE_KEY  WeChat Pay's private key (PEM text or a file path) matching the
 *                                app's WECHATPAY_PUBLIC_KEY
 *   WECHATPAY_PUBLIC_KEY_ID      the serial sent in Wechatpay-Serial
 */

const { V3Notifier } = require('./common');
const { runNotifyBench, config, orderNoOf, amountOf, transactionIdOf, BENCH_OPENID } = require('./notify-v2');

let notifier = null; // built in prepare(): the keys come from the environment

function build(tag, index) {
  const amount = amountOf(index);
  return notifier.notify({
    eventType: 'TRANSACTION.SUCCESS',
    summary: 'payment succeeded',
    originalType: 'transaction',
    createTime: '2026-11-22T15:30:01+08:00',
    resource: {
      appid: config.appId,
      mchid: config.mchId,
      out_trade_no: orderNoOf(tag, index),
      transaction_id: transactionIdOf(tag, index),
      trade_type: 'JSAPI',
      trade_state: 'SUCCESS',
      trade_state_desc: 'paid',
      bank_type: 'OTHERS',
      success_time: '2026-11-22T15:30:00+08:00',
      payer: { openid: BENCH_OPENID },
      amount: { total: amount, payer_total: amount, currency: 'CNY', payer_currency: 'CNY' },
    },
  });
}

runNotifyBench({
  name: 'notify-v3',
  path: '/api/pay/notify/v3',
  contentType: 'application/json',
  prepare() {
    notifier = new V3Notifier();
  },
  build,
  // 204 and no body: acknowledged. Signatures older than the window would come back 401.
  isAck: status => status === 204 || status === 200,
  beforeRun: () => notifier.assertFresh(),
});
