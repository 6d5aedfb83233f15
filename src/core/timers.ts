// Timers for the flags' durations: any length (Node's own fire at once past ~24.8 days), and the idle watch of -i.

/** setTimeout's largest delay (2^31 - 1 ms); a longer one fires after 1 ms with a warning. */
const MAX_DELAY = 2 ** 31 - 1;

export interface Timer {
  /** Start counting again from now. */
  refresh(): void;
  cancel(): void;
}

/** Call `fn` once after `ms`, however long: delays past setTimeout's limit are chained. */
export function after(ms: number, fn: () => void): Timer {
  let due = Date.now() + ms;
  let timer: NodeJS.Timeout;
  const arm = (left: number): void => {
    timer = setTimeout(() => {
      const rest = due - Date.now();
      if (rest > 0) arm(rest);
      else fn();
    }, Math.min(Math.max(left, 0), MAX_DELAY));
  };
  arm(ms);
  return {
    refresh() {
      clearTimeout(timer);
      due = Date.now() + ms;
      arm(ms);
    },
    cancel: () => clearTimeout(timer),
  };
}

/** Call `onIdle` once `sinceActivity()` reaches `ms`; checks again whenever activity moved it. Returns the canceller. */
export function watchIdle(sinceActivity: () => number, ms: number | undefined, onIdle: () => void): () => void {
  if (ms === undefined || ms <= 0) return () => undefined;
  let timer: Timer;
  const check = (): void => {
    const idle = sinceActivity();
    if (idle >= ms) onIdle();
    else timer = after(ms - idle, check);
  };
  timer = after(ms, check);
  return () => timer.cancel();
}
