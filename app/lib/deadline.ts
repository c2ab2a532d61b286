/** What became of work raced against a deadline. */
export type DeadlineResult<T> = { done: true; value: T } | { done: false };

/**
 * Waits for `work` at most `ms` milliseconds. The work is not cancelled (a
 * promise cannot be): when the deadline wins, its later result is dropped and
 * a later rejection goes to `onLateFailure` instead of becoming an unhandled
 * rejection. A rejection before the deadline is thrown to the caller.
 */
export async function withinDeadline<T>(work: Promise<T>, ms: number, onLateFailure: (err: unknown) => void): Promise<DeadlineResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  const deadline = new Promise<DeadlineResult<T>>(resolve => {
    timer = setTimeout(() => {
      expired = true;
      resolve({ done: false });
    }, ms);
  });
  const settled = work.then(
    (value): DeadlineResult<T> => ({ done: true, value }),
    (err: unknown) => {
      if (expired) {
        onLateFailure(err);
        return { done: false } as DeadlineResult<T>;
      }
      throw err;
    },
  );
  try {
    return await Promise.race([ settled, deadline ]);
  } finally {
    clearTimeout(timer);
  }
}
