/**
 * Whether an error of egg's HTTP client (urllib) is a time-out. urllib names
 * them ConnectionTimeoutError / ResponseTimeoutError, and its messages mention
 * "timeoutSocketCount" on every error, so the name is what counts.
 */
export function isTimeoutError(err: unknown): boolean {
  return err instanceof Error && /Timeout/.test(err.name);
}
