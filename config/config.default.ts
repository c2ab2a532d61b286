import { randomUUID } from 'node:crypto';
import { EggAppConfig, EggAppInfo, PowerPartial } from 'egg';
import { databaseUrlFor, sequelizeOptionsFromUrl } from '../database/connection';
import { envChoice, envClockTime, envOptional, envPositiveInt, envString } from '../app/lib/env';
import { loadPemText } from '../app/lib/wxpay/v3-keys';
import { clientErrorReply, clientErrorResponse } from '../app/lib/client-error';
import { LOG_FORMATS, LogFormat } from '../app/lib/log-line';
import { logFormatters } from './log-format';
import { staticSites } from './static-sites';

export type WechatPayApiVersion = 'v2' | 'v3';
export type WechatPaySignType = 'MD5' | 'HMAC-SHA256';

/** Business configuration of this service, merged into EggAppConfig (typings/config.d.ts). */
export interface BizConfig {
  wechat: {
    appId: string;
    secret: string;
    apiBase: string;
    timeoutMs: number;
  };
  wxpay: {
    apiVersion: WechatPayApiVersion;
    mchId: string;
    apiKey: string;
    signType: WechatPaySignType;
    apiV3Key: string;
    certSerial: string;
    /** PEM text or a file path */
    privateKey: string;
    /** PEM text or a file path; empty: platform certificates only */
    publicKey: string;
    publicKeyId: string;
    /** merchant API client certificate, PEM text or a file path (v2 refunds, mutual TLS) */
    clientCert: string;
    notifyUrl: string;
    /** empty: the origin of notifyUrl + /api/pay/refund-notify (v3: …/v3), see app/lib/refund-no.ts */
    refundNotifyUrl: string;
    /** refund duplicate payments and payments of closed orders automatically */
    autoRefund: boolean;
    apiBase: string;
    timeoutMs: number;
    /** a prepay_id is valid for 2 h at WeChat; reuse it a little less long */
    prepayTtlSeconds: number;
    /** how long an order may wait for payment before it is closed */
    paymentWindowSeconds: number;
    /** pending orders with a prepay older than this are queried by the schedule */
    reconcileAfterSeconds: number;
  };
  auth: {
    tokenSecret: string;
    tokenTtlSeconds: number;
    /** lifetime of staff tokens (aud "staff") */
    staffTokenTtlSeconds: number;
  };
  /**
   * serve the developer pages: the mini-program playground (/playground/) and
   * the OpenAPI viewer (/openapi/); local dev and tests only, like the sandbox
   */
  developerPages: boolean;
  sandbox: {
    /** mount the WeChat simulator under /sandbox (local and unittest only) */
    enabled: boolean;
    /** the simulated WeChat Pay's own signing key (v3), PEM */
    wechatpayPrivateKey: string;
    /** multiplies WeChat's notify retry delays (15 s, 15 s, 30 s, …) */
    notifyRetryScale: number;
    /** local dev: the port the sandbox also serves TLS on (app.ts), where config.local points the Pay API */
    tlsPort: number;
    /** the sandbox completes every refund it accepted this many ms later (local dev); 0: only its control does (tests) */
    refundSettleAfterMs: number;
  };
  order: {
    maxItems: number;
    maxQuantity: number;
  };
  reconciliation: {
    /** run the schedule in this instance (tests run it explicitly instead) */
    enabled: boolean;
    /** egg schedule interval, e.g. `1m` */
    interval: string;
  };
  billReconciliation: {
    /** run the daily bill schedule in this instance (tests call BillReconciliationService.runDue instead) */
    enabled: boolean;
    /** Beijing time of day (HH:MM) from which the previous day's bill is reconciled */
    at: string;
    /** how often the schedule looks for a day to reconcile (the time above, a WAITING day's retry) */
    interval: string;
  };
  retention: {
    /** run the payment_events retention schedule in this instance (tests call EventRetentionService.run instead) */
    enabled: boolean;
    /** payment_events rows older than this many days are deleted (PAYMENT_EVENTS_RETENTION_DAYS) */
    paymentEventsDays: number;
    /** egg schedule interval of a retention run */
    interval: string;
    /** rows per DELETE: small, so each holds its locks briefly beside the notifies' INSERTs */
    batchRows: number;
    /** pause between two batches, ms */
    pauseMs: number;
    /** bounds of one run; what is left waits for the next run */
    maxBatches: number;
    maxRunMs: number;
  };
  notify: {
    /** a notify answers FAIL / 5xx after this long whatever the database does (WeChat v3 waits 5 s) */
    deadlineMs: number;
  };
  metrics: {
    /** Bearer token of GET /metrics (METRICS_TOKEN); empty: the endpoint does not exist (404) */
    token: string;
    /** how long a scrape waits for every worker's metrics before it fails (503) */
    scrapeTimeoutMs: number;
  };
}

export default (appInfo: EggAppInfo) => {
  const config = {} as PowerPartial<EggAppConfig> & BizConfig;
  const env = appInfo.env;
  const port = envPositiveInt('PORT', 7001);

  config.keys = envString('EGG_COOKIE_KEYS', `${appInfo.name}_cookie_keys_unused`);
  // errorHandler and the sandbox are placed among egg's core middleware by app.ts.
  config.middleware = [];

  config.developerPages = false;
  config.static = staticSites(appInfo.baseDir, { developerPages: false });

  config.cluster = { listen: { port, hostname: envString('HOST', '0.0.0.0') } };

  // Errors are JSON whatever the Accept header says (the mini-program sends none).
  config.onerror = { accepts: () => 'json' } as any;
  // A JSON API authenticated by bearer tokens, and webhooks from WeChat: no cookies, no CSRF.
  config.security = { csrf: { enable: false } };
  // Notify routes read their raw body themselves (signatures cover the exact bytes).
  config.bodyParser = { jsonLimit: '100kb', formLimit: '100kb', enableTypes: [ 'json' ], ignore: [ '/api/pay/notify', '/api/pay/refund-notify' ] } as any;

  const databaseUrl = databaseUrlFor(env);
  // No wait on the database without a limit: a stalled server or a held lock ends in an error.
  const acquireTimeoutMs = envPositiveInt('DATABASE_ACQUIRE_TIMEOUT_MS', 3000);
  const sessionLimits = {
    connectTimeoutMs: acquireTimeoutMs,
    // Generous on purpose: on MariaDB it bounds every statement, and the daily bill's set-based
    // comparisons scan a whole day (about 10 s each at a million rows); notifies are bounded by
    // the lock-wait limits and NOTIFY_DEADLINE_MS, not by this.
    statementTimeoutMs: envPositiveInt('DATABASE_STATEMENT_TIMEOUT_MS', 300000),
    lockWaitTimeoutSeconds: envPositiveInt('DATABASE_LOCK_WAIT_TIMEOUT_S', 5),
  };
  config.sequelize = {
    ...(databaseUrl ? sequelizeOptionsFromUrl(databaseUrl, appInfo.baseDir, sessionLimits) : {}),
    logging: false,
    benchmark: false,
    pool: { max: envPositiveInt('DATABASE_POOL_MAX', 10), min: 0, idle: 10000, acquire: acquireTimeoutMs },
    define: { underscored: true, freezeTableName: false },
  } as any;

  config.wechat = {
    appId: envString('WECHAT_APPID', ''),
    secret: envString('WECHAT_SECRET', ''),
    apiBase: envString('WECHAT_API_BASE', 'https://api.weixin.qq.com'),
    timeoutMs: envPositiveInt('WECHAT_TIMEOUT_MS', 5000),
  };

  const apiVersion = envChoice<WechatPayApiVersion>('WECHATPAY_API_VERSION', [ 'v2', 'v3' ], 'v2');
  config.wxpay = {
    apiVersion,
    mchId: envString('WECHATPAY_MCHID', ''),
    apiKey: envString('WECHATPAY_API_KEY', ''),
    signType: envChoice<WechatPaySignType>('WECHATPAY_SIGN_TYPE', [ 'MD5', 'HMAC-SHA256' ], 'MD5'),
    apiV3Key: envString('WECHATPAY_APIV3_KEY', ''),
    certSerial: envString('WECHATPAY_CERT_SERIAL', ''),
    privateKey: envString('WECHATPAY_PRIVATE_KEY', ''),
    publicKey: envString('WECHATPAY_PUBLIC_KEY', ''),
    publicKeyId: envString('WECHATPAY_PUBLIC_KEY_ID', ''),
    clientCert: envString('WECHATPAY_CLIENT_CERT', ''),
    notifyUrl: envString('WECHATPAY_NOTIFY_URL',
      `http://127.0.0.1:${port}${apiVersion === 'v3' ? '/api/pay/notify/v3' : '/api/pay/notify'}`),
    refundNotifyUrl: envString('WECHATPAY_REFUND_NOTIFY_URL', ''),
    autoRefund: envChoice('AUTO_REFUND', [ 'true', 'false' ], 'true') === 'true',
    apiBase: envString('WECHATPAY_API_BASE', 'https://api.mch.weixin.qq.com'),
    timeoutMs: envPositiveInt('WECHATPAY_TIMEOUT_MS', 10000),
    prepayTtlSeconds: envPositiveInt('WECHATPAY_PREPAY_TTL_SECONDS', 7200 - 300),
    paymentWindowSeconds: envPositiveInt('ORDER_PAYMENT_WINDOW_SECONDS', 30 * 60),
    reconcileAfterSeconds: envPositiveInt('RECONCILE_AFTER_SECONDS', 5 * 60),
  };

  config.auth = {
    tokenSecret: envString('AUTH_TOKEN_SECRET', ''),
    tokenTtlSeconds: envPositiveInt('AUTH_TOKEN_TTL', 7200),
    staffTokenTtlSeconds: envPositiveInt('STAFF_TOKEN_TTL', 8 * 3600),
  };

  config.sandbox = { enabled: false, wechatpayPrivateKey: '', notifyRetryScale: 1, tlsPort: 7443, refundSettleAfterMs: 0 };
  config.order = { maxItems: 20, maxQuantity: 999 };
  config.reconciliation = { enabled: true, interval: envString('RECONCILE_INTERVAL', '1m') };
  // WeChat generates the bill from 09:00 and says to fetch it after 10:00 (pay.weixin.qq.com/doc/v2/merchant/4011985040).
  config.billReconciliation = { enabled: true, at: envClockTime('BILL_RECONCILE_AT', '10:30'), interval: '1m' };
  // Longer than WeChat Pay's one-year refund window, so a late refund or dispute still finds its notifies.
  config.retention = {
    enabled: true,
    paymentEventsDays: envPositiveInt('PAYMENT_EVENTS_RETENTION_DAYS', 400),
    interval: envString('PAYMENT_EVENTS_RETENTION_INTERVAL', '1h'),
    batchRows: 1000,
    pauseMs: 100,
    maxBatches: 2000,
    maxRunMs: 10 * 60 * 1000,
  };
  config.notify = { deadlineMs: envPositiveInt('NOTIFY_DEADLINE_MS', 4000) };

  // Requests Node refuses before the app sees them (431, 408, 400) answer JSON like every other error.
  config.onClientError = (err: NodeJS.ErrnoException) => clientErrorResponse(clientErrorReply(err.code), randomUUID());

  // Every line written while a request is served carries its request id;
  // LOG_FORMAT=json writes one JSON object per line for log pipelines.
  config.logger = logFormatters(envChoice<LogFormat>('LOG_FORMAT', LOG_FORMATS, 'text')) as any;

  config.metrics = { token: metricsToken(), scrapeTimeoutMs: 3000 };

  // Keep secrets out of egg's config dump under run/.
  config.dump = {
    ignore: new Set([ 'keys', 'pwd', 'passwd', /pass(word)?$/i, /secret/i, /key$/i, /token$/i ]),
  } as any;

  return config;
};

/**
 * METRICS_TOKEN: the metrics are never public, so an endpoint exists only with
 * a token, and a guessable one is refused at start rather than accepted.
 */
function metricsToken(): string {
  const token = envOptional('METRICS_TOKEN') ?? '';
  if (token && token.length < 16) throw new Error('Environment variable METRICS_TOKEN must be at least 16 characters');
  return token;
}

/**
 * Sandbox credentials, under anything set in the environment (local and
 * unittest). The v3 key pairs are generated per process: the merchant's, whose
 * private half the service signs with, and the simulated WeChat Pay's, whose
 * public half the service verifies with. The merchant API client certificate
 * (v2 refunds' mutual TLS) is issued for the merchant's key by the sandbox's
 * test CA, unless WECHATPAY_CLIENT_CERT names one.
 */
export function sandboxDefaults(): Pick<BizConfig, 'wechat' | 'wxpay' | 'sandbox'> {
  // Loaded lazily so that production never imports the simulator.
  const sandbox = require('../sandbox/credentials') as typeof import('../sandbox/credentials');
  const merchantKeys = sandbox.generateRsaKeyPair();
  const wechatpayKeys = sandbox.generateRsaKeyPair();
  const custom = envOptional('WECHATPAY_PUBLIC_KEY') !== undefined;
  const mchId = envOptional('WECHATPAY_MCHID') ?? sandbox.SANDBOX_MCHID;
  const privateKey = envOptional('WECHATPAY_PRIVATE_KEY') ?? merchantKeys.privateKeyPem;
  const clientCert = envOptional('WECHATPAY_CLIENT_CERT') ?? issueSandboxClientCertificate(privateKey, mchId);
  return {
    wechat: {
      appId: envOptional('WECHAT_APPID') ?? sandbox.SANDBOX_APPID,
      secret: envOptional('WECHAT_SECRET') ?? sandbox.SANDBOX_SECRET,
    },
    wxpay: {
      mchId,
      apiKey: envOptional('WECHATPAY_API_KEY') ?? sandbox.SANDBOX_API_KEY,
      apiV3Key: envOptional('WECHATPAY_APIV3_KEY') ?? sandbox.SANDBOX_APIV3_KEY,
      certSerial: envOptional('WECHATPAY_CERT_SERIAL') ?? sandbox.SANDBOX_MERCHANT_CERT_SERIAL,
      privateKey,
      clientCert,
      publicKey: custom ? envString('WECHATPAY_PUBLIC_KEY', '') : wechatpayKeys.publicKeyPem,
      publicKeyId: custom ? envString('WECHATPAY_PUBLIC_KEY_ID', '') : sandbox.SANDBOX_PUBLIC_KEY_ID,
    },
    sandbox: {
      enabled: true,
      wechatpayPrivateKey: wechatpayKeys.privateKeyPem,
    },
  } as Pick<BizConfig, 'wechat' | 'wxpay' | 'sandbox'>;
}

/** apiclient_cert.pem for the merchant's key (PEM text or a file path), from the sandbox's test CA. */
function issueSandboxClientCertificate(privateKey: string, mchId: string): string {
  const { issueMerchantCertificate } = require('../sandbox/merchant-certificate') as typeof import('../sandbox/merchant-certificate');
  return issueMerchantCertificate(loadPemText(privateKey, 'WECHATPAY_PRIVATE_KEY'), mchId);
}
