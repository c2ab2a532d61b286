import { EggAppConfig, PowerPartial } from 'egg';
import { assertEnvPresent, envString } from '../app/lib/env';

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
  assertEnvPresent([ ...ALWAYS_REQUIRED, ...(REQUIRED_BY_API_VERSION[apiVersion] ?? []) ]);

  const config: PowerPartial<EggAppConfig> = {
    logger: {
      dir: envString('LOG_DIR', `${process.cwd()}/logs`),
      // The notify endpoint answers thousands of requests a second: one access
      // line each is not worth the CPU; errors and payment events are logged.
      level: envString('LOG_LEVEL', 'INFO') as any,
    },
  };
  return config;
};
