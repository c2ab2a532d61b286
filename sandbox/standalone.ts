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
 * SANDBOX_STATE_PATH keeps the trades in a JSON file across restarts.
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
import { provisionV3Keys } from './standalone-keys';
import { merchantSettings } from './standalone-settings';

export const DEFAULT_SANDBOX_PORT = 7002;
// Loopback only: the simulator accepts anyone's payments and must never face a network.
const HOST = '127.0.0.1';
// run/ is git-ignored; the keys the sandbox makes stay out of the repository.
const DEFAULT_KEY_DIR = path.join(__dirname, '..', 'run', 'sandbox');

export interface StandaloneSandbox {
  sandbox: Sandbox;
  server: Server;
  origin: string;
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

/** Serves a sandbox on 127.0.0.1:`port` (0: any free port). */
export async function startStandaloneSandbox(port: number, options: SandboxOptions): Promise<StandaloneSandbox> {
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
  return {
    sandbox,
    server,
    origin,
    async close() {
      sandbox.close();
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    },
  };
}

async function main(env: Env = process.env): Promise<void> {
  const given = standaloneOptions(env);
  const keys = provisionV3Keys(envValue('SANDBOX_KEY_DIR', env) ?? DEFAULT_KEY_DIR, given.merchantPrivateKey);
  const options = { ...given, merchantPrivateKey: keys.merchantPrivateKey, wechatpayPrivateKey: keys.wechatpayPrivateKey };
  const running = await startStandaloneSandbox(envPort('SANDBOX_PORT', DEFAULT_SANDBOX_PORT, env), options);
  const { origin } = running;
  const lines = [
    `WeChat sandbox listening on ${origin}${SANDBOX_PREFIX}/ (Pay API v2 and v3)`,
    `  control: ${origin}${SANDBOX_PREFIX}/control (pay, notifies, notify/resend, faults)`,
    `  notify retry scale ${options.notifyRetryScale}; trades ${options.statePath ? `kept in ${options.statePath}` : 'in memory'}`,
    'Set these in the merchant\'s environment:',
    ...merchantSettings(`${origin}${SANDBOX_PREFIX}`, options, keys, env).map(line => `  ${line}`),
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
