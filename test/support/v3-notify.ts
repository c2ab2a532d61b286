import { createPrivateKey, randomUUID } from 'node:crypto';
import { MockApplication } from 'egg-mock';
import { sealResource } from '../../sandbox/wechat/aes-gcm';
import { nonceStr } from '../../sandbox/wechat/nonce';
import { wechatpaySignatureHeaders } from '../../sandbox/wechat/wechatpay-signature';

/**
 * A v3 TRANSACTION.SUCCESS notify built the way WeChat Pay builds one, with
 * the simulator's WeChat-side encryption and signing, signed with its key.
 */
export function buildV3Notify(app: MockApplication, transaction: Record<string, unknown>,
  options: { eventType?: string; apiV3Key?: string; timestamp?: string } = {}) {
  const { wechat, wxpay, sandbox } = app.config;
  const plain = JSON.stringify({
    appid: wechat.appId,
    mchid: wxpay.mchId,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: 'paid',
    bank_type: 'OTHERS',
    success_time: '2026-11-22T15:30:00+08:00',
    payer: { openid: 'oSANDBOXopenid' },
    ...transaction,
  });
  const body = JSON.stringify({
    id: randomUUID(),
    create_time: '2026-11-22T15:30:01+08:00',
    resource_type: 'encrypt-resource',
    event_type: options.eventType ?? 'TRANSACTION.SUCCESS',
    summary: 'payment succeeded',
    resource: {
      original_type: 'transaction',
      ...sealResource(plain, options.apiV3Key ?? wxpay.apiV3Key, nonceStr(12), 'transaction'),
    },
  });
  const headers = wechatpaySignatureHeaders(body, createPrivateKey(sandbox.wechatpayPrivateKey), wxpay.publicKeyId, options.timestamp);
  return { body, headers };
}

/** POSTs a v3 notify over real HTTP to the v3 notify endpoint. */
export async function postV3Notify(app: MockApplication, notify: { body: string; headers: Record<string, string> }) {
  const url = app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify(\/v3)?$/, '/api/pay/notify/v3');
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...notify.headers },
    body: notify.body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
