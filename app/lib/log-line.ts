/**
 * The shape of a log line, text or JSON (LOG_FORMAT). Pure: config/log-format.ts
 * feeds it what egg-logger knows about the line and the request being served.
 */

export const LOG_FORMATS = [ 'text', 'json' ] as const;
export type LogFormat = typeof LOG_FORMATS[number];

/** The request a line was written for. */
export interface LogRequest {
  requestId: string;
  method: string;
  url: string;
  ip: string;
  /** customer id or staff username; '-' before authentication */
  user: string;
  /** since the request arrived */
  elapsedMs: number;
}

export interface LogRecord {
  /** egg-logger's date text (local time, `YYYY-MM-DD HH:mm:ss,SSS`) */
  date: string;
  level: string;
  pid: number;
  hostname: string;
  /** already formatted (placeholders applied, an error with its stack) */
  message: string;
  request?: LogRequest;
}

/**
 * One line, without its end of line. Text keeps egg's layout
 * `date LEVEL pid [user/ip/requestId/elapsed method url] message`, the request id
 * in the slot egg reserves for a trace id; JSON is one object whose message
 * may hold newlines (a stack), escaped so the record stays on one line.
 */
export function formatLogLine(format: LogFormat, record: LogRecord, now: Date = new Date()): string {
  const { request } = record;
  if (format === 'json') {
    return JSON.stringify({
      time: now.toISOString(),
      level: record.level,
      pid: record.pid,
      hostname: record.hostname,
      ...(request ? {
        requestId: request.requestId,
        method: request.method,
        url: request.url,
        ip: request.ip,
        user: request.user,
        elapsedMs: request.elapsedMs,
      } : {}),
      message: record.message,
    });
  }
  const padding = request
    ? ` [${request.user}/${request.ip}/${request.requestId}/${request.elapsedMs}ms ${request.method} ${request.url}] `
    : ' ';
  return `${record.date} ${record.level} ${record.pid}${padding}${record.message}`;
}
