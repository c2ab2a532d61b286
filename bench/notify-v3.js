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
 * Re-implemented on node:crypto (no build needed). The bodies are signed once, just before the run
 * (~1 ms each at RSA-2048): the server accepts timestamps within ±300 s, and a run is well under that.
 *
 * Environment (besides notify-v2.js's BASE_URL, DATABASE_URL, WECHAT_APPID, WECHATPAY_MCHID, BENCH_*):
 *   WECHATPAY_APIV3_KEY (32 characters)
 *   BENCH_WECHATPAY_PRIVATE_KEY  WeChat Pay's private key (PEM text or a file path) matching the
 *                                app's WECHATPAY_PUBLIC_KEY
 *   WECHATPAY_PUBLIC_KEY_ID      the serial sent in Wechatpay-Serial
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const { required } = require('./common');
const { runNotifyBench, config, orderNoOf, amountOf, transactionIdOf, BENCH_OPENID } = require('./notify-v2');

const MAX_SIGNATURE_AGE_MS = 240_000; // the server's window is ±300 s

let keys = null;
let signedAt = 0;

function pem(value) {
  return value.includes('-----BEGIN') ? value : fs.readFileSync(value, 'utf8');
}

const nonce = (length) => crypto.randomBytes(length).toString('base64url').slice(0, length);

function encryptResource(plaintext) {
  const iv = nonce(12);
  const cipher = crypto.createCipheriv('aes-256-gcm', keys.apiV3Key, Buffer.from(iv, 'utf8'));
  cipher.setAAD(Buffer.from('transaction', 'utf8'));
  const sealed = Buffer.concat([ cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag() ]);
  return { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed.toString('base64'),
    associated_data: 'transaction', nonce: iv };
}

function build(tag, index) {
  const amount = amountOf(index);
  const transaction = JSON.stringify({
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
  });
  const body = JSON.stringify({
    id: crypto.randomUUID(),
    create_time: '2026-11-22T15:30:01+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: 'payment succeeded',
    resource: encryptResource(transaction),
  });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headerNonce = nonce(32);
  const signature = crypto.sign('sha256', Buffer.from(`${timestamp}\n${headerNonce}\n${body}\n`, 'utf8'), keys.privateKey)
    .toString('base64');
  if (!signedAt) signedAt = Date.now();
  return {
    body: Buffer.from(body),
    headers: {
      'wechatpay-timestamp': timestamp,
      'wechatpay-nonce': headerNonce,
      'wechatpay-serial': keys.serial,
      'wechatpay-signature': signature,
    },
  };
}

runNotifyBench({
  name: 'notify-v3',
  path: '/api/pay/notify/v3',
  contentType: 'application/json',
  prepare() {
    const apiV3Key = Buffer.from(required('WECHATPAY_APIV3_KEY'), 'utf8');
    if (apiV3Key.length !== 32) throw new Error('WECHATPAY_APIV3_KEY must be 32 bytes');
    keys = {
      apiV3Key,
      privateKey: crypto.createPrivateKey(pem(required('BENCH_WECHATPAY_PRIVATE_KEY'))),
      serial: required('WECHATPAY_PUBLIC_KEY_ID'),
    };
  },
  build,
  // 204 and no body: acknowledged. Signatures older than the window would come back 401.
  isAck: status => status === 204 || status === 200,
  beforeRun() {
    if (signedAt && Date.now() - signedAt > MAX_SIGNATURE_AGE_MS) {
      throw new Error('the pre-signed notifies are about to leave the ±300 s window: shorten the run');
    }
  },
});
