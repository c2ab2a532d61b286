import { onBeforeUnmount } from 'vue';

/**
 * Runs `tick` every `intervalMs` while it answers true, one at a time (the
 * next waits for the previous), and stops when the component goes away.
 */
export function usePolling(intervalMs = 2000) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  onBeforeUnmount(() => {
    stopped = true;
    if (timer) clearTimeout(timer);
  });
  function start(tick: () => Promise<boolean>): void {
    if (timer) clearTimeout(timer);
    const loop = () => {
      timer = setTimeout(async () => {
        if (stopped) return;
        let again = false;
        try {
          again = await tick();
        } catch {
          again = !stopped; // a failed look is tried again at the next tick
        }
        if (again && !stopped) loop();
      }, intervalMs);
    };
    loop();
  }
  return { start };
}
