import { formatLogLine, LogFormat, LogRequest } from '../app/lib/log-line';

/** What egg-logger hands a formatter (egg-logger/lib/utils.js `format`). */
interface EggLogMeta {
  level: string;
  date: string;
  pid: number;
  hostname: string;
  message: string;
  /** the request being served: a ContextLogger's, or the one egg keeps in its AsyncLocalStorage */
  ctx?: RequestContext;
}

interface RequestContext {
  requestId?: string;
  method: string;
  url: string;
  ip: string;
  starttime?: number;
  state?: { userId?: number; staff?: { username?: string } };
}

function requestOf(ctx: RequestContext): LogRequest {
  return {
    // the agent's contexts have no request id
    requestId: ctx.requestId ?? '-',
    method: ctx.method,
    url: ctx.url,
    ip: ctx.ip,
    user: String(ctx.state?.userId ?? ctx.state?.staff?.username ?? '-'),
    elapsedMs: ctx.starttime ? Date.now() - ctx.starttime : 0,
  };
}

/**
 * config.logger's `formatter` and `contextFormatter`: every file logger (the
 * app's, egg's core, common-error, the schedule's) writes its lines through
 * them, so a line written while a request is served carries the request id,
 * whether it came from ctx.logger, a service's this.logger or app.logger.
 */
export function logFormatters(format: LogFormat) {
  const formatter = (meta: EggLogMeta) => formatLogLine(format, {
    date: meta.date,
    level: meta.level,
    pid: meta.pid,
    hostname: meta.hostname,
    message: meta.message,
    request: meta.ctx ? requestOf(meta.ctx) : undefined,
  });
  return { formatter, contextFormatter: formatter };
}
