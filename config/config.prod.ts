import { EggAppConfig, PowerPartial } from 'egg';
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
  v2: [ 'WECHATPAY_API_KEY' ],
  v3: [ 'WECHATPAY_APIV3_KEY', 'WECHATPAY_CERT_SERIAL', 'WECHATPAY_PRIVATE_KEY' ],
};

// Production refuses to start half-configured: every missing variable is named at once.
export default () => {
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

  const config: PowerPartial<EggAppConfig> = {
    // Behind a load balancer, the client's IP (spbill_create_ip) comes from X-Forwarded-For.
    proxy: envString('TRUST_PROXY', 'false') === 'true',
    logger: {
      dir: envString('LOG_DIR', `${process.cwd()}/logs`),
      // The notify endpoint answers thousands of requests a second: one access
      // line each is not worth the CPU; errors and payment events are logged.
      level: envString('LOG_LEVEL', 'INFO') as any,
    },
  };
  return config;
};
