// The onData "rest" rule (spec section 4), pure: what a handler's return value keeps for the next reception.

/** How onData's return value reads: the documented rest (default), or MonaServer 1.x's bytes consumed. */
export type OnDataReturn = 'rest' | 'consumed';

export interface RestHooks {
  /** The handler threw: its data is dropped. */
  error(err: unknown): void;
  warn(message: string): void;
  /** Stop re-calling (the socket closed inside the handler). */
  closed(): boolean;
}

/** A return value as a byte count: nothing or a non-number is 0, numeric strings count, fractions truncate. */
export function toCount(value: unknown): number {
  let n = 0;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string' && value.trim() !== '') n = Number(value);
  return Number.isNaN(n) ? 0 : Math.trunc(n);
}

/**
 * Call `handler` on `data` and return the bytes to keep (undefined: all consumed).
 * rest:     r = 0 keeps nothing; r < 0 keeps all, with a WARN; 0 < r < n keeps the last r bytes and re-calls at
 *           once while r shrinks; r >= n keeps everything for the next reception.
 * consumed: k = 0 keeps all; 0 < k < n drops the first k and re-calls with the remainder; k >= n or nil drops all.
 */
export function applyRest(data: Buffer, handler: (data: Buffer) => unknown, mode: OnDataReturn, hooks: RestHooks): Buffer | undefined {
  let value: unknown;
  try {
    value = handler(data);
  } catch (err) {
    hooks.error(err);
    return undefined;
  }
  return settleRest(data, value, handler, mode, hooks);
}

/** applyRest once the handler has been called on `data` and returned `value` (the caller's fast path made the call). */
export function settleRest(data: Buffer, value: unknown, handler: (data: Buffer) => unknown, mode: OnDataReturn, hooks: RestHooks): Buffer | undefined {
  for (;;) {
    if (hooks.closed()) return undefined;
    if (mode === 'consumed') {
      if (value === undefined || value === null) {
        hooks.warn("1 missing arguments on 'onData' results");
        return undefined;
      }
      const k = toCount(value);
      if (k <= 0) return data;
      if (k >= data.length) return undefined;
      data = data.subarray(k);
    } else {
      const r = toCount(value);
      if (r === 0) return undefined;
      if (r < 0) {
        hooks.warn(`onData returned a negative rest (${r}): keeping all ${data.length} bytes`);
        return data;
      }
      if (r >= data.length) return data;
      data = data.subarray(data.length - r);
    }
    try {
      value = handler(data);
    } catch (err) {
      hooks.error(err);
      return undefined;
    }
  }
}
