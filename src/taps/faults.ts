// TCP fault injection (--chunk, --write-delay, --rst-after, --fin-after, --stall-after, --fault-dir): a shaping tap,
// an endpoint of its own around a peer's. Backpressure stays honest: bytes held back for a delay count as queued,
// so write() answers false past the mark and `drain` comes once they are out; received bytes held back pause the peer.
// Counts are exact on our side: --rst-after N hands exactly N bytes to the system, waits until they are out of our
// queue, then resets.
import type { Logger } from '../log.js';
import { forwarding, QUEUE_LIMIT, type CloseReason, type Endpoint, type EndpointEvents, type Failure } from '../core/endpoint.js';

export interface FaultOptions {
  readonly chunk?: number | undefined;
  readonly writeDelay?: number | undefined;
  readonly rstAfter?: number | undefined;
  readonly finAfter?: number | undefined;
  readonly stallAfter?: number | undefined;
  readonly faultDir?: 'in' | 'out' | 'both' | undefined;
  /** Send line by line, pausing this long between lines (`first`: before the first one too): nc's -i. */
  readonly lineDelay?: { readonly ms: number; readonly first: boolean } | undefined;
}

type Kind = 'rst' | 'fin' | 'stall';
type Side = 'in' | 'out';

/** Bytes queued in a list of buffers, taken from the front in pieces. */
function queue(): { readonly size: number; push(b: Buffer): void; peek(): Buffer | undefined; take(max: number): Buffer; clear(): void; readonly empty: boolean } {
  const items: Buffer[] = [];
  let size = 0;
  return {
    get size() { return size; },
    get empty() { return items.length === 0; },
    push(b) {
      if (!b.length) return;
      items.push(b);
      size += b.length;
    },
    peek: () => items[0],
    take(max) {
      const head = items[0] ?? Buffer.alloc(0);
      const piece = head.length <= max ? head : head.subarray(0, max);
      if (piece === head) items.shift();
      else items[0] = head.subarray(max);
      size -= piece.length;
      return piece;
    },
    clear() {
      items.length = 0;
      size = 0;
    },
  };
}

/** After the last byte before --rst-after's RST is handed to the kernel, the time it gets to send it. */
const RST_GRACE_MS = 50;

export function faultTap(inner: Endpoint, log: Logger, o: FaultOptions): Endpoint {
  const dir = o.faultDir ?? 'out';
  const shapes = { in: dir !== 'out', out: dir !== 'in' };
  const cutAt = o.rstAfter ?? o.finAfter ?? o.stallAfter;
  const kind: Kind | undefined = o.rstAfter !== undefined ? 'rst' : o.finAfter !== undefined ? 'fin' : o.stallAfter !== undefined ? 'stall' : undefined;
  const cut = (side: Side): number | undefined => (kind && shapes[side] ? cutAt : undefined);
  const lines = o.lineDelay;
  const delay = lines?.ms ?? o.writeDelay ?? 0;
  // The line interval applies to what we send, whatever --fault-dir says.
  if (lines) shapes.out = true;
  let on: EndpointEvents | undefined;
  const out = { q: queue(), sent: 0, timer: undefined as NodeJS.Timeout | undefined, blocked: false, endWanted: false, ended: false, cut: false, started: false };
  const inn = { q: queue(), delivered: 0, timer: undefined as NodeJS.Timeout | undefined, relayPaused: true, innerPaused: true, ended: false, endDelivered: false, cut: false };
  let frozen = false;
  let resetting = false;
  let resetTimer: NodeJS.Timeout | undefined;
  let over = false;

  const fault = (what: string, side: Side, n: number): void => log.log('NOTE', `fault: ${what} ${inner.label} after ${n} bytes ${side === 'out' ? 'sent' : 'received'}`);

  const stopTimers = (): void => {
    clearTimeout(out.timer);
    clearTimeout(inn.timer);
    clearTimeout(resetTimer);
    out.timer = inn.timer = resetTimer = undefined;
  };

  const reset = (): void => {
    if (over) return;
    stopTimers();
    if (inner.abort) inner.abort();
    else inner.close('local', false);
  };
  // An RST makes the kernel drop what it has not sent yet: once the N bytes are handed over, give it a moment to
  // send them (on loopback, and on most paths, well under this) before the reset.
  const resetSoon = (): void => {
    resetTimer ??= setTimeout(reset, RST_GRACE_MS);
  };

  const trigger = (side: Side): void => {
    const n = side === 'out' ? out.sent : inn.delivered;
    if (kind === 'rst') {
      fault('reset', side, n);
      resetting = true;
      inn.q.clear();
      // Out: exactly N bytes reach the system first; in: at once.
      if (side === 'in') reset();
      else if (inner.queued === 0) resetSoon();
    } else if (kind === 'stall') {
      fault('stalled', side, n);
      frozen = true;
      stopTimers();
    } else if (side === 'out') {
      fault('FIN sent to', side, n);
      out.cut = true;
      out.q.clear();
      inner.end();
    } else {
      fault('EOF taken from', side, n);
      inn.cut = true;
      inn.q.clear();
      if (!inn.endDelivered) {
        inn.endDelivered = true;
        on?.end();
      }
    }
    steerInner();
  };

  // The peer is read while the relay wants data and nothing received waits for its turn.
  const steerInner = (): void => {
    const paused = inn.relayPaused || frozen || resetting || inn.cut || !inn.q.empty;
    if (paused === inn.innerPaused) return;
    inn.innerPaused = paused;
    if (paused) inner.pause();
    else inner.resume();
  };

  const full = (): boolean => out.q.size + inner.queued >= QUEUE_LIMIT;
  const stopped = (): boolean => frozen || resetting || out.cut || over;

  const pause = (): void => {
    out.timer = setTimeout(() => {
      out.timer = undefined;
      pumpOut();
    }, delay);
  };

  const pumpOut = (): void => {
    if (stopped() || out.timer) return;
    // nc.traditional's -i waits before the first line too.
    if (lines?.first && !out.started && !out.q.empty) {
      out.started = true;
      return pause();
    }
    const limit = cut('out');
    while (!out.q.empty && inner.queued < QUEUE_LIMIT) {
      let n = out.q.size;
      if (shapes.out && o.chunk) n = Math.min(n, o.chunk);
      const head = out.q.peek();
      if (lines && head) n = Math.min(n, head.includes(10) ? head.indexOf(10) + 1 : head.length);
      if (limit !== undefined) n = Math.min(n, limit - out.sent);
      // Without --chunk a write is one of the relay's writes, as it came (take() never crosses a buffer).
      const piece = out.q.take(n);
      out.sent += piece.length;
      inner.write(piece);
      if (limit !== undefined && out.sent >= limit) return trigger('out');
      if (shapes.out && delay > 0) {
        pause();
        break;
      }
    }
    // No FIN once the connection is to be reset: the peer must see the RST, not an orderly close.
    if (out.q.empty && out.endWanted && !out.ended && !resetting) {
      out.ended = true;
      inner.end();
    }
    if (out.blocked && !full()) {
      out.blocked = false;
      on?.drain();
    }
  };

  const pumpIn = (): void => {
    const limit = cut('in');
    while (!inn.q.empty && !inn.relayPaused && !inn.timer && !frozen && !resetting && !inn.cut) {
      let n = inn.q.size;
      if (shapes.in && o.chunk) n = Math.min(n, o.chunk);
      if (limit !== undefined) n = Math.min(n, limit - inn.delivered);
      const piece = inn.q.take(n);
      inn.delivered += piece.length;
      on?.data(piece);
      if (limit !== undefined && inn.delivered >= limit) {
        trigger('in');
        break;
      }
      if (shapes.in && delay > 0) {
        inn.timer = setTimeout(() => {
          inn.timer = undefined;
          pumpIn();
        }, delay);
      }
    }
    if (inn.q.empty && inn.ended && !inn.endDelivered && !inn.cut && !frozen && !resetting) {
      inn.endDelivered = true;
      on?.end();
    }
    steerInner();
  };

  // A cut at 0 bytes happens as soon as the connection flows.
  const cutAtStart = (): void => {
    if (cut('out') === 0 && !out.cut && !frozen && !resetting) trigger('out');
    else if (cut('in') === 0 && !inn.cut && !frozen && !resetting) trigger('in');
  };

  return forwarding(inner, {
    attach(events) {
      on = events;
      inner.attach({
        data(chunk) {
          if (inn.cut || resetting) return;
          inn.q.push(chunk);
          pumpIn();
        },
        end() {
          inn.ended = true;
          pumpIn();
        },
        drain() {
          if (resetting && inner.queued === 0) return resetSoon();
          pumpOut();
        },
        closed(failure?: Failure) {
          over = true;
          stopTimers();
          events.closed(failure);
        },
      });
    },
    write(chunk) {
      if (stopped()) return false;
      out.q.push(chunk);
      pumpOut();
      const ok = !stopped() && !full();
      if (!ok) out.blocked = true;
      return ok;
    },
    get writable() { return inner.writable && !stopped() && !full(); },
    end() {
      out.endWanted = true;
      pumpOut();
    },
    close(reason: CloseReason, flush: boolean) {
      stopTimers();
      // A flush sends what the delays held back, at once (never past a cut).
      if (flush && !stopped()) {
        const limit = cut('out');
        while (!out.q.empty && (limit === undefined || out.sent < limit)) {
          const piece = out.q.take(limit === undefined ? out.q.size : limit - out.sent);
          out.sent += piece.length;
          inner.write(piece);
        }
      }
      inner.close(reason, flush);
    },
    pause() {
      inn.relayPaused = true;
      steerInner();
    },
    resume() {
      inn.relayPaused = false;
      cutAtStart();
      pumpIn();
    },
    get queued() { return inner.queued + out.q.size; },
    abort: reset,
  });
}
