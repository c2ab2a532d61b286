import { ref } from './schemas';
import type { Header, Parameter, Response, Schema } from './types';

/**
 * Building blocks of responses: every reply carries X-Request-Id (set by
 * errorHandler, first in the chain), and every error is `{ code, message }` with the
 * codes that status can really carry on that route listed in an enum, so a
 * new code reaching a client undocumented fails the conformance check.
 */

export const headers: Record<string, Header> = {
  XRequestId: {
    description: 'the id of this request in our logs (echoes a sane incoming X-Request-Id); quote it to support',
    required: true,
    schema: { type: 'string' },
  },
  RetryAfter: { description: 'seconds until a new attempt may succeed', required: true, schema: { type: 'string', pattern: '^\\d+$' } },
  WwwAuthenticate: { description: 'the scheme and realm', required: true, schema: { type: 'string' } },
};

const header = (name: string) => ({ $ref: `#/components/headers/${name}` });
const requestIdOnly = () => ({ 'X-Request-Id': header('XRequestId') });

/** A JSON reply. */
export function json(description: string, schema: Schema): Response {
  return { description, headers: requestIdOnly(), content: { 'application/json': { schema } } };
}

/** A reply without a body. */
export function empty(description: string): Response {
  return { description, headers: requestIdOnly() };
}

/** A `{ code, message }` reply whose code is one of `codes`. */
export function error(description: string, codes: readonly string[], extraHeaders: Record<string, string> = {}): Response {
  const schema: Schema = { allOf: [ ref('Error'), { properties: { code: { enum: [ ...codes ] } } }] };
  const more = Object.fromEntries(Object.entries(extraHeaders).map(([ name, component ]) => [ name, header(component) ]));
  return {
    description: `${description} (code ${codes.join(', ')})`,
    headers: { ...requestIdOnly(), ...more },
    content: { 'application/json': { schema } },
  };
}

/** Error replies of a route, keyed by status; each status lists the codes it can carry there. */
export type ErrorCodes = Partial<Record<400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 502 | 503, readonly string[]>>;

const ERROR_TEXT: Record<number, string> = {
  400: 'the request is malformed',
  401: 'no valid credentials',
  403: 'the role does not allow this',
  404: 'not found (another user\'s order too)',
  409: 'the resource is in a state that does not allow this',
  413: 'the body is too large',
  415: 'the body must be JSON',
  429: 'too many attempts',
  500: 'the server failed; nothing was changed that was not committed',
  502: 'WeChat answered something we cannot use, or refused',
  503: 'WeChat is busy, timed out or unreachable; the same call may succeed later',
};

/** The error responses of a route: the ones given, plus the 500 every route may answer. */
export function errors(codes: ErrorCodes): Record<string, Response> {
  const all: ErrorCodes = { ...codes, 500: [ 'INTERNAL_ERROR', ...(codes[500] ?? []) ] };
  return Object.fromEntries(Object.entries(all).map(([ status, list ]) => [
    status,
    error(ERROR_TEXT[Number(status)], list!, status === '429' ? { 'Retry-After': 'RetryAfter' } : {}),
  ]));
}

/** Errors of egg's JSON body parser, on routes that read a JSON body. */
export const BODY_ERRORS = { 400: [ 'INVALID_REQUEST' ], 413: [ 'BODY_TOO_LARGE' ], 415: [ 'UNSUPPORTED_MEDIA_TYPE' ] } as const;

/** Merges error code lists by status. */
export function mergeErrors(...lists: ErrorCodes[]): ErrorCodes {
  const merged: Record<number, string[]> = {};
  for (const list of lists) {
    for (const [ status, codes ] of Object.entries(list)) {
      merged[Number(status)] = [ ...new Set([ ...(merged[Number(status)] ?? []), ...codes! ]) ];
    }
  }
  return merged as ErrorCodes;
}

/** What WeChat Pay's failures become on a route that calls it (app/upstream/wechatpay-errors.ts). */
export const WECHATPAY_ERRORS: ErrorCodes = {
  404: [ 'WECHATPAY_ORDER_NOT_FOUND' ],
  409: [ 'ORDER_ALREADY_PAID', 'ORDER_CLOSED', 'ORDER_NO_USED' ],
  502: [ 'WECHATPAY_ERROR', 'WECHATPAY_BAD_RESPONSE' ],
  503: [ 'WECHATPAY_UNAVAILABLE' ],
};

/** Pagination query parameters (pageSize ≤ 100). */
export const PAGINATION: Parameter[] = [
  { name: 'page', in: 'query', schema: { type: 'integer', minimum: 1, default: 1 }, description: 'from 1' },
  { name: 'pageSize', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 }, description: 'at most 100' },
];
