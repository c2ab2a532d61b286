import { Context } from 'egg';
import { chooseRequestId, REQUEST_ID_HEADER } from '../lib/request-id';

const REQUEST_ID = Symbol('requestId');

export default {
  /**
   * This request's id (app/lib/request-id.ts): the trusted proxy's
   * `X-Request-Id` or a new one, chosen on first use, by the errorHandler
   * middleware or by the first log line, whichever comes first.
   */
  get requestId(): string {
    const ctx = this as unknown as Context & { [REQUEST_ID]?: string };
    ctx[REQUEST_ID] ??= chooseRequestId(ctx.get(REQUEST_ID_HEADER), ctx.app.config.proxy === true);
    return ctx[REQUEST_ID];
  },
};
