/**
 * The clock of a schedule run: the `now` it was started with (tests move it
 * ahead) or the real time once that has passed it, so that a lease taken late
 * in a long run still lasts its full length.
 */
export function clockAfter(now: Date): Date {
  return new Date(Math.max(now.getTime(), Date.now()));
}
