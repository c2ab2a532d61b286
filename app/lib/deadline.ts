/** What became of work raced against a deadline. */
export type DeadlineResult<T> = { done: true; value: T } | { done: false };

/**
 * Waits for `work` at most `ms` milliseconds. The work is not cancelled (a
 * promise cannot be): when the deadline wins, its later result is dropped and
 * a later rejection goes to `onLateFailure` instead of becoming an unhandled
 * rejection. A rejection before the deadline is thrown to the caller.
 * One promise and one timer per call: every notify goes through here.
 */
export function withinDeadline<T>(work: Promise<T>, ms: number, onLateFailure: (err: unknown) => void): Promise<DeadlineResult<T>> {
  return new Promise<DeadlineResult<T>>((resolve, reject) => {
    let expired = false;
    const timer = setTimeout(() => {
      expired = true;
      resolve({ done: false });
    }, ms);
    work.then(
      value => {
        clearTimeout(timer);
        resolve({ done: true, value });
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (expired) onLateFailure(err);
        else reject(err);
      },
    );
  });
}
