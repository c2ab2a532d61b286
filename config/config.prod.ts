import { EggAppConfig, PowerPartial } from 'egg';
import { sequelizeOptionsFromUrl } from '../database/connection';
import { assertEnvPresent, envOptional, envString } from '../app/lib/env';

const ALWAYS_REQUIRED = [
  'DATABASE_URL',
  'AUTH_TOKEN_SECRET',
  'WECHAT_APPID',
  'WECHAT_SECRET',
  'WECHATPAY_MCHID',
  'WECHATPAY_NOTIFY_URL',
];
const REQUIRED_BY_API_VERSION: Record<string, string[]> = {
  // refunds go through /secapi/pay/refund, which needs the merchant API client certificate and its key
  v2: [ 'WECHATPAY_API_KEY', 'WECHATPAY_CLIENT_CERT', 'WECHATPAY_PRIVATE_KEY' ],
  v3: [ 'WECHATPAY_APIV3_KEY', 'WECHATPAY_CERT_SERIAL', 'WECHATPAY_PRIVATE_KEY' ],
};

/**
 * Production refuses to start half-configured: every missing variable is named
 * at once. Also run by config/prod-preflight.ts in egg-scripts' master process.
 */
export function checkProductionEnvironment(): void {
  const apiVersion = envString('WECHATPAY_API_VERSION', 'v2');
  // A public key is only usable with the id WeChat Pay sends as its serial.
  const publicKeyMode = envOptional('WECHATPAY_PUBLIC_KEY') ? [ 'WECHATPAY_PUBLIC_KEY_ID' ] : [];
  assertEnvPresent([ ...ALWAYS_REQUIRED, ...(REQUIRED_BY_API_VERSION[apiVersion] ?? []), ...publicKeyMode ]);
  for (const name of [ 'WECHATPAY_API_KEY', 'WECHATPAY_APIV3_KEY' ]) {
    const value = envOptional(name);
    if (value !== undefined && Buffer.byteLength(value) !== 32) {
      throw new Error(`Environment variable ${name} must be the 32-character key set in the merchant platform`);
    }
  }
}

/**
 * Runs the check; a failure is an operator's mistake, not a bug, so it prints
 * the message alone (it names variables, never their values) and exits 1
 * instead of throwing: a thrown error reaches the console wrapped in egg's
 * loader stack trace, logged by the agent and again by the master.
 */
export function exitUnlessProductionEnvironment(): void {
  try {
    checkProductionEnvironment();
  } catch (err) {
    console.error(`[wxpay-merchant] ${(err as Error).message}`);
    process.exit(1);
  }
}

export default () => {
  // Normally config/prod-preflight.ts has already stopped a bad start in the
  // master; this covers starts without it (e.g. egg-scripts run by hand). The
  // agent's exit then makes egg-cluster stop the start with code 1.
  exitUnlessProductionEnvironment();

  const config: PowerPartial<EggAppConfig> = {
    // Behind a load balancer, the client's IP (spbill_create_ip) comes from X-Forwarded-For.
    proxy: envString('TRUST_PROXY', 'false') === 'true',
    logger: {
      // The working directory, not egg's baseDir: a checkout runs the build
      // from dist/ (`npm run clean` deletes it) and logs must outlive it.
      dir: envString('LOG_DIR', `${process.cwd()}/logs`),
      // The notify endpoint answers thousands of requests a second: one access
      // line each is not worth the CPU; errors and payment events are logged.
      level: envString('LOG_LEVEL', 'INFO') as any,
    },
  };

  // A relative `sqlite:` path is resolved against the working directory, as
  // sequelize-cli (`npm run db:migrate`) does and as the logs are, rather than
  // against egg's baseDir: in a checkout that is the build output dist/, and
  // the service would open a different, empty file that `npm run clean` deletes.
  const { storage } = sequelizeOptionsFromUrl(envString('DATABASE_URL', ''), process.cwd());
  if (storage) config.sequelize = { storage } as any;

  return config;
};
