import { onBeforeUnmount } from 'vue';

/**
 * Runs `tick` while it answers true, one at a time (the next waits for the
 * previous), less and less often (each wait 1.5 times the last, up to
 * `maxIntervalMs`) and for at most `giveUpAfterMs`: a refund that stays
 * PROCESSING or ABNORMAL for long must not have an open tab ask WeChat every
 * two seconds all day. Stops when the component goes away; a new start()
 * replaces a running loop.
 */
export function usePolling(intervalMs = 2000, maxIntervalMs = 30_000, giveUpAfterMs = 10 * 60_000) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let generation = 0;
  onBeforeUnmount(() => {
    stopped = true;
    if (timer) clearTimeout(timer);
  });
  function start(tick: () => Promise<boolean>): void {
    if (timer) clearTimeout(timer);
    const mine = ++generation;
    const startedAt = Date.now();
    const current = () => !stopped && mine === generation;
    const loop = (waitMs: number) => {
      timer = setTimeout(async () => {
        if (!current()) return;
        let again = false;
        try {
          again = await tick();
        } catch {
          again = true; // a failed look is tried again at the next tick
        }
        if (again && current() && Date.now() - startedAt < giveUpAfterMs) loop(Math.min(maxIntervalMs, waitMs * 1.5));
      }, waitMs);
    };
    loop(intervalMs);
  }
  return { start };
}
