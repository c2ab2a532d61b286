/**
 * The sandbox on its own port, for benchmarks against the production build
 * (which never mounts it) and for a merchant running in another process:
 *
 *   node sandbox/standalone.js        after `npm run tsc`
 *   npx ts-node sandbox/standalone.ts
 *
 * It takes the credentials from the same variables the service reads, falling
 * back to sandbox/credentials.ts, so both sides agree without configuration.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Env, envOptional, envPositiveInt } from '../app/lib/env';
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
import { Sandbox, SandboxOptions, SANDBOX_PREFIX } from './index';

export const DEFAULT_SANDBOX_PORT = 7002;
// Loopback only: the simulator accepts anyone's payments and must never face a network.
const HOST = '127.0.0.1';

export interface StandaloneSandbox {
  sandbox: Sandbox;
  server: Server;
  origin: string;
  close(): Promise<void>;
}

// Like the service, a key variable holds either PEM text or the path of a PEM file.
function readPem(value: string | undefined): string {
  if (value === undefined) return '';
  if (value.includes('-----BEGIN')) return value;
  if (existsSync(value)) return readFileSync(value, 'utf8');
  throw new Error('WECHATPAY_PRIVATE_KEY is neither PEM text nor the path of a file');
}

function retryScale(env: Env): number {
  const raw = envOptional('SANDBOX_NOTIFY_RETRY_SCALE', env);
  if (raw === undefined) return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale < 0) {
    throw new Error('SANDBOX_NOTIFY_RETRY_SCALE must be a number >= 0');
  }
  return scale;
}

/**
 * Options from the service's variables. Without the merchant's private key
 * (WECHATPAY_PRIVATE_KEY) the simulator cannot check v3 request signatures,
 * and it has no v3 signing key of its own here: v3 is for the in-app sandbox.
 */
export function standaloneOptions(env: Env = process.env): SandboxOptions {
  return {
    appId: envOptional('WECHAT_APPID', env) ?? SANDBOX_APPID,
    secret: envOptional('WECHAT_SECRET', env) ?? SANDBOX_SECRET,
    mchId: envOptional('WECHATPAY_MCHID', env) ?? SANDBOX_MCHID,
    apiKey: envOptional('WECHATPAY_API_KEY', env) ?? SANDBOX_API_KEY,
    apiV3Key: envOptional('WECHATPAY_APIV3_KEY', env) ?? SANDBOX_APIV3_KEY,
    merchantPrivateKey: readPem(envOptional('WECHATPAY_PRIVATE_KEY', env)),
    merchantCertSerial: envOptional('WECHATPAY_CERT_SERIAL', env) ?? SANDBOX_MERCHANT_CERT_SERIAL,
    wechatpayPrivateKey: '',
    wechatpayPublicKeyId: envOptional('WECHATPAY_PUBLIC_KEY_ID', env) ?? SANDBOX_PUBLIC_KEY_ID,
    notifyRetryScale: retryScale(env),
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

async function main(): Promise<void> {
  const options = standaloneOptions();
  const running = await startStandaloneSandbox(envPositiveInt('SANDBOX_PORT', DEFAULT_SANDBOX_PORT), options);
  const { origin } = running;
  const lines = [
    `WeChat sandbox listening on ${origin}${SANDBOX_PREFIX}/`,
    `  WECHAT_API_BASE=${origin}${SANDBOX_PREFIX}/wechat`,
    `  WECHATPAY_API_BASE=${origin}${SANDBOX_PREFIX}/pay`,
    `  control: ${origin}${SANDBOX_PREFIX}/control (pay, notifies, notify/resend, faults)`,
    `  appid ${options.appId}, mch_id ${options.mchId}, notify retry scale ${options.notifyRetryScale}`,
  ];
  if (!options.merchantPrivateKey) lines.push('  v3: off (set WECHATPAY_PRIVATE_KEY to let the sandbox check v3 requests)');
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
