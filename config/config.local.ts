import { EggAppConfig, EggAppInfo, PowerPartial } from 'egg';
import { randomBytes } from 'node:crypto';
import { envOptional, envPositiveInt, envString } from '../app/lib/env';
import { sandboxDefaults } from './config.default';
import { staticSites } from './static-sites';

// Local development: SQLite under run/ (config.default), the sandbox mounted
// on this very port, nothing to set. The Pay API goes over TLS to the same
// sandbox on SANDBOX_TLS_PORT (app.ts starts it), as it does to WeChat in
// production; `npm run dev` trusts the sandbox's test CA (NODE_EXTRA_CA_CERTS).
export default (appInfo: EggAppInfo) => {
  const port = envPositiveInt('PORT', 7001);
  const origin = `http://127.0.0.1:${port}`;
  const tlsPort = envPositiveInt('SANDBOX_TLS_PORT', 7443);
  const defaults = sandboxDefaults();
  const config: PowerPartial<EggAppConfig> = {
    // The sandbox's payer controls must not be reachable from the network.
    cluster: { listen: { port, hostname: envString('HOST', '127.0.0.1') } },
    wechat: {
      ...defaults.wechat,
      apiBase: envString('WECHAT_API_BASE', `${origin}/sandbox/wechat`),
    },
    wxpay: {
      ...defaults.wxpay,
      apiBase: envString('WECHATPAY_API_BASE', `https://127.0.0.1:${tlsPort}/sandbox/pay`),
    },
    auth: {
      // A fresh secret per process: restarting `npm run dev` logs everyone out.
      tokenSecret: envOptional('AUTH_TOKEN_SECRET') ?? randomBytes(32).toString('hex'),
    },
    developerPages: true,
    static: staticSites(appInfo.baseDir, { developerPages: true }),
    sandbox: {
      ...defaults.sandbox,
      // retries after 15 s, 15 s, 30 s, … become 0.15 s, 0.15 s, 0.3 s, …
      notifyRetryScale: 0.01,
      tlsPort,
      // a refund made from the console turns SUCCESS a few seconds later, as a wallet refund does at WeChat
      refundSettleAfterMs: envPositiveInt('SANDBOX_REFUND_SETTLE_MS', 3000),
    },
  };
  return config;
};
