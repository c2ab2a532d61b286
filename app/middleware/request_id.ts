import { Context } from 'egg';
import { REQUEST_ID_HEADER } from '../lib/request-id';

/**
 * First in the chain (app.ts): every reply carries `X-Request-Id`
 * (ctx.requestId, app/extend/context.ts), errors included. An error that gets
 * past errorHandler reaches egg's onerror, which drops every header but the
 * error's own, so the id rides on the error too.
 */
export default () => async function requestId(ctx: Context, next: () => Promise<void>) {
  ctx.set(REQUEST_ID_HEADER, ctx.requestId);
  try {
    await next();
  } catch (err) {
    if (err && typeof err === 'object') {
      const error = err as { headers?: Record<string, string> };
      error.headers = { ...error.headers, [REQUEST_ID_HEADER]: ctx.requestId };
    }
    throw err;
  }
};
