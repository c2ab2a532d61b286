/**
 * The sandbox on its own port, for benchmarks against the production build
 * (which never mounts it) and for a merchant running in another process.
 * Runs straight from the sources, nothing compiled:
 *
 *   npx ts-node --transpile-only sandbox/standalone.ts
 *
 * It takes the credentials from the same variables the service reads, falling
 * back to sandbox/credentials.ts, so both sides agree without configuration.
 * v3 works too: without WECHATPAY_PRIVATE_KEY it makes a merchant key pair,
 * and it always has a WeChat Pay key pair of its own, both kept under
 * run/sandbox/ (SANDBOX_KEY_DIR); it prints what the merchant must set.
 * It serves plain HTTP on SANDBOX_PORT and TLS on SANDBOX_TLS_PORT (the test
 * CA of sandbox/tls/), where the merchant's Pay API base points, since v2
 * refunds need mutual TLS: it issues the merchant API client certificate for
 * the merchant's key into the same directory.
 * SANDBOX_STATE_PATH keeps the trades, refunds and staged bill changes in a JSON file across restarts.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  SANDBOX_API_KEY,
  SANDBOX_APIV3_KEY,
  SANDBOX_APPID,
  SANDBOX_MCHID,
  SANDBOX_MERCHANT_CERT_SERIAL,
  SANDBOX_PUBLIC_KEY_ID,
  SANDBOX_SECRET,
} from './credentials';
import { json, sendReply } from './http';
import { Sandbox, SANDBOX_PREFIX } from './index';
import type { SandboxOptions } from './options';
import { Env, envPem, envPort, envScale, envValue } from './standalone-env';
import { provisionMerchantCertificate, provisionV3Keys } from './standalone-keys';
import { merchantSettings } from './standalone-settings';
import { CA_CERT_FILE } from './tls-fixtures';
import { startTlsListener, TlsListener } from './tls-listener';

export const DEFAULT_SANDBOX_PORT = 7002;
export const DEFAULT_SANDBOX_TLS_PORT = 7443;
// Loopback only: the simulator accepts anyone's payments and must never face a network.
const HOST = '127.0.0.1';
// run/ is git-ignored; the keys the sandbox makes stay out of the repository.
const DEFAULT_KEY_DIR = path.join(__dirname, '..', 'run', 'sandbox');

export interface StandaloneSandbox {
  sandbox: Sandbox;
  server: Server;
  origin: string;
  /** https://127.0.0.1:port, when started with a TLS port */
  tlsOrigin?: string;
  close(): Promise<void>;
}

/**
 * Options from the service's variables. The v3 signing keys are not made
 * here (see provisionV3Keys): WECHATPAY_PRIVATE_KEY, when set, is the
 * merchant's key the sandbox checks requests against.
 */
export function standaloneOptions(env: Env = process.env): SandboxOptions {
  return {
    appId: envValue('WECHAT_APPID', env) ?? SANDBOX_APPID,
    secret: envValue('WECHAT_SECRET', env) ?? SANDBOX_SECRET,
    mchId: envValue('WECHATPAY_MCHID', env) ?? SANDBOX_MCHID,
    apiKey: envValue('WECHATPAY_API_KEY', env) ?? SANDBOX_API_KEY,
    apiV3Key: envValue('WECHATPAY_APIV3_KEY', env) ?? SANDBOX_APIV3_KEY,
    merchantPrivateKey: envPem('WECHATPAY_PRIVATE_KEY', env),
    merchantCertSerial: envValue('WECHATPAY_CERT_SERIAL', env) ?? SANDBOX_MERCHANT_CERT_SERIAL,
    wechatpayPrivateKey: '',
    wechatpayPublicKeyId: envValue('WECHATPAY_PUBLIC_KEY_ID', env) ?? SANDBOX_PUBLIC_KEY_ID,
    notifyRetryScale: envScale('SANDBOX_NOTIFY_RETRY_SCALE', 1, env),
    statePath: envValue('SANDBOX_STATE_PATH', env),
  };
}

/** Serves a sandbox on 127.0.0.1:`port`, and over TLS on `tlsPort` when given (0: any free port). */
export async function startStandaloneSandbox(port: number, options: SandboxOptions, tlsPort?: number): Promise<StandaloneSandbox> {
  const sandbox = new Sandbox(options);
  const server = createServer((req, res) => {
    sandbox.handle(req, res).then(handled => {
      if (!handled) sendReply(res, json(404, { code: 'NOT_FOUND', message: `only ${SANDBOX_PREFIX}/ is served here` }));
    }, (err: Error) => sendReply(res, json(500, { code: 'SANDBOX_ERROR', message: err.message })));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve());
  });
  const origin = `http://${HOST}:${(server.address() as AddressInfo).port}`;
  let tls: TlsListener | undefined;
  try {
    tls = tlsPort === undefined ? undefined : await startTlsListener(sandbox, { port: tlsPort, host: HOST });
  } catch (err) {
    server.close();
    throw err;
  }
  return {
    sandbox,
    server,
    origin,
    tlsOrigin: tls?.origin,
    async close() {
      sandbox.close();
      await tls?.close();
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

async function main(env: Env = process.env): Promise<void> {
  const given = standaloneOptions(env);
  const keyDir = envValue('SANDBOX_KEY_DIR', env) ?? DEFAULT_KEY_DIR;
  const keys = provisionV3Keys(keyDir, given.merchantPrivateKey);
  const options = { ...given, merchantPrivateKey: keys.merchantPrivateKey, wechatpayPrivateKey: keys.wechatpayPrivateKey };
  let clientCertFile: string;
  try {
    clientCertFile = provisionMerchantCertificate(keyDir, keys.merchantPrivateKey, options.mchId);
  } catch (err) {
    // Everything but the v2 refund works without it: say so rather than refuse to start.
    console.error(`sandbox: ${(err as Error).message}; v2 refunds will answer "certificate not match"`);
    clientCertFile = '(not issued)';
  }
  const running = await startStandaloneSandbox(envPort('SANDBOX_PORT', DEFAULT_SANDBOX_PORT, env), options,
    envPort('SANDBOX_TLS_PORT', DEFAULT_SANDBOX_TLS_PORT, env));
  const { origin, tlsOrigin } = running;
  const tls = { apiOrigin: `${tlsOrigin}${SANDBOX_PREFIX}`, caFile: CA_CERT_FILE, clientCertFile };
  const lines = [
    `WeChat sandbox listening on ${origin}${SANDBOX_PREFIX}/ and ${tlsOrigin}${SANDBOX_PREFIX}/ (Pay API v2 and v3)`,
    `  control: ${origin}${SANDBOX_PREFIX}/control (pay, notifies, notify/resend, refund, refund/resend, refund-notifies, refunds, refund/platform, bills, faults)`,
    `  merchant API certificate (v2 refunds): ${clientCertFile}`,
    `  notify retry scale ${options.notifyRetryScale}; trades, refunds and bills ${options.statePath ? `kept in ${options.statePath}` : 'in memory'}`,
    'Set these in the merchant\'s environment:',
    ...merchantSettings(`${origin}${SANDBOX_PREFIX}`, options, keys, env, tls).map(line => `  ${line}`),
  ];
  console.log(lines.join('\n'));

  const stop = () => {
    running.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`sandbox: ${err.message}`);
    process.exit(1);
  });
}
