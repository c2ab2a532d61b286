import { Application } from 'egg';
import { WechatPayCredentials } from '../upstream/wechatpay-credentials';

const CREDENTIALS = Symbol('wechatPayCredentials');

/**
 * WeChat Pay credentials built from the app's config.wxpay; platform
 * certificates are downloaded through the v3 adapter when the key ring needs them.
 */
export function createWechatPayCredentials(app: Application): WechatPayCredentials {
  return new WechatPayCredentials(
    app.config.wxpay,
    ring => app.createAnonymousContext().service.payV3Client.downloadCertificates(ring),
    app.coreLogger,
  );
}

export default {
  /** The WeChat Pay credentials of this worker, built once, on first use. */
  get wechatPayCredentials(): WechatPayCredentials {
    const app = this as unknown as Application & { [CREDENTIALS]?: WechatPayCredentials };
    app[CREDENTIALS] ??= createWechatPayCredentials(app);
    return app[CREDENTIALS];
  },
};
