import path from 'node:path';
import { Application, Context } from 'egg';
import type { Sandbox } from '../../sandbox';

const SANDBOX = Symbol('sandbox');

/** The app's one simulator, built from the same credentials the service uses. */
export function sandboxOf(app: Application): Sandbox {
  const holder = app as unknown as { [SANDBOX]?: Sandbox };
  if (!holder[SANDBOX]) {
    const { wechat, wxpay, sandbox } = app.config;
    // Required here, not imported: production never loads the simulator.
    const { Sandbox: SandboxClass } = require('../../sandbox') as typeof import('../../sandbox');
    holder[SANDBOX] = new SandboxClass({
      appId: wechat.appId,
      secret: wechat.secret,
      mchId: wxpay.mchId,
      apiKey: wxpay.apiKey,
      apiV3Key: wxpay.apiV3Key,
      merchantPrivateKey: wxpay.privateKey,
      merchantCertSerial: wxpay.certSerial,
      wechatpayPrivateKey: sandbox.wechatpayPrivateKey,
      wechatpayPublicKeyId: wxpay.publicKeyId,
      notifyRetryScale: sandbox.notifyRetryScale,
      refundSettleAfterMs: sandbox.refundSettleAfterMs,
      // Local dev keeps the simulated trades across restarts, so orders keep prepay_ids that can still be paid.
      statePath: app.config.env === 'local' ? path.join(app.baseDir, 'run/sandbox-state.json') : undefined,
    });
  }
  return holder[SANDBOX]!;
}

/**
 * Mounts the WeChat simulator under /sandbox. Only local and unittest put it
 * in the middleware chain (app.ts); production answers 404 there. It runs
 * before the body parser so that it sees raw bodies, as WeChat would.
 */
export default (_options: unknown, app: Application) => {
  return async function sandbox(ctx: Context, next: () => Promise<void>) {
    if (!ctx.path.startsWith('/sandbox/')) return next();
    ctx.respond = false;
    await sandboxOf(app).handle(ctx.req, ctx.res);
  };
};
