import type { SandboxOptions } from './options';
import { Env, envValue } from './standalone-env';
import type { StandaloneV3Keys } from './standalone-keys';

/** The standalone sandbox's TLS side, as the merchant must be told of it. */
export interface StandaloneTlsSettings {
  /** https://127.0.0.1:port/sandbox */
  apiOrigin: string;
  /** the test CA the merchant must trust (NODE_EXTRA_CA_CERTS) */
  caFile: string;
  /** the merchant API client certificate issued for the merchant's key */
  clientCertFile: string;
}

/**
 * The variables a merchant (the service, in another process) sets to talk to
 * a standalone sandbox at `apiOrigin`: the Pay API over TLS when `tls` is
 * given (as v2 refunds need), over plain HTTP otherwise. Values that came
 * from this environment are not echoed: they may be real secrets. The
 * sandbox's own defaults and the files it wrote are printed as they are.
 */
export function merchantSettings(apiOrigin: string, options: SandboxOptions, keys: StandaloneV3Keys | undefined, env: Env,
  tls?: StandaloneTlsSettings): string[] {
  const secret = (name: string, value: string) => (envValue(name, env) === undefined ? `${name}=${value}` : `# ${name}: as set here`);
  const lines = [
    `WECHAT_API_BASE=${apiOrigin}/wechat`,
    `WECHATPAY_API_BASE=${tls ? tls.apiOrigin : apiOrigin}/pay`,
    `WECHAT_APPID=${options.appId}`,
    secret('WECHAT_SECRET', options.secret),
    `WECHATPAY_MCHID=${options.mchId}`,
    secret('WECHATPAY_API_KEY', options.apiKey),
    secret('WECHATPAY_APIV3_KEY', options.apiV3Key),
  ];
  if (keys) {
    lines.push(
      keys.merchantPrivateKeyFile ? `WECHATPAY_PRIVATE_KEY=${keys.merchantPrivateKeyFile}` : '# WECHATPAY_PRIVATE_KEY: as set here',
      `WECHATPAY_CERT_SERIAL=${options.merchantCertSerial}`,
      `WECHATPAY_PUBLIC_KEY=${keys.wechatpayPublicKeyFile}`,
      `WECHATPAY_PUBLIC_KEY_ID=${options.wechatpayPublicKeyId}`,
    );
  }
  if (tls) {
    lines.push(
      `WECHATPAY_CLIENT_CERT=${tls.clientCertFile}`,
      // Read by Node at start: it goes in the merchant process's environment, not in a .env it loads later.
      `NODE_EXTRA_CA_CERTS=${tls.caFile}`,
    );
  }
  return lines;
}
