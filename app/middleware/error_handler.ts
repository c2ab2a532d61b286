import { Context } from 'egg';
import { ApiError } from '../lib/api-error';
import { REQUEST_ID_HEADER } from '../lib/request-id';

// Fixed texts: egg's own messages talk about its configuration, not the client's mistake.
const HTTP_ERROR_MESSAGES: Record<number, string> = {
  400: 'the body is not valid JSON',
  413: 'the body is too large',
  415: 'the body must be JSON',
};

/**
 * First in the chain (app.ts). Every reply carries `X-Request-Id`
 * (ctx.requestId, app/extend/context.ts), set before anything else runs, and
 * this is the one place errors become replies: `{ code, message }` JSON with
 * the error's status. 4xx are the client's business and stay out of the error
 * log; 5xx are logged with their stack, and the client never sees it.
 */
export default () => async function errorHandler(ctx: Context, next: () => Promise<void>) {
  ctx.set(REQUEST_ID_HEADER, ctx.requestId);
  try {
    await next();
    if (ctx.status === 404 && !ctx.body) {
      ctx.body = { code: 'NOT_FOUND', message: `no route for ${ctx.method} ${ctx.path}` };
      ctx.status = 404;
    }
  } catch (err) {
    const error = err as Error & { status?: number; code?: string; expose?: boolean };
    if (error instanceof ApiError) {
      ctx.status = error.status;
      ctx.set(error.headers);
      ctx.body = { code: error.code, message: error.message };
      return;
    }
    const status = typeof error.status === 'number' && error.status >= 400 && error.status < 600 ? error.status : 500;
    if (status >= 500) {
      ctx.logger.error(error);
      ctx.status = status;
      ctx.body = { code: 'INTERNAL_ERROR', message: 'internal error' };
      return;
    }
    // Errors raised by egg's own middleware (body too large, malformed JSON, …).
    ctx.status = status;
    ctx.body = { code: httpErrorCode(status, error), message: HTTP_ERROR_MESSAGES[status] ?? 'the request cannot be served' };
  }
};

function httpErrorCode(status: number, error: { code?: string; type?: string }): string {
  if (status === 413) return 'BODY_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status === 400) return 'INVALID_REQUEST';
  return typeof error.code === 'string' && /^[A-Z_]+$/.test(error.code) ? error.code : `HTTP_${status}`;
}
