'use strict';

/**
 * Every call the mini-program (and the simulated WeChat client) makes, with
 * what it sent and what came back handed to `onExchange` for the side panel.
 * Same origin as the page: the server serves both the API and the sandbox.
 */
export class ApiError extends Error {
  constructor(status, body) {
    super(body && typeof body === 'object' && body.message ? `${body.code ?? status}: ${body.message}` : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export class Api {
  constructor(onExchange) {
    this.onExchange = onExchange;
    this.token = null;
  }

  /** Calls `path` with an optional JSON body; resolves to the JSON reply, rejects with ApiError for a non-2xx status. */
  async call(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    // The token is the mini-program's; the sandbox (WeChat's side) never gets it.
    if (this.token && path.startsWith('/api/')) headers.authorization = `Bearer ${this.token}`;
    const started = performance.now();
    const at = new Date();
    let status = 0;
    let reply;
    try {
      const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      status = response.status;
      const text = await response.text();
      try {
        reply = text ? JSON.parse(text) : null;
      } catch {
        reply = text;
      }
    } catch (error) {
      reply = { error: String(error) };
    }
    this.onExchange({ method, path, status, request: body, reply, ms: Math.round(performance.now() - started), at });
    if (status < 200 || status >= 300) throw new ApiError(status, reply);
    return reply;
  }
}
