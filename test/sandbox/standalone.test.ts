import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyV2Signature } from '../../app/lib/wxpay/v2-sign';
import { generateRsaKeyPair, SANDBOX_API_KEY, SANDBOX_APPID, SANDBOX_MCHID } from '../../sandbox/credentials';
import { standaloneOptions, startStandaloneSandbox } from '../../sandbox/standalone';
import { callV2, orderFields, V2_OPTIONS } from './support';

describe('test/sandbox/standalone.test.ts', () => {
  describe('standaloneOptions()', () => {
    it('should fall back to the sandbox credentials, v3 off', () => {
      const options = standaloneOptions({});
      assert.equal(options.appId, SANDBOX_APPID);
      assert.equal(options.mchId, SANDBOX_MCHID);
      assert.equal(options.apiKey, SANDBOX_API_KEY);
      assert.equal(options.merchantPrivateKey, '');
      assert.equal(options.wechatpayPrivateKey, '');
      assert.equal(options.notifyRetryScale, 1);
    });

    it("should take the service's variables", () => {
      const options = standaloneOptions({
        WECHAT_APPID: 'wx1234567890abcdef',
        WECHAT_SECRET: 's',
        WECHATPAY_MCHID: '1230000109',
        WECHATPAY_API_KEY: 'k'.repeat(32),
        SANDBOX_NOTIFY_RETRY_SCALE: '0.01',
      });
      assert.equal(options.appId, 'wx1234567890abcdef');
      assert.equal(options.secret, 's');
      assert.equal(options.mchId, '1230000109');
      assert.equal(options.apiKey, 'k'.repeat(32));
      assert.equal(options.notifyRetryScale, 0.01);
    });

    it('should read the merchant key as PEM text or from a file', () => {
      const { privateKeyPem } = generateRsaKeyPair();
      // Variables are trimmed, as the service reads them.
      assert.equal(standaloneOptions({ WECHATPAY_PRIVATE_KEY: privateKeyPem }).merchantPrivateKey, privateKeyPem.trim());
      const dir = mkdtempSync(path.join(tmpdir(), 'sandbox-'));
      try {
        const file = path.join(dir, 'apiclient_key.pem');
        writeFileSync(file, privateKeyPem);
        assert.equal(standaloneOptions({ WECHATPAY_PRIVATE_KEY: file }).merchantPrivateKey, privateKeyPem);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      assert.throws(() => standaloneOptions({ WECHATPAY_PRIVATE_KEY: '/no/such/key.pem' }), /WECHATPAY_PRIVATE_KEY/);
    });

    it('should refuse a malformed retry scale', () => {
      for (const value of [ '-1', 'fast' ]) {
        assert.throws(() => standaloneOptions({ SANDBOX_NOTIFY_RETRY_SCALE: value }), /SANDBOX_NOTIFY_RETRY_SCALE/);
      }
    });
  });

  describe('startStandaloneSandbox()', () => {
    it('should serve the sandbox on loopback and nothing else', async () => {
      const running = await startStandaloneSandbox(0, V2_OPTIONS);
      try {
        assert.match(running.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
        const reply = await callV2(running.origin, 'unifiedorder', orderFields());
        assert.equal(reply.fields.result_code, 'SUCCESS');
        assert.ok(verifyV2Signature(reply.fields, SANDBOX_API_KEY, 'MD5'));
        const outside = await fetch(`${running.origin}/api/orders`);
        assert.equal(outside.status, 404);
      } finally {
        await running.close();
      }
    });
  });
});
