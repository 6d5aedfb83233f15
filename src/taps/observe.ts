// The shape of a tap that only reads: an endpoint that forwards everything to the one it wraps and shows the bytes
// each way to hooks (hex dump, output file, digest, record). Shaping taps (faults) write their own wrapper.
import { forwarding, type Endpoint, type Failure } from '../core/endpoint.js';

export interface TapHooks {
  /** Bytes the peer sent, before the relay sees them. */
  in?(chunk: Buffer): void;
  /** Bytes for the peer, as the relay hands them over. */
  out?(chunk: Buffer): void;
  /** The peer finished sending (before the relay hears of it). */
  end?(): void;
  /** We finish sending: the relay half-closes the peer. */
  finish?(): void;
  /** The peer's endpoint is over (before the relay hears of it); a tap that failed (its file) returns why, for a
   * clean close to report instead. */
  closed?(failure: Failure | undefined): Failure | undefined | void;
}

export function observe(inner: Endpoint, hooks: TapHooks): Endpoint {
  return forwarding(inner, {
    attach(events) {
      inner.attach({
        data(chunk) {
          hooks.in?.(chunk);
          events.data(chunk);
        },
        end() {
          hooks.end?.();
          events.end();
        },
        drain: () => events.drain(),
        closed(failure) {
          const own = hooks.closed?.(failure);
          events.closed(failure ?? own ?? undefined);
        },
      });
    },
    write(chunk) {
      hooks.out?.(chunk);
      return inner.write(chunk);
    },
    end() {
      hooks.finish?.();
      inner.end();
    },
  });
}
