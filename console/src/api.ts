import { endSession, session, SESSION_EXPIRED } from './session';
import { navigate, route } from './router';

/**
 * The staff API client: JSON over fetch, the staff token from the session.
 * Every failure is an ApiError carrying the API's { code, message } (or one
 * of ours: NETWORK_ERROR, TIMEOUT). Any 401 on an authenticated call ends
 * the session and goes back to sign-in, saying so.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** seconds, from Retry-After */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** No answer came: the request may or may not have been applied. */
  get unanswered(): boolean {
    return this.status === 0;
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  /** false for the sign-in call: its 401 is a wrong password, not an expired session */
  auth?: boolean;
  timeoutMs?: number;
}

// Above the server's own time-outs towards WeChat (10 s), so its 202 comes first.
const DEFAULT_TIMEOUT_MS = 20_000;

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.auth !== false) {
    if (!session.token) throw expire();
    headers.authorization = `Bearer ${session.token}`;
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: controller.signal,
      cache: 'no-store',
    });
  } catch (err) {
    if (controller.signal.aborted) throw new ApiError(0, 'TIMEOUT', 'The server did not answer in time.');
    throw new ApiError(0, 'NETWORK_ERROR', `The server could not be reached (${(err as Error).message}).`);
  } finally {
    clearTimeout(timer);
  }
  if (response.status === 401 && options.auth !== false) throw expire();
  if (!response.ok) throw await errorOf(response);
  return response;
}

function expire(): ApiError {
  const from = route.name === 'sign-in' ? undefined : route.full;
  endSession(SESSION_EXPIRED);
  navigate(`/sign-in${from ? `?next=${encodeURIComponent(from)}` : ''}`, true);
  return new ApiError(401, 'SESSION_EXPIRED', SESSION_EXPIRED);
}

async function errorOf(response: Response): Promise<ApiError> {
  const retryAfter = Number(response.headers.get('retry-after') ?? NaN);
  let code = `HTTP_${response.status}`;
  let message = `The server answered ${response.status} ${response.statusText}`.trim();
  try {
    const body = await response.json();
    if (body && typeof body.code === 'string') code = body.code;
    if (body && typeof body.message === 'string') message = body.message;
  } catch {
    // not JSON: the status says it all
  }
  return new ApiError(response.status, code, message, Number.isFinite(retryAfter) ? retryAfter : undefined);
}

/** A JSON call; answers the body and the status (201, 202 and 200 mean different things for a refund). */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<{ status: number; body: T }> {
  const response = await send(path, options);
  return { status: response.status, body: await response.json() as T };
}

export async function getJson<T>(path: string): Promise<T> {
  return (await requestJson<T>(path)).body;
}

export async function postJson<T>(path: string, body?: unknown, headers?: Record<string, string>,
  options: { timeoutMs?: number } = {}): Promise<{ status: number; body: T }> {
  return requestJson<T>(path, { method: 'POST', body, headers, timeoutMs: options.timeoutMs });
}

/** A file the API serves (a CSV), as a Blob: the route needs the bearer token, so a plain link cannot fetch it. */
export async function getBlob(path: string): Promise<Blob> {
  const response = await send(path, { headers: { accept: 'text/csv, */*' } });
  return response.blob();
}

/** An error as a line for people: its message, then its code. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}
