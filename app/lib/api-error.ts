/**
 * Errors the API answers with. Services throw them; one middleware
 * (app/middleware/error_handler.ts) turns them into `{ code, message }` JSON
 * with their HTTP status.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** response headers the reply must carry (e.g. Retry-After) */
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** 400: the request itself is wrong. */
export class InvalidRequestError extends ApiError {
  constructor(code: string, message: string) {
    super(400, code, message);
  }
}

/** 401: no valid credentials. */
export class UnauthorizedError extends ApiError {
  constructor(code: string, message: string) {
    super(401, code, message);
  }
}

/** 403: authenticated, but the caller's role does not allow this. */
export class ForbiddenError extends ApiError {
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}

/** 404: no such resource, or not the caller's. */
export class NotFoundError extends ApiError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

/** 409: the resource is in a state that does not allow the request. */
export class ConflictError extends ApiError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

/** 429: too many attempts; `Retry-After` says in how many seconds to try again. */
export class TooManyRequestsError extends ApiError {
  constructor(code: string, message: string, retryAfterSeconds: number) {
    super(429, code, message, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** 502: WeChat answered something we cannot use. */
export class UpstreamError extends ApiError {
  constructor(code: string, message: string) {
    super(502, code, message);
  }
}

/** 503: WeChat is busy, timed out or unreachable; the same call may succeed later. */
export class UpstreamUnavailableError extends ApiError {
  constructor(code: string, message: string) {
    super(503, code, message);
  }
}
