import { randomUUID } from 'node:crypto';

/**
 * Request ids: every reply carries one in `X-Request-Id`, and every log line
 * written while the request is served names it, so support can follow one
 * payment through the logs.
 */

export const REQUEST_ID_HEADER = 'X-Request-Id';

// What a load balancer's id looks like (a UUID, AWS's `Root=…` minus the `=`,
// a hex trace id); anything else could forge log lines or flood them.
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Whether an incoming id may be kept as it is: 1 to 128 characters of [A-Za-z0-9._-]. */
export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && SANE_REQUEST_ID.test(value);
}

/**
 * The id of a request: the one the proxy sent when the proxy is trusted and
 * the value is sane, otherwise a new UUID. An untrusted client could
 * otherwise pick the id its requests are logged under and pose as another's.
 */
export function chooseRequestId(incoming: string | string[] | undefined, proxyTrusted: boolean, makeId: () => string = randomUUID): string {
  return proxyTrusted && isSaneRequestId(incoming) ? incoming : makeId();
}
