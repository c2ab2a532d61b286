import { isTimeoutError } from '../lib/http-client-error';

/** A reply as it came off the wire: signatures are checked over exactly this text. */
export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** egg's HTTP client (`app.curl` / `ctx.curl`), as the adapters use it. */
export type HttpClient = (url: string, options: {
  method: string;
  content?: string;
  headers?: Record<string, string>;
  dataType: 'text';
  /** ms; or [connect, whole response] */
  timeout: number | [ number, number ];
  /** a TLS agent for calls that present a client certificate */
  httpsAgent?: unknown;
  /** the reply's body is written here (a file download) instead of being kept in memory */
  writeStream?: NodeJS.WritableStream;
}) => Promise<{ status: number; headers: unknown; data: unknown }>;

export interface UpstreamLogger {
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
}

/** One finished call to WeChat, as the optional observer of callUpstream sees it (metrics): no reference, no URL. */
export interface UpstreamCallObservation {
  upstream: string;
  operation: string;
  /** ok: a reply was read; error: a reply that the adapter refused or that carried an error; or no reply at all */
  result: 'ok' | 'error' | 'timeout' | 'unreachable';
  durationMs: number;
}

export type UpstreamObserver = (call: UpstreamCallObservation) => void;

/** Why a call got no reply at all: the adapter turns it into its own retryable error. */
export type TransportFailure = 'TIMEOUT' | 'UNREACHABLE';

export interface UpstreamCall<T> {
  /** `wechat`, `wechatpay.v2`, `wechatpay.v3`: the log line's tag */
  upstream: string;
  operation: string;
  /** what the call is about (an order number), never a secret; '-' for none */
  ref: string;
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  content?: string;
  timeoutMs: number;
  /** a download's whole-response time-out, when it may take longer than timeoutMs (the connection still gets timeoutMs) */
  responseTimeoutMs?: number;
  httpsAgent?: unknown;
  /** a download: the body goes to this stream, and the reply's text is empty */
  writeStream?: NodeJS.WritableStream;
  /** the error to throw when no reply came */
  transportError(failure: TransportFailure): Error;
  /** reads the reply: returns the value and WeChat's code for the log line, or throws a typed error */
  read(reply: RawReply): Promise<{ value: T; code?: string }> | { value: T; code?: string };
}

function codeOf(err: unknown): string {
  const { errCode, code } = err as { errCode?: unknown; code?: unknown };
  if (typeof errCode === 'string') return errCode;
  return typeof code === 'string' ? code : (err as Error).name;
}

/**
 * The one way the adapters call WeChat: a time-out on every call, one
 * structured log line per call whatever happens (upstream, operation,
 * reference, status, WeChat's code, duration; never a URL, a key or a body,
 * since URLs can carry the app secret), and transport failures classified
 * as time-out or unreachable.
 */
export async function callUpstream<T>(client: HttpClient, logger: UpstreamLogger, call: UpstreamCall<T>, observe?: UpstreamObserver): Promise<T> {
  const started = Date.now();
  const line = `[upstream:${call.upstream}.${call.operation}] ref: %s, status: %s, code: %s, durationMs: %d`;
  // The observer sees what the log line says, at the same points; it must never break the call.
  const observed = (result: UpstreamCallObservation['result'], durationMs: number) => {
    try {
      observe?.({ upstream: call.upstream, operation: call.operation, result, durationMs });
    } catch { /* a metric is not worth a failed payment call */ }
  };
  let reply: RawReply;
  try {
    const res = await client(call.url, {
      method: call.method,
      content: call.content,
      headers: call.headers,
      dataType: 'text',
      timeout: call.responseTimeoutMs ? [ call.timeoutMs, call.responseTimeoutMs ] : call.timeoutMs,
      ...(call.httpsAgent ? { httpsAgent: call.httpsAgent } : {}),
      ...(call.writeStream ? { writeStream: call.writeStream } : {}),
    });
    reply = {
      status: res.status,
      headers: (res.headers ?? {}) as RawReply['headers'],
      text: typeof res.data === 'string' ? res.data : Buffer.isBuffer(res.data) ? res.data.toString('utf8') : '',
    };
  } catch (err) {
    const failure: TransportFailure = isTimeoutError(err) ? 'TIMEOUT' : 'UNREACHABLE';
    const durationMs = Date.now() - started;
    logger.warn(line, call.ref, '-', failure, durationMs);
    observed(failure === 'TIMEOUT' ? 'timeout' : 'unreachable', durationMs);
    throw call.transportError(failure);
  }
  try {
    const { value, code } = await call.read(reply);
    const durationMs = Date.now() - started;
    logger.info(line, call.ref, reply.status, code ?? '-', durationMs);
    observed('ok', durationMs);
    return value;
  } catch (err) {
    const durationMs = Date.now() - started;
    logger.warn(line, call.ref, reply.status, codeOf(err), durationMs);
    observed('error', durationMs);
    throw err;
  }
}
