import assert from 'node:assert/strict';
import { KeyObject } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createNonce, unixTimestamp } from '../../app/lib/wxpay/nonce';
import { decryptPlatformCertificates, PlatformCertificateEntry, WechatpayKeyStore } from '../../app/lib/wxpay/v3-keys';
import { decryptResource, EncryptedResource } from '../../app/lib/wxpay/v3-resource';
import { buildAuthorization, MerchantSigner, verifyWechatpaySignature } from '../../app/lib/wxpay/v3-signature';
import {
  FOREIGN_APPID,
  FOREIGN_MCHID,
  SANDBOX_APIV3_KEY,
  SANDBOX_APPID,
  SANDBOX_MCHID,
  SANDBOX_MERCHANT_CERT_SERIAL,
  SANDBOX_PUBLIC_KEY_ID,
} from '../../sandbox/credentials';
import { rsaKeyPair } from '../lib/wxpay/v3-fixtures';
import { control, newOutTradeNo, PAYER_OPENID, RunningSandbox, startSandbox, waitFor } from './support';

const merchantKeys = rsaKeyPair('merchant');
const wechatpayKeys = rsaKeyPair('wechatpay');
const strangerKeys = rsaKeyPair('stranger');

const MERCHANT: MerchantSigner = { mchId: SANDBOX_MCHID, serialNo: SANDBOX_MERCHANT_CERT_SERIAL, privateKey: merchantKeys.privateKey };
const PUBLIC_KEYS = new WechatpayKeyStore({ publicKey: { id: SANDBOX_PUBLIC_KEY_ID, key: wechatpayKeys.publicKey } });
const V3_BASE = '/sandbox/pay';

interface V3Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

interface CallOptions {
  signer?: MerchantSigner;
  timestamp?: string;
  /** what the signature covers, when a test sends something else */
  signedPath?: string;
  signedBody?: string;
  authorization?: string | null;
}

function headerRecord(headers: Headers): Record<string, string> {
  return Object.fromEntries(headers.entries());
}

/** Verifies a reply's Wechatpay-* headers over its body with the sandbox's WeChat Pay public key. */
function assertSignedBy(reply: V3Reply, keys: { get(serial: string): KeyObject | undefined } = PUBLIC_KEYS): void {
  verifyWechatpaySignature({ headers: headerRecord(reply.headers), body: reply.text, keys });
}

function assertV3Error(reply: V3Reply, status: number, code: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.body.code, code, reply.text);
  assert.equal(typeof reply.body.message, 'string');
  assertSignedBy(reply);
}

function orderBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    appid: SANDBOX_APPID,
    mchid: SANDBOX_MCHID,
    description: 'Sandbox shop - coffee',
    out_trade_no: newOutTradeNo(),
    time_expire: '2099-12-31T23:59:59+08:00',
    notify_url: 'http://127.0.0.1:9/api/pay/notify/v3',
    amount: { total: 1280, currency: 'CNY' },
    payer: { openid: PAYER_OPENID },
    ...overrides,
  };
}

/** A small v3 merchant endpoint that decrypts what it receives and answers per a script. */
class V3MerchantStub {
  readonly received: Array<{ headers: IncomingHttpHeaders; body: string; outTradeNo: string }> = [];
  reply: (n: number) => number = () => 204;
  origin = '';
  private server?: Server;

  get notifyUrl(): string {
    return `${this.origin}/api/pay/notify/v3`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const outTradeNo = this.outTradeNoOf(body);
        this.received.push({ headers: req.headers, body, outTradeNo });
        const status = this.reply(this.notifiesFor(outTradeNo).length);
        res.writeHead(status, { 'content-type': 'application/json' }).end(status === 204 ? '' : JSON.stringify({ code: 'FAIL', message: 'x' }));
      });
    });
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  notifiesFor(outTradeNo: string) {
    return this.received.filter(notify => notify.outTradeNo === outTradeNo);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise(resolve => this.server?.close(resolve));
  }

  private outTradeNoOf(body: string): string {
    try {
      const resource = (JSON.parse(body) as { resource: EncryptedResource }).resource;
      return (JSON.parse(decryptResource(resource, SANDBOX_APIV3_KEY)) as { out_trade_no: string }).out_trade_no;
    } catch {
      return '';
    }
  }
}

describe('test/sandbox/pay-v3.test.ts', () => {
  let running: RunningSandbox;
  let origin: string;

  before(async () => {
    running = await startSandbox({
      merchantPrivateKey: merchantKeys.privatePem,
      merchantCertSerial: SANDBOX_MERCHANT_CERT_SERIAL,
      wechatpayPrivateKey: wechatpayKeys.privatePem,
      wechatpayPublicKeyId: SANDBOX_PUBLIC_KEY_ID,
    });
    origin = running.origin;
  });

  after(async () => {
    await running.close();
  });

  beforeEach(() => {
    running.sandbox.faults.clear();
    running.sandbox.payV3.signer!.reset();
  });

  /** Signs a v3 request as the merchant would (unless told otherwise) and sends it. */
  async function callV3(method: 'GET' | 'POST', path: string, payload?: unknown, options: CallOptions = {}): Promise<V3Reply> {
    const body = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    const authorization = options.authorization !== undefined
      ? options.authorization
      : buildAuthorization(options.signer ?? MERCHANT, method, options.signedPath ?? `${V3_BASE}${path}`,
        options.signedBody ?? body, options.timestamp ?? unixTimestamp(), createNonce());
    if (authorization !== null) headers.authorization = authorization;
    const response = await fetch(`${origin}${V3_BASE}${path}`, { method, headers, body: method === 'GET' ? undefined : body });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // 204, or an unsigned gateway page
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  }

  async function prepay(overrides: Record<string, unknown> = {}) {
    const body = orderBody(overrides);
    const reply = await callV3('POST', '/v3/pay/transactions/jsapi', body);
    assert.equal(reply.status, 200, reply.text);
    return { body, outTradeNo: String(body.out_trade_no), prepayId: String(reply.body.prepay_id) };
  }

  const query = (outTradeNo: string, mchid = SANDBOX_MCHID) =>
    callV3('GET', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${mchid}`);
  const close = (outTradeNo: string) =>
    callV3('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, { mchid: SANDBOX_MCHID });

  async function pay(outTradeNo: string, result = 'SUCCESS', deliverNotify = false) {
    const reply = await control(origin, 'POST', '/pay', { outTradeNo, result, deliverNotify });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body;
  }

  describe('request authorization', () => {
    it('should accept a signed prepay and sign its reply with the WeChat Pay public key', async () => {
      const reply = await callV3('POST', '/v3/pay/transactions/jsapi', orderBody());
      assert.equal(reply.status, 200, reply.text);
      assert.match(String(reply.body.prepay_id), /^wx\d{14}[0-9a-f]{20}$/);
      assert.deepEqual(Object.keys(reply.body), [ 'prepay_id' ]);
      assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(reply.headers.get('wechatpay-serial'), SANDBOX_PUBLIC_KEY_ID);
      assert.ok(reply.headers.get('request-id'));
      assertSignedBy(reply);
    });

    it('should answer a signed 401 SIGN_ERROR without or with a malformed Authorization', async () => {
      for (const authorization of [ null, 'Bearer abc', 'WECHATPAY2-SHA256-RSA2048 mchid="1900000001"' ]) {
        assertV3Error(await callV3('POST', '/v3/pay/transactions/jsapi', orderBody(), { authorization }), 401, 'SIGN_ERROR');
      }
    });

    it('should refuse another mchid or merchant certificate serial', async () => {
      for (const signer of [{ ...MERCHANT, mchId: '1230000109' }, { ...MERCHANT, serialNo: 'DEADBEEF' }]) {
        assertV3Error(await callV3('POST', '/v3/pay/transactions/jsapi', orderBody(), { signer }), 401, 'SIGN_ERROR');
      }
    });

    it('should refuse a timestamp more than 300 s away, either way', async () => {
      const now = Math.floor(Date.now() / 1000);
      for (const timestamp of [ String(now - 301), String(now + 301) ]) {
        assertV3Error(await callV3('POST', '/v3/pay/transactions/jsapi', orderBody(), { timestamp }), 401, 'SIGN_ERROR');
      }
      const recent = await callV3('POST', '/v3/pay/transactions/jsapi', orderBody(), { timestamp: String(now - 250) });
      assert.equal(recent.status, 200, recent.text);
    });

    it('should refuse a signature by another key', async () => {
      const signer = { ...MERCHANT, privateKey: strangerKeys.privateKey };
      assertV3Error(await callV3('POST', '/v3/pay/transactions/jsapi', orderBody(), { signer }), 401, 'SIGN_ERROR');
    });

    it('should refuse a body, path or query altered after signing', async () => {
      const body = orderBody();
      const altered = { ...body, amount: { total: 1, currency: 'CNY' } };
      const signedBody = JSON.stringify(body);
      assertV3Error(await callV3('POST', '/v3/pay/transactions/jsapi', altered, { signedBody }), 401, 'SIGN_ERROR');

      const outTradeNo = (await prepay()).outTradeNo;
      const signedPath = `${V3_BASE}/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=1230000109`;
      const queried = await callV3('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${SANDBOX_MCHID}`, undefined, { signedPath });
      assertV3Error(queried, 401, 'SIGN_ERROR');
      // The path as requested, not as WeChat's production host would see it, is what is signed.
      assertV3Error(await callV3('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${SANDBOX_MCHID}`, undefined,
        { signedPath: `/v3/pay/transactions/out-trade-no/${outTradeNo}?mchid=${SANDBOX_MCHID}` }), 401, 'SIGN_ERROR');
    });

    it('should answer a signed 404 for a path it does not serve', async () => {
      assertV3Error(await callV3('GET', '/v3/pay/transactions/jsapi'), 404, 'NOT_FOUND');
    });

    it('should say v3 is off when the sandbox has no v3 keys', async () => {
      const bare = await startSandbox();
      try {
        const response = await fetch(`${bare.origin}${V3_BASE}/v3/certificates`);
        assert.equal(response.status, 501);
        assert.equal(((await response.json()) as { code: string }).code, 'SANDBOX_V3_OFF');
      } finally {
        await bare.close();
      }
    });
  });

  describe('JSAPI prepay', () => {
    it('should answer PARAM_ERROR naming a missing or malformed field', async () => {
      const cases: Array<[ Record<string, unknown>, string ]> = [
        [{ description: undefined }, '/body/description' ],
        [{ description: 'x'.repeat(128) }, '/body/description' ],
        [{ out_trade_no: '12345' }, '/body/out_trade_no' ],
        [{ out_trade_no: 'x'.repeat(33) }, '/body/out_trade_no' ],
        [{ out_trade_no: 'order#12345' }, '/body/out_trade_no' ],
        [{ notify_url: undefined }, '/body/notify_url' ],
        [{ notify_url: 'http://127.0.0.1/notify?order=1' }, '/body/notify_url' ],
        [{ notify_url: 'ftp://127.0.0.1/notify' }, '/body/notify_url' ],
        [{ time_expire: '20991231235959' }, '/body/time_expire' ],
        [{ amount: undefined }, '/body/amount' ],
        [{ amount: { total: 0 } }, '/body/amount/total' ],
        [{ amount: { total: 12.5 } }, '/body/amount/total' ],
        [{ amount: { total: '1280' } }, '/body/amount/total' ],
        [{ amount: { total: 1280, currency: 'USD' } }, '/body/amount/currency' ],
        [{ payer: undefined }, '/body/payer' ],
        [{ payer: {} }, '/body/payer/openid' ],
        [{ appid: undefined }, '/body/appid' ],
      ];
      for (const [ overrides, field ] of cases) {
        const reply = await callV3('POST', '/v3/pay/transactions/jsapi', orderBody(overrides));
        assertV3Error(reply, 400, 'PARAM_ERROR');
        assert.equal((reply.body.detail as { field: string }).field, field, JSON.stringify(overrides));
      }
      assertV3Error(await callV3('POST', '/v3/pay/transactions/jsapi', '{"appid":'), 400, 'PARAM_ERROR');
    });

    it('should answer APPID_MCHID_NOT_MATCH for an appid or mchid that is not the merchant\'s', async () => {
      for (const overrides of [{ appid: 'wx0000000000000000' }, { mchid: '1230000109' }]) {
        assertV3Error(await callV3('POST', '/v3/pay/transactions/jsapi', orderBody(overrides)), 400, 'APPID_MCHID_NOT_MATCH');
      }
    });

    it('should answer the same prepay_id for the same order, even with another time_expire', async () => {
      const first = await prepay();
      const again = await callV3('POST', '/v3/pay/transactions/jsapi', { ...first.body, time_expire: '2099-01-01T00:00:00+08:00' });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.prepay_id, first.prepayId);
    });

    it('should answer OUT_TRADE_NO_USED for the same out_trade_no with other parameters', async () => {
      const first = await prepay();
      for (const overrides of [{ amount: { total: 1, currency: 'CNY' } }, { description: 'other' }, { payer: { openid: 'oOther' } }]) {
        const reply = await callV3('POST', '/v3/pay/transactions/jsapi', { ...first.body, ...overrides });
        assertV3Error(reply, 400, 'OUT_TRADE_NO_USED');
      }
    });

    it('should answer ORDERPAID for a paid order and ORDER_CLOSED for a closed one', async () => {
      const paid = await prepay();
      await pay(paid.outTradeNo);
      assertV3Error(await callV3('POST', '/v3/pay/transactions/jsapi', paid.body), 400, 'ORDERPAID');

      const closed = await prepay();
      assert.equal((await close(closed.outTradeNo)).status, 204);
      assertV3Error(await callV3('POST', '/v3/pay/transactions/jsapi', closed.body), 400, 'ORDER_CLOSED');
    });
  });

  describe('query by out_trade_no', () => {
    it('should describe an unpaid order without transaction or payer', async () => {
      const { outTradeNo } = await prepay();
      const reply = await query(outTradeNo);
      assert.equal(reply.status, 200, reply.text);
      assertSignedBy(reply);
      assert.deepEqual(reply.body, {
        appid: SANDBOX_APPID,
        mchid: SANDBOX_MCHID,
        out_trade_no: outTradeNo,
        trade_state: 'NOTPAY',
        trade_state_desc: '订单未支付',
        amount: { total: 1280, currency: 'CNY', payer_currency: 'CNY' },
      });
    });

    it('should describe a paid order as WeChat does', async () => {
      const { outTradeNo } = await prepay({ attach: 'note' });
      const paid = await pay(outTradeNo);
      const reply = await query(outTradeNo);
      assert.equal(reply.status, 200, reply.text);
      assertSignedBy(reply);
      const transaction = reply.body;
      assert.equal(transaction.trade_state, 'SUCCESS');
      assert.equal(transaction.trade_state_desc, '支付成功');
      assert.equal(transaction.transaction_id, paid.transactionId);
      assert.equal(transaction.trade_type, 'JSAPI');
      assert.equal(transaction.bank_type, 'OTHERS');
      assert.equal(transaction.attach, 'note');
      assert.deepEqual(transaction.payer, { openid: PAYER_OPENID });
      assert.deepEqual(transaction.amount, { total: 1280, payer_total: 1280, currency: 'CNY', payer_currency: 'CNY' });
      assert.match(String(transaction.success_time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
      assert.ok(Math.abs(Date.parse(String(transaction.success_time)) - Date.now()) < 5000);
    });

    it('should show a failed payment attempt as PAYERROR with its transaction', async () => {
      const { outTradeNo } = await prepay();
      await pay(outTradeNo, 'FAIL');
      const reply = await query(outTradeNo);
      assert.equal(reply.body.trade_state, 'PAYERROR');
      assert.ok(reply.body.transaction_id);
      assert.equal(reply.body.success_time, undefined);
    });

    it('should answer 404 ORDER_NOT_EXIST for an unknown order', async () => {
      assertV3Error(await query(newOutTradeNo()), 404, 'ORDER_NOT_EXIST');
    });

    it('should require the merchant\'s own mchid in the query string', async () => {
      const { outTradeNo } = await prepay();
      assertV3Error(await callV3('GET', `/v3/pay/transactions/out-trade-no/${outTradeNo}`), 400, 'PARAM_ERROR');
      assertV3Error(await query(outTradeNo, '1230000109'), 400, 'PARAM_ERROR');
    });

    it("should accept every character of WeChat's out_trade_no set, percent-encoded in the path", async () => {
      const { outTradeNo } = await prepay({ out_trade_no: `aZ09_-|*${Date.now()}`.slice(0, 32) });
      const reply = await query(outTradeNo);
      assert.equal(reply.status, 200, reply.text);
      assert.equal(reply.body.out_trade_no, outTradeNo);
    });
  });

  describe('close by out_trade_no', () => {
    it('should close an unpaid order with a signed 204, after which it cannot be paid', async () => {
      const { outTradeNo } = await prepay();
      const reply = await close(outTradeNo);
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      assertSignedBy(reply);
      assert.equal((await query(outTradeNo)).body.trade_state, 'CLOSED');
      assert.equal((await control(origin, 'POST', '/pay', { outTradeNo })).status, 409);
    });

    it('should answer 204 again for a closed order and for one it never saw, as WeChat does', async () => {
      const { outTradeNo } = await prepay();
      assert.equal((await close(outTradeNo)).status, 204);
      assert.equal((await close(outTradeNo)).status, 204);
      assert.equal((await close(newOutTradeNo())).status, 204);
    });

    it('should refuse to close a paid order with ORDERPAID', async () => {
      const { outTradeNo } = await prepay();
      await pay(outTradeNo);
      assertV3Error(await close(outTradeNo), 400, 'ORDERPAID');
      assert.equal((await query(outTradeNo)).body.trade_state, 'SUCCESS');
    });

    it('should require the mchid in the body', async () => {
      const { outTradeNo } = await prepay();
      assertV3Error(await callV3('POST', `/v3/pay/transactions/out-trade-no/${outTradeNo}/close`, {}), 400, 'PARAM_ERROR');
    });
  });

  describe('faults', () => {
    it('should answer a signed 500 SYSTEM_ERROR for SYSTEMERROR, once', async () => {
      running.sandbox.faults.arm('prepay', { kind: 'SYSTEMERROR' }, 1);
      assertV3Error(await callV3('POST', '/v3/pay/transactions/jsapi', orderBody()), 500, 'SYSTEM_ERROR');
      assert.equal((await callV3('POST', '/v3/pay/transactions/jsapi', orderBody())).status, 200);
    });

    it('should answer a signed 429 FREQUENCY_LIMITED for BUSY', async () => {
      running.sandbox.faults.arm('query', { kind: 'BUSY' }, 1);
      assertV3Error(await query(newOutTradeNo()), 429, 'FREQUENCY_LIMITED');
    });

    it('should answer an unsigned plain 500 for HTTP_500, on any Pay API call with target "pay"', async () => {
      running.sandbox.faults.arm('pay', { kind: 'HTTP_500' }, 2);
      for (const reply of [ await close(newOutTradeNo()), await query(newOutTradeNo()) ]) {
        assert.equal(reply.status, 500);
        assert.equal(reply.headers.get('wechatpay-signature'), null);
        assert.match(reply.text, /Internal Server Error/);
      }
    });

    it('should delay the answer for DELAY and leave other operations alone', async () => {
      running.sandbox.faults.arm('close', { kind: 'DELAY', delayMs: 150 }, 1);
      const quick = Date.now();
      await query(newOutTradeNo());
      assert.ok(Date.now() - quick < 150);
      const slow = Date.now();
      assert.equal((await close(newOutTradeNo())).status, 204);
      assert.ok(Date.now() - slow >= 140);
    });

    // Read through a function: the loop's tests run after `running` is set.
    const sandboxOf = () => running.sandbox;
    const foreignCases: Array<[ 'FOREIGN_APPID' | 'FOREIGN_MCHID', string, string ]> = [
      [ 'FOREIGN_APPID', 'appid', FOREIGN_APPID ],
      [ 'FOREIGN_MCHID', 'mchid', FOREIGN_MCHID ],
    ];
    for (const [ kind, field, foreign ] of foreignCases) {
      it(`should answer a query about another merchant, signed by WeChat Pay, with ${kind}`, async () => {
        const { outTradeNo } = await prepay();
        await pay(outTradeNo);
        sandboxOf().faults.arm('query', { kind }, 1);
        const reply = await query(outTradeNo);
        assert.equal(reply.status, 200, reply.text);
        assertSignedBy(reply);
        assert.equal(reply.body[field], foreign);
        assert.equal(reply.body.out_trade_no, outTradeNo);
        assert.equal(reply.body.trade_state, 'SUCCESS');
        const genuine = await query(outTradeNo);
        assert.equal(genuine.body.appid, SANDBOX_APPID);
        assert.equal(genuine.body.mchid, SANDBOX_MCHID);
      });
    }
  });

  describe('platform certificates', () => {
    it('should hand out its certificate encrypted with the APIv3 key, the reply signed by that certificate', async () => {
      const reply = await callV3('GET', '/v3/certificates');
      assert.equal(reply.status, 200, reply.text);
      const data = reply.body.data as PlatformCertificateEntry[];
      assert.equal(data.length, 1);
      const entry = data[0];
      assert.equal(entry.encrypt_certificate.algorithm, 'AEAD_AES_256_GCM');
      assert.equal(entry.encrypt_certificate.associated_data, 'certificate');
      assert.match(entry.effective_time, /\+08:00$/);
      assert.match(entry.expire_time, /\+08:00$/);
      assert.equal(reply.headers.get('wechatpay-serial'), entry.serial_no);
      assert.equal(entry.serial_no, running.sandbox.payV3.signer!.certificateSerial);

      const certificates = decryptPlatformCertificates(data, SANDBOX_APIV3_KEY);
      assert.equal(certificates.length, 1);
      // The certificate is for the same key the public-key mode publishes.
      assert.ok(certificates[0].publicKey.equals(wechatpayKeys.publicKey));
      assertSignedBy(reply, new WechatpayKeyStore({ certificates }));
      assert.throws(() => assertSignedBy(reply), /No valid WeChat Pay public key/);
    });

    it('should name the certificate serial in replies in certificate mode', async () => {
      const certificates = decryptPlatformCertificates((await callV3('GET', '/v3/certificates')).body.data as PlatformCertificateEntry[], SANDBOX_APIV3_KEY);
      running.sandbox.payV3.signer!.mode = 'certificate';
      const reply = await query(newOutTradeNo());
      assert.equal(reply.headers.get('wechatpay-serial'), certificates[0].serial);
      assertSignedBy(reply, new WechatpayKeyStore({ certificates }));
    });

    it('should sign with another key when told to forge, so merchants can prove they check', async () => {
      running.sandbox.payV3.signer!.forged = { privateKey: strangerKeys.privateKey };
      const reply = await query(newOutTradeNo());
      assert.equal(reply.headers.get('wechatpay-serial'), SANDBOX_PUBLIC_KEY_ID);
      assert.throws(() => assertSignedBy(reply), /does not match the body/);
    });
  });

  describe('payment notify', () => {
    const merchant = new V3MerchantStub();

    before(() => merchant.start());
    after(() => merchant.close());
    beforeEach(() => {
      merchant.reply = () => 204;
    });

    async function notifiedOrder() {
      const order = await prepay({ notify_url: merchant.notifyUrl });
      const paid = await pay(order.outTradeNo, 'SUCCESS', true);
      return { ...order, transactionId: String(paid.transactionId) };
    }

    function report(outTradeNo: string) {
      return control(origin, 'GET', `/notifies?outTradeNo=${outTradeNo}`);
    }

    it('should deliver a signed TRANSACTION.SUCCESS notify with the encrypted transaction', async () => {
      const { outTradeNo, transactionId } = await notifiedOrder();
      const [ notify ] = await waitFor(async () => {
        const received = merchant.notifiesFor(outTradeNo);
        return received.length > 0 ? received : undefined;
      }, 5000, 'the notify');

      assert.match(String(notify.headers['content-type']), /^application\/json/);
      assert.equal(notify.headers['wechatpay-serial'], SANDBOX_PUBLIC_KEY_ID);
      assert.equal(notify.headers['wechatpay-signature-type'], 'WECHATPAY2-SHA256-RSA2048');
      verifyWechatpaySignature({ headers: notify.headers, body: notify.body, keys: PUBLIC_KEYS });

      const envelope = JSON.parse(notify.body) as Record<string, unknown> & { resource: EncryptedResource & { original_type: string } };
      assert.equal(envelope.event_type, 'TRANSACTION.SUCCESS');
      assert.equal(envelope.resource_type, 'encrypt-resource');
      assert.equal(envelope.summary, '支付成功');
      assert.match(String(envelope.id), /^[0-9a-f-]{36}$/);
      assert.match(String(envelope.create_time), /\+08:00$/);
      assert.equal(envelope.resource.original_type, 'transaction');
      assert.equal(envelope.resource.associated_data, 'transaction');
      assert.equal(envelope.resource.algorithm, 'AEAD_AES_256_GCM');
      const transaction = JSON.parse(decryptResource(envelope.resource, SANDBOX_APIV3_KEY)) as Record<string, unknown>;
      assert.equal(transaction.out_trade_no, outTradeNo);
      assert.equal(transaction.transaction_id, transactionId);
      assert.equal(transaction.trade_state, 'SUCCESS');
      assert.equal(transaction.appid, SANDBOX_APPID);
      assert.equal(transaction.mchid, SANDBOX_MCHID);
      assert.deepEqual(transaction.amount, { total: 1280, payer_total: 1280, currency: 'CNY', payer_currency: 'CNY' });

      const delivered = await waitFor(async () => {
        const { body } = await report(outTradeNo);
        return body.state === 'acknowledged' ? body : undefined;
      }, 5000, 'the acknowledgement');
      assert.equal((delivered.attempts as unknown[]).length, 1);
    });

    it('should retry until the merchant answers 200 or 204, with the same id and a fresh signature', async () => {
      merchant.reply = n => (n <= 2 ? 500 : 200);
      const { outTradeNo } = await notifiedOrder();
      const delivered = await waitFor(async () => {
        const { body } = await report(outTradeNo);
        return body.state === 'acknowledged' ? body : undefined;
      }, 5000, 'three attempts');
      const attempts = delivered.attempts as Array<{ status: number; acknowledged: boolean }>;
      assert.deepEqual(attempts.map(attempt => [ attempt.status, attempt.acknowledged ]), [[ 500, false ], [ 500, false ], [ 200, true ]]);

      const received = merchant.notifiesFor(outTradeNo);
      assert.equal(received.length, 3);
      const ids = received.map(notify => (JSON.parse(notify.body) as { id: string }).id);
      assert.equal(new Set(ids).size, 1);
      const nonces = received.map(notify => notify.headers['wechatpay-nonce']);
      assert.equal(new Set(nonces).size, 3);
      for (const notify of received) verifyWechatpaySignature({ headers: notify.headers, body: notify.body, keys: PUBLIC_KEYS });
    });

    it('should not notify a failed v3 payment, as WeChat sends only TRANSACTION.SUCCESS', async () => {
      const { outTradeNo } = await prepay({ notify_url: merchant.notifyUrl });
      await pay(outTradeNo, 'FAIL', true);
      const { body } = await report(outTradeNo);
      assert.equal(body.state, 'suppressed');
      await new Promise(resolve => setTimeout(resolve, 50));
      assert.equal(merchant.notifiesFor(outTradeNo).length, 0);
    });
  });
});
