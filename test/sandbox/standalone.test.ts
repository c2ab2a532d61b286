import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { verifyV2Signature } from '../../app/lib/wxpay/v2-sign';
import { buildAuthorization } from '../../app/lib/wxpay/v3-signature';
import { WechatpayKeyStore } from '../../app/lib/wxpay/v3-keys';
import { verifyWechatpaySignature } from '../../app/lib/wxpay/v3-signature';
import {
  generateRsaKeyPair,
  SANDBOX_API_KEY,
  SANDBOX_APPID,
  SANDBOX_MCHID,
  SANDBOX_MERCHANT_CERT_SERIAL,
  SANDBOX_PUBLIC_KEY_ID,
} from '../../sandbox/credentials';
import { standaloneOptions, startStandaloneSandbox } from '../../sandbox/standalone';
import { MERCHANT_CERT_FILE, MERCHANT_KEY_FILE, provisionV3Keys, WECHATPAY_PUBLIC_KEY_FILE } from '../../sandbox/standalone-keys';
import { merchantSettings } from '../../sandbox/standalone-settings';
import { CA_CERT_FILE } from '../../sandbox/tls-fixtures';
import { callV2, newOutTradeNo, orderFields, PAYER_OPENID, V2_OPTIONS } from './support';

describe('test/sandbox/standalone.test.ts', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sandbox-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe('standaloneOptions()', () => {
    it('should fall back to the sandbox credentials, no v3 keys yet, trades in memory', () => {
      const options = standaloneOptions({});
      assert.equal(options.appId, SANDBOX_APPID);
      assert.equal(options.mchId, SANDBOX_MCHID);
      assert.equal(options.apiKey, SANDBOX_API_KEY);
      assert.equal(options.merchantPrivateKey, '');
      assert.equal(options.wechatpayPrivateKey, '');
      assert.equal(options.notifyRetryScale, 1);
      assert.equal(options.statePath, undefined);
    });

    it("should take the service's variables and the sandbox's own", () => {
      const options = standaloneOptions({
        WECHAT_APPID: 'wx1234567890abcdef',
        WECHAT_SECRET: 's',
        WECHATPAY_MCHID: '1230000109',
        WECHATPAY_API_KEY: 'k'.repeat(32),
        SANDBOX_NOTIFY_RETRY_SCALE: '0.01',
        SANDBOX_STATE_PATH: ' run/sandbox-state.json ',
      });
      assert.equal(options.appId, 'wx1234567890abcdef');
      assert.equal(options.secret, 's');
      assert.equal(options.mchId, '1230000109');
      assert.equal(options.apiKey, 'k'.repeat(32));
      assert.equal(options.notifyRetryScale, 0.01);
      assert.equal(options.statePath, 'run/sandbox-state.json');
    });

    it('should read the merchant key as PEM text or from a file', () => {
      const { privateKeyPem } = generateRsaKeyPair();
      // Variables are trimmed, as the service reads them.
      assert.equal(standaloneOptions({ WECHATPAY_PRIVATE_KEY: privateKeyPem }).merchantPrivateKey, privateKeyPem.trim());
      const file = path.join(dir, 'apiclient_key.pem');
      writeFileSync(file, privateKeyPem);
      assert.equal(standaloneOptions({ WECHATPAY_PRIVATE_KEY: file }).merchantPrivateKey, privateKeyPem);
      assert.throws(() => standaloneOptions({ WECHATPAY_PRIVATE_KEY: '/no/such/key.pem' }), /WECHATPAY_PRIVATE_KEY/);
    });

    it('should refuse a malformed retry scale', () => {
      for (const value of [ '-1', 'fast' ]) {
        assert.throws(() => standaloneOptions({ SANDBOX_NOTIFY_RETRY_SCALE: value }), /SANDBOX_NOTIFY_RETRY_SCALE/);
      }
    });
  });

  describe('provisionV3Keys()', () => {
    it('should make both key pairs once, keep them owner-only, and give the same ones again', () => {
      const keys = provisionV3Keys(dir, '');
      assert.equal(keys.merchantPrivateKeyFile, path.join(dir, MERCHANT_KEY_FILE));
      assert.equal(keys.wechatpayPublicKeyFile, path.join(dir, WECHATPAY_PUBLIC_KEY_FILE));
      assert.equal(readFileSync(keys.merchantPrivateKeyFile!, 'utf8'), keys.merchantPrivateKey);
      assert.equal((statSync(keys.merchantPrivateKeyFile!).mode % 0o1000).toString(8), '600');
      const derived = createPublicKey(createPrivateKey(keys.wechatpayPrivateKey)).export({ type: 'spki', format: 'pem' });
      assert.equal(readFileSync(keys.wechatpayPublicKeyFile, 'utf8'), derived);
      assert.deepEqual(provisionV3Keys(dir, ''), keys);
    });

    it("should not make a merchant key when the merchant's is given", () => {
      const { privateKeyPem } = generateRsaKeyPair();
      const keys = provisionV3Keys(dir, privateKeyPem);
      assert.equal(keys.merchantPrivateKey, privateKeyPem);
      assert.equal(keys.merchantPrivateKeyFile, undefined);
      assert.ok(!readdirSync(dir).includes(MERCHANT_KEY_FILE));
    });
  });

  describe('merchantSettings()', () => {
    it('should name the files and ids the merchant sets, and echo no secret taken from the environment', () => {
      const keys = provisionV3Keys(dir, '');
      const env = { WECHATPAY_API_KEY: 'a-real-looking-secret-0000000000' };
      const options = { ...standaloneOptions(env), ...keys };
      const lines = merchantSettings('http://127.0.0.1:7002/sandbox', options, keys, env);
      for (const line of [
        'WECHAT_API_BASE=http://127.0.0.1:7002/sandbox/wechat',
        'WECHATPAY_API_BASE=http://127.0.0.1:7002/sandbox/pay',
        `WECHATPAY_MCHID=${SANDBOX_MCHID}`,
        `WECHATPAY_PRIVATE_KEY=${keys.merchantPrivateKeyFile}`,
        `WECHATPAY_CERT_SERIAL=${SANDBOX_MERCHANT_CERT_SERIAL}`,
        `WECHATPAY_PUBLIC_KEY=${keys.wechatpayPublicKeyFile}`,
        `WECHATPAY_PUBLIC_KEY_ID=${SANDBOX_PUBLIC_KEY_ID}`,
        '# WECHATPAY_API_KEY: as set here',
      ]) {
        assert.ok(lines.includes(line), `missing ${line} in ${lines.join('\n')}`);
      }
      assert.ok(!lines.join('\n').includes(env.WECHATPAY_API_KEY));
    });

    it('should point the Pay API at the TLS side and name the certificate and the CA when serving TLS', () => {
      const keys = provisionV3Keys(dir, '');
      const options = { ...standaloneOptions({}), ...keys };
      const tls = { apiOrigin: 'https://127.0.0.1:7443/sandbox', caFile: CA_CERT_FILE, clientCertFile: path.join(dir, MERCHANT_CERT_FILE) };
      const lines = merchantSettings('http://127.0.0.1:7002/sandbox', options, keys, {}, tls);
      for (const line of [
        'WECHAT_API_BASE=http://127.0.0.1:7002/sandbox/wechat',
        'WECHATPAY_API_BASE=https://127.0.0.1:7443/sandbox/pay',
        `WECHATPAY_CLIENT_CERT=${tls.clientCertFile}`,
        `NODE_EXTRA_CA_CERTS=${CA_CERT_FILE}`,
      ]) {
        assert.ok(lines.includes(line), `missing ${line} in ${lines.join('\n')}`);
      }
    });
  });

  describe('startStandaloneSandbox()', () => {
    it('should serve the sandbox on loopback and nothing else', async () => {
      const running = await startStandaloneSandbox(0, V2_OPTIONS);
      try {
        assert.match(running.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.equal(running.tlsOrigin, undefined);
        const reply = await callV2(running.origin, 'unifiedorder', orderFields());
        assert.equal(reply.fields.result_code, 'SUCCESS');
        assert.ok(verifyV2Signature(reply.fields, SANDBOX_API_KEY, 'MD5'));
        const outside = await fetch(`${running.origin}/api/orders`);
        assert.equal(outside.status, 404);
      } finally {
        await running.close();
      }
    });

    it('should serve v3 with the keys it provisioned, as the printed settings describe', async () => {
      const keys = provisionV3Keys(dir, '');
      const options = { ...standaloneOptions({}), ...keys };
      const running = await startStandaloneSandbox(0, options);
      try {
        const body = JSON.stringify({
          appid: SANDBOX_APPID, mchid: SANDBOX_MCHID, description: 'coffee', out_trade_no: newOutTradeNo(),
          notify_url: 'http://127.0.0.1:9/api/pay/notify/v3', amount: { total: 1 }, payer: { openid: PAYER_OPENID },
        });
        const merchant = { mchId: SANDBOX_MCHID, serialNo: SANDBOX_MERCHANT_CERT_SERIAL, privateKey: createPrivateKey(readFileSync(keys.merchantPrivateKeyFile!)) };
        const pathname = '/sandbox/pay/v3/pay/transactions/jsapi';
        const authorization = buildAuthorization(merchant, 'POST', pathname, body, String(Math.floor(Date.now() / 1000)), 'n0nce');
        const response = await fetch(`${running.origin}${pathname}`, {
          method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body,
        });
        const text = await response.text();
        assert.equal(response.status, 200, text);
        const publicKey = createPublicKey(readFileSync(keys.wechatpayPublicKeyFile));
        const store = new WechatpayKeyStore({ publicKey: { id: SANDBOX_PUBLIC_KEY_ID, key: publicKey } });
        verifyWechatpaySignature({ headers: Object.fromEntries(response.headers.entries()), body: text, keys: store });
      } finally {
        await running.close();
      }
    });
  });

  describe('sandbox/standalone.ts run by ts-node, nothing compiled', () => {
    let child: ChildProcess | undefined;

    afterEach(() => {
      child?.kill();
      child = undefined;
    });

    it('should start, print the merchant settings and answer', async () => {
      const root = path.join(__dirname, '..', '..');
      child = spawn(process.execPath, [ require.resolve('ts-node/dist/bin'), '--transpile-only', 'sandbox/standalone.ts' ], {
        cwd: root,
        env: { PATH: process.env.PATH, SANDBOX_PORT: '0', SANDBOX_TLS_PORT: '0', SANDBOX_KEY_DIR: dir },
        stdio: [ 'ignore', 'pipe', 'pipe' ],
      });
      let output = '';
      const origin = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no banner within 20 s: ${output}`)), 20_000);
        child!.stdout!.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const m = /WECHATPAY_API_BASE=(https:\/\/127\.0\.0\.1:\d+)\/sandbox\/pay/.exec(output);
          if (m && output.includes('NODE_EXTRA_CA_CERTS=')) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child!.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString(); });
        child!.once('exit', code => reject(new Error(`exited with ${code}: ${output}`)));
      });
      assert.match(output, new RegExp(`WECHATPAY_PRIVATE_KEY=${path.join(dir, MERCHANT_KEY_FILE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.ok(output.includes(`WECHATPAY_CLIENT_CERT=${path.join(dir, MERCHANT_CERT_FILE)}`), output);
      assert.ok(output.includes(`NODE_EXTRA_CA_CERTS=${CA_CERT_FILE}`), output);
      // The Pay API base it prints is its TLS side, trusted here through the same CA.
      const reply = await callV2(origin, 'unifiedorder', orderFields());
      assert.equal(reply.fields.result_code, 'SUCCESS');
      const certificate = new X509Certificate(readFileSync(path.join(dir, MERCHANT_CERT_FILE)));
      assert.ok(certificate.subject.split('\n').includes(`CN=${SANDBOX_MCHID}`));
      assert.ok(certificate.checkPrivateKey(createPrivateKey(readFileSync(path.join(dir, MERCHANT_KEY_FILE)))));
    });
  });
});
