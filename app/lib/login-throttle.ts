/**
 * The staff login lock-out rule, apart from where the failures are kept:
 * after MAX_FAILURES failed logins for a username within WINDOW_SECONDS,
 * every login for it is refused until the count in the window falls below
 * MAX_FAILURES again.
 */

export const MAX_FAILURES = 5;
export const WINDOW_SECONDS = 15 * 60;

export type Lockout = { locked: false } | { locked: true; retryAfterSeconds: number };

/** The earliest failure time still counted at `now`. */
export function windowStart(now: Date): Date {
  return new Date(now.getTime() - WINDOW_SECONDS * 1000);
}

/**
 * Whether a username is locked out, given its latest failures newest first
 * (at least the MAX_FAILURES newest, if it has that many in the window). The
 * lock ends when the MAX_FAILURES-th newest failure leaves the window: with
 * exactly MAX_FAILURES, the oldest counted one. Retry-After is whole seconds,
 * rounded up, so a client that waits that long is let in.
 */
export function lockoutOf(newestFirst: readonly Date[], now: Date): Lockout {
  const start = windowStart(now).getTime();
  const counted = newestFirst.filter(at => at.getTime() > start).sort((a, b) => b.getTime() - a.getTime());
  if (counted.length < MAX_FAILURES) return { locked: false };
  const deciding = counted[MAX_FAILURES - 1].getTime();
  const retryAfterMs = deciding + WINDOW_SECONDS * 1000 - now.getTime();
  return { locked: true, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
}
