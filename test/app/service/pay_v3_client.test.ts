import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { app, mock } from 'egg-mock/bootstrap';
import { sandboxOf } from '../../../app/middleware/sandbox';
import { createOrderNo } from '../../../app/lib/order-no';
import { PrepayRequest } from '../../../app/lib/wxpay/gateway';
import { WechatPayError } from '../../../app/upstream/wechatpay-errors';
import { mockWechatPayConfig } from '../wechatpay-config';
import { buildPaySignMessage } from '../../../app/lib/wxpay/v3-pay-sign';
import { rsaVerify } from '../../../app/lib/wxpay/v3-signature';
import type { SandboxRequest, SandboxReply } from '../../../sandbox/http';
import { rsaKeyPair } from '../../lib/wxpay/v3-fixtures';
import { appOrigin, WechatRelay } from '../wechat-relay';

const OPENID = 'oSandboxPayer0000000000000001';
const stranger = rsaKeyPair('stranger');

function prepayRequest(overrides: Partial<PrepayRequest> = {}): PrepayRequest {
  return {
    // Unique across the run: the app's sandbox keeps its trades between test files.
    orderNo: createOrderNo(),
    amount: 1280,
    description: 'Sandbox shop - coffee',
    openid: OPENID,
    clientIp: '127.0.0.1',
    expiresAt: new Date(Date.now() + 30 * 60_000),
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<WechatPayError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof WechatPayError, `expected a WechatPayError, got ${String(err)}`);
    return err;
  }
  throw new assert.AssertionError({ message: 'expected a rejection' });
}

function assertError(err: WechatPayError, status: number, code: string, errCode: string): void {
  assert.equal(err.status, status, err.message);
  assert.equal(err.code, code, err.message);
  assert.equal(err.errCode, errCode, err.message);
}

describe('test/app/service/pay_v3_client.test.ts', () => {
  const sandbox = () => sandboxOf(app);
  const client = () => app.mockContext().service.payV3Client;

  beforeEach(() => {
    mock(app.config.wxpay, 'notifyUrl', `${app.config.wxpay.notifyUrl}/v3`);
  });

  afterEach(() => {
    sandbox().payV3.signer!.reset();
  });

  /** The payer pays at the sandbox, without a notify. */
  async function payAtSandbox(orderNo: string): Promise<string> {
    const base = app.config.wxpay.apiBase.replace(/\/pay$/, '');
    const response = await fetch(`${base}/control/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ outTradeNo: orderNo, deliverNotify: false }),
    });
    const body = await response.json() as { transactionId: string };
    assert.equal(response.status, 200, JSON.stringify(body));
    return body.transactionId;
  }

  /** Counts the platform certificate downloads the sandbox serves from now on. */
  function countCertificateDownloads(): () => number {
    const payV3 = sandbox().payV3;
    const handle = payV3.handle.bind(payV3);
    let downloads = 0;
    mock(payV3, 'handle', (request: SandboxRequest): Promise<SandboxReply> => {
      if (request.path.endsWith('/v3/certificates')) downloads += 1;
      return handle(request);
    });
    return () => downloads;
  }

  describe('createPrepay', () => {
    it('should place a JSAPI order and answer its prepay_id', async () => {
      const request = prepayRequest();
      const prepayId = await client().createPrepay(request);
      assert.match(prepayId, /^wx\d{14}[0-9a-f]{20}$/);
      const trade = sandbox().trades.find(request.orderNo)!;
      assert.equal(trade.prepayId, prepayId);
      assert.deepEqual(trade.origin, { api: 'v3' });
      assert.equal(trade.totalFee, 1280);
      assert.equal(trade.openid, OPENID);
      assert.equal(trade.description, request.description);
      assert.equal(trade.notifyUrl, app.config.wxpay.notifyUrl);
      assert.match(trade.notifyUrl, /\/api\/pay\/notify\/v3$/);
    });

    it('should answer the same prepay_id for the same order and ORDER_NO_USED for other parameters', async () => {
      const request = prepayRequest();
      const first = await client().createPrepay(request);
      assert.equal(await client().createPrepay({ ...request, expiresAt: new Date(Date.now() + 60_000) }), first);
      const err = await rejection(client().createPrepay({ ...request, amount: 1 }));
      assertError(err, 409, 'ORDER_NO_USED', 'OUT_TRADE_NO_USED');
    });

    it('should answer ORDER_ALREADY_PAID and ORDER_CLOSED for orders WeChat settled', async () => {
      const paid = prepayRequest();
      await client().createPrepay(paid);
      await payAtSandbox(paid.orderNo);
      assertError(await rejection(client().createPrepay(paid)), 409, 'ORDER_ALREADY_PAID', 'ORDERPAID');

      const closed = prepayRequest();
      await client().createPrepay(closed);
      await client().closeTrade(closed.orderNo);
      assertError(await rejection(client().createPrepay(closed)), 409, 'ORDER_CLOSED', 'ORDER_CLOSED');
    });

    it('should be refused by WeChat when signed with a key that is not the merchant certificate\'s', async () => {
      mockWechatPayConfig(app, { privateKey: stranger.privatePem });
      assertError(await rejection(client().createPrepay(prepayRequest())), 502, 'WECHATPAY_ERROR', 'SIGN_ERROR');
    });

    it('should log the operation, order and status, never keys, signatures or bodies', async () => {
      app.mockLog();
      const request = prepayRequest();
      await client().createPrepay(request);
      app.expectLog(new RegExp(`\\[upstream:wechatpay\\.v3\\.prepay\\] ref: ${request.orderNo}, status: 200, code: -, durationMs: \\d+`));
      app.notExpectLog('PRIVATE KEY');
      app.notExpectLog('signature="');
      app.notExpectLog('prepay_id');
      app.notExpectLog(OPENID);
    });
  });

  describe('buildPaymentParams', () => {
    it('should sign wx.requestPayment parameters with the merchant key (RSA)', () => {
      const params = client().buildPaymentParams('wx201410272009395522657a690389285100');
      assert.equal(params.appId, app.config.wechat.appId);
      assert.equal(params.package, 'prepay_id=wx201410272009395522657a690389285100');
      assert.equal(params.signType, 'RSA');
      assert.match(params.timeStamp, /^\d{10}$/);
      assert.match(params.nonceStr, /^[0-9A-Za-z]{32}$/);
      const message = buildPaySignMessage(params.appId, params.timeStamp, params.nonceStr, params.package);
      assert.ok(rsaVerify(message, params.paySign, createPublicKey(app.config.wxpay.privateKey)));
    });
  });

  describe('queryTrade', () => {
    it('should report an unpaid order as NOTPAY', async () => {
      const request = prepayRequest();
      await client().createPrepay(request);
      const report = await client().queryTrade(request.orderNo);
      assert.equal(report.state, 'NOTPAY');
      assert.equal(report.orderNo, request.orderNo);
      assert.equal(report.transactionId, undefined);
      assert.equal(report.paidAt, undefined);
      assert.equal(report.amount, 1280);
    });

    it('should report a paid order with its transaction, amount, time and ids', async () => {
      const request = prepayRequest({ amount: 990 });
      await client().createPrepay(request);
      const transactionId = await payAtSandbox(request.orderNo);
      const report = await client().queryTrade(request.orderNo);
      assert.equal(report.state, 'SUCCESS');
      assert.equal(report.transactionId, transactionId);
      assert.equal(report.amount, 990);
      assert.equal(report.appId, app.config.wechat.appId);
      assert.equal(report.mchId, app.config.wxpay.mchId);
      assert.ok(report.paidAt instanceof Date);
      assert.ok(Math.abs(report.paidAt.getTime() - Date.now()) < 5000);
    });

    it('should report an order WeChat never saw as NOT_FOUND', async () => {
      const orderNo = createOrderNo();
      assert.deepEqual(await client().queryTrade(orderNo), { orderNo, state: 'NOT_FOUND' });
    });

    it('should report a closed order as CLOSED', async () => {
      const request = prepayRequest();
      await client().createPrepay(request);
      await client().closeTrade(request.orderNo);
      assert.equal((await client().queryTrade(request.orderNo)).state, 'CLOSED');
    });
  });

  describe('closeTrade', () => {
    it('should close an unpaid order, and count closed or unknown orders as closed', async () => {
      const request = prepayRequest();
      await client().createPrepay(request);
      await client().closeTrade(request.orderNo);
      assert.equal(sandbox().trades.find(request.orderNo)!.state, 'CLOSED');
      await client().closeTrade(request.orderNo);
      await client().closeTrade(createOrderNo());
    });

    it('should refuse to close a paid order with ORDER_ALREADY_PAID', async () => {
      const request = prepayRequest();
      await client().createPrepay(request);
      await payAtSandbox(request.orderNo);
      assertError(await rejection(client().closeTrade(request.orderNo)), 409, 'ORDER_ALREADY_PAID', 'ORDERPAID');
      assert.equal(sandbox().trades.find(request.orderNo)!.state, 'SUCCESS');
    });
  });

  describe('reply verification', () => {
    it('should not believe a success signed with another key', async () => {
      sandbox().payV3.signer!.forged = { privateKey: stranger.privateKey };
      const request = prepayRequest();
      assertError(await rejection(client().createPrepay(request)), 502, 'WECHATPAY_ERROR', 'BAD_SIGNATURE');
    });

    it('should not believe an error signed with another key either (no NOT_FOUND from a forger)', async () => {
      sandbox().payV3.signer!.forged = { privateKey: stranger.privateKey };
      assertError(await rejection(client().queryTrade(createOrderNo())), 502, 'WECHATPAY_ERROR', 'BAD_SIGNATURE');
      assertError(await rejection(client().closeTrade(createOrderNo())), 502, 'WECHATPAY_ERROR', 'BAD_SIGNATURE');
    });

    it('should treat an unverifiable 5xx as a retryable outage, trusting nothing in it', async () => {
      sandbox().payV3.signer!.forged = { privateKey: stranger.privateKey };
      sandbox().faults.arm('query', { kind: 'SYSTEMERROR' }, 1);
      const err = await rejection(client().queryTrade(createOrderNo()));
      assertError(err, 503, 'WECHATPAY_UNAVAILABLE', 'HTTP_5XX');
      assert.equal(err.retryable, true);
    });

    it('should refuse a serial it cannot resolve even after downloading the certificates', async () => {
      // A configuration identical in effect but written differently gives this test a key ring of its own.
      mockWechatPayConfig(app, { publicKey: `${app.config.wxpay.publicKey}\n` });
      const downloads = countCertificateDownloads();
      const genuine = sandbox().payV3.signer!.privateKey;
      sandbox().payV3.signer!.forged = { privateKey: genuine, serial: 'PUB_KEY_ID_0100000000SOMEONE0000000000001' };
      assertError(await rejection(client().queryTrade(createOrderNo())), 502, 'WECHATPAY_ERROR', 'BAD_SIGNATURE');
      // The unknown serial caused one download; a second one within the minute causes none.
      assertError(await rejection(client().queryTrade(createOrderNo())), 502, 'WECHATPAY_ERROR', 'BAD_SIGNATURE');
      assert.equal(downloads(), 1);
    });
  });

  describe('error mapping', () => {
    it('should map SYSTEM_ERROR to a retryable 503', async () => {
      sandbox().faults.arm('prepay', { kind: 'SYSTEMERROR' }, 1);
      const err = await rejection(client().createPrepay(prepayRequest()));
      assertError(err, 503, 'WECHATPAY_UNAVAILABLE', 'SYSTEM_ERROR');
      assert.equal(err.retryable, true);
    });

    it('should map FREQUENCY_LIMITED (429) to a retryable 503', async () => {
      sandbox().faults.arm('query', { kind: 'BUSY' }, 1);
      assertError(await rejection(client().queryTrade(createOrderNo())), 503, 'WECHATPAY_UNAVAILABLE', 'FREQUENCY_LIMITED');
    });

    it('should map an unsigned HTTP 500 to a retryable 503', async () => {
      sandbox().faults.arm('close', { kind: 'HTTP_500' }, 1);
      assertError(await rejection(client().closeTrade(createOrderNo())), 503, 'WECHATPAY_UNAVAILABLE', 'HTTP_5XX');
    });

    it('should give up after timeoutMs with a retryable 503', async () => {
      mock(app.config.wxpay, 'timeoutMs', 200);
      // WeChat's answer is held by a relay until the client has given up: no wall clock to race.
      const relay = await new WechatRelay(appOrigin(app.config.wxpay.apiBase)).start();
      try {
        mock(app.config.wxpay, 'apiBase', `${relay.origin}/sandbox/pay`);
        const held = relay.holdNext('/v3/pay/transactions/jsapi');
        assertError(await rejection(client().createPrepay(prepayRequest())), 503, 'WECHATPAY_UNAVAILABLE', 'TIMEOUT');
        assert.equal(held.released, false, 'the client had the answer');
      } finally {
        await relay.close();
      }
    });

    it('should map an unreachable WeChat Pay to a retryable 503', async () => {
      mock(app.config.wxpay, 'apiBase', 'http://127.0.0.1:9/sandbox/pay');
      assertError(await rejection(client().queryTrade(createOrderNo())), 503, 'WECHATPAY_UNAVAILABLE', 'UNREACHABLE');
    });
  });

  describe('platform certificates', () => {
    it('should download, verify and cache the certificates when no public key is configured', async () => {
      mockWechatPayConfig(app, { publicKey: '' });
      sandbox().payV3.signer!.mode = 'certificate';
      const downloads = countCertificateDownloads();
      const request = prepayRequest();
      await client().createPrepay(request);
      assert.equal((await client().queryTrade(request.orderNo)).state, 'NOTPAY');
      await client().closeTrade(request.orderNo);
      assert.equal(downloads(), 1);
      const store = await app.wechatPayCredentials.v3.keyRing.keys();
      assert.deepEqual(store.serials(), [ sandbox().payV3.signer!.certificateSerial ]);
      assert.ok(store.get(sandbox().payV3.signer!.certificateSerial));
      // Without the public key, a reply naming the public key id is not believed.
      sandbox().payV3.signer!.mode = 'publicKey';
      assertError(await rejection(client().queryTrade(request.orderNo)), 502, 'WECHATPAY_ERROR', 'BAD_SIGNATURE');
    });

    it('should fetch the certificates on demand when a reply names a certificate serial (migration)', async () => {
      mockWechatPayConfig(app, { publicKey: `${app.config.wxpay.publicKey}\n\n` });
      const downloads = countCertificateDownloads();
      const request = prepayRequest();
      await client().createPrepay(request);
      assert.equal(downloads(), 0);
      sandbox().payV3.signer!.mode = 'certificate';
      assert.equal((await client().queryTrade(request.orderNo)).state, 'NOTPAY');
      assert.equal(downloads(), 1);
      // Both keys now serve, as during a migration.
      const store = await app.wechatPayCredentials.v3.keyRing.keys();
      assert.deepEqual(store.serials(), [ app.config.wxpay.publicKeyId, sandbox().payV3.signer!.certificateSerial ]);
      sandbox().payV3.signer!.mode = 'publicKey';
      assert.equal((await client().queryTrade(request.orderNo)).state, 'NOTPAY');
      assert.equal(downloads(), 1);
    });

    it('should fail with a retryable 503 while the certificates cannot be downloaded, then recover', async () => {
      mockWechatPayConfig(app, { publicKey: '' });
      sandbox().payV3.signer!.mode = 'certificate';
      // Identical certificates, but a fresh key ring: the earlier test's download is not reused.
      mockWechatPayConfig(app, { publicKeyId: 'PUB_KEY_ID_UNUSED' });
      sandbox().faults.arm('certificates', { kind: 'HTTP_500' }, 1);
      assertError(await rejection(client().queryTrade(createOrderNo())), 503, 'WECHATPAY_UNAVAILABLE', 'HTTP_5XX');
      assert.equal((await client().queryTrade(createOrderNo())).state, 'NOT_FOUND');
    });

    it('should not trust a certificate list it cannot decrypt with the APIv3 key', async () => {
      mockWechatPayConfig(app, { publicKey: '' });
      mockWechatPayConfig(app, { apiV3Key: 'Zz9vQ2mX7pL4wR8zK1nB6yH3dF5gJ0sA' });
      sandbox().payV3.signer!.mode = 'certificate';
      assertError(await rejection(client().queryTrade(createOrderNo())), 502, 'WECHATPAY_ERROR', 'BAD_SIGNATURE');
    });

    it('should not trust a certificate list signed with another key', async () => {
      mockWechatPayConfig(app, { publicKey: '' });
      mockWechatPayConfig(app, { publicKeyId: 'PUB_KEY_ID_UNUSED_TOO' });
      sandbox().payV3.signer!.mode = 'certificate';
      sandbox().payV3.signer!.forged = { privateKey: stranger.privateKey };
      assertError(await rejection(client().queryTrade(createOrderNo())), 502, 'WECHATPAY_ERROR', 'BAD_SIGNATURE');
    });
  });
});
