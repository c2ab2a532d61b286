import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { app, mock } from 'egg-mock/bootstrap';
import { sealResource } from '../../../sandbox/wechat/aes-gcm';
import { nonceStr } from '../../../sandbox/wechat/nonce';
import { wechatpaySignatureHeaders } from '../../../sandbox/wechat/wechatpay-signature';
import { pendingOrder } from '../../support/orders';

// Rule: a v3 notify is verified over the exact bytes WeChat sent. WeChat does
// not promise JSON.stringify's formatting, so any valid JSON body it signed
// (indented, with \u escapes, with its keys in another order) must verify and
// pay; and the signature covers those bytes, so one changed space must not.

/** The resource, encrypted by the simulator's WeChat-side AEAD_AES_256_GCM (not app/lib's). */
function encrypt(plaintext: string, apiV3Key: string, associatedData: string) {
  return sealResource(plaintext, apiV3Key, nonceStr(12), associatedData);
}

/** Signs a raw body, byte for byte, with the simulated WeChat Pay's key, as WeChat signs its notifies. */
function wechatpayHeaders(rawBody: string): Record<string, string> {
  const { sandbox, wxpay } = app.config;
  return {
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
    ...wechatpaySignatureHeaders(rawBody, createPrivateKey(sandbox.wechatpayPrivateKey), wxpay.publicKeyId),
  };
}

async function postRaw(rawBody: string, headers: Record<string, string>) {
  const url = app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify(\/v3)?$/, '/api/pay/notify/v3');
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: rawBody });
  return { status: res.status, text: await res.text() };
}

/** Escapes every non-ASCII character and every `-` inside JSON strings as \uXXXX (still the same JSON value). */
function escapeStrings(json: string): string {
  return json.replace(/"(?:[^"\\]|\\.)*"/g, literal => literal.replace(/[^\x20-\x7e]|-/g,
    ch => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

describe('test/app/rules/v3_notify_raw_body.test.ts', () => {
  let orderNo: string;
  let amount: number;
  let sequence = 0;

  beforeEach(async () => {
    mock(app.config.wxpay, 'apiVersion', 'v3');
    mock(app.config.wxpay, 'notifyUrl', app.config.wxpay.notifyUrl.replace(/\/api\/pay\/notify$/, '/api/pay/notify/v3'));
    ({ orderNo, amount } = await pendingOrder(app, 'rawbody'));
  });

  const transactionId = () => `42000000052026112${String(++sequence).padStart(11, '0')}`;
  const transaction = (id: string) => ({
    appid: app.config.wechat.appId,
    mchid: app.config.wxpay.mchId,
    out_trade_no: orderNo,
    transaction_id: id,
    trade_type: 'JSAPI',
    trade_state: 'SUCCESS',
    trade_state_desc: '支付成功',
    bank_type: 'OTHERS',
    success_time: '2026-11-22T15:30:00+08:00',
    payer: { openid: 'oSANDBOXopenid' },
    amount: { total: amount, payer_total: amount, currency: 'CNY', payer_currency: 'CNY' },
  });
  const envelope = (plaintext: string) => ({
    id: 'EV-2026112215300100000000000001',
    create_time: '2026-11-22T15:30:01+08:00',
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: { original_type: 'transaction', ...encrypt(plaintext, app.config.wxpay.apiV3Key, 'transaction') },
  });

  /** `canonical` is the envelope as JSON.stringify writes it: the body posted must be other bytes for the same notify. */
  async function assertPaidBy(rawBody: string, canonical: unknown, id: string) {
    assert.notEqual(rawBody, JSON.stringify(canonical), 'the body must differ from JSON.stringify\'s output');
    const res = await postRaw(rawBody, wechatpayHeaders(rawBody));
    assert.equal(res.status, 204, res.text);
    const order = (await app.model.Order.findOne({ where: { orderNo } }))!;
    assert.equal(order.status, 'PAID');
    assert.equal(order.transactionId, id);
    assert.equal(order.paidAt!.toISOString(), '2026-11-22T07:30:00.000Z');
    const events = await app.model.PaymentEvent.findAll();
    assert.deepEqual(events.map(e => [ e.outcome, e.verified ]), [[ 'PAID', true ]]);
    // the audit keeps the bytes that were verified, not a re-serialisation
    assert.equal(events[0].rawBody, rawBody);
  }

  it('should verify and pay a pretty-printed body (newlines, indentation), as signed', async () => {
    const id = transactionId();
    const notify = envelope(JSON.stringify(transaction(id)));
    await assertPaidBy(`${JSON.stringify(notify, null, 2)}\n`, notify, id);
  });

  it('should verify and pay a body whose strings carry \\u escapes, as signed', async () => {
    const id = transactionId();
    const notify = envelope(JSON.stringify(transaction(id)));
    const body = escapeStrings(JSON.stringify(notify));
    assert.match(body, /\\u652f\\u4ed8\\u6210\\u529f/); // 支付成功
    assert.match(body, /encrypt\\u002dresource/);
    await assertPaidBy(body, notify, id);
  });

  it('should verify and pay a body whose keys come in another order, as signed', async () => {
    const id = transactionId();
    const notify = envelope(JSON.stringify(transaction(id)));
    const { resource, ...rest } = notify;
    const { ciphertext, ...resourceRest } = resource;
    const reordered = { resource: { ciphertext, ...resourceRest }, ...Object.fromEntries(Object.entries(rest).reverse()) };
    await assertPaidBy(JSON.stringify(reordered), notify, id);
  });

  it('should verify and pay a body with tabs, CRLF line ends and a non-canonical resource, as signed', async () => {
    const id = transactionId();
    const plaintext = escapeStrings(JSON.stringify(transaction(id), null, '\t'));
    const notify = envelope(plaintext);
    await assertPaidBy(JSON.stringify(notify, null, '\t').replace(/\n/g, '\r\n'), notify, id);
  });

  it('should refuse (401) a pretty-printed body changed by one space after it was signed', async () => {
    const body = JSON.stringify(envelope(JSON.stringify(transaction(transactionId()))), null, 2);
    const headers = wechatpayHeaders(body);
    const changed = body.replace('"summary": ', '"summary":  ');
    assert.notEqual(changed, body);
    assert.deepEqual(JSON.parse(changed), JSON.parse(body));
    const res = await postRaw(changed, headers);
    assert.equal(res.status, 401, res.text);
    assert.equal((await app.model.Order.findOne({ where: { orderNo } }))!.status, 'PENDING');
    assert.deepEqual((await app.model.PaymentEvent.findAll()).map(e => e.outcome), [ 'SIGNATURE_INVALID' ]);
  });
});
