// The shape of a tap that only reads: an endpoint that forwards everything to the one it wraps and shows the bytes
// each way to hooks (hex dump, output file, digest, record). Shaping taps (faults) write their own wrapper.
import type { Endpoint, Failure } from '../core/endpoint.js';

export interface TapHooks {
  /** Bytes the peer sent, before the relay sees them. */
  in?(chunk: Buffer): void;
  /** Bytes for the peer, as the relay hands them over. */
  out?(chunk: Buffer): void;
  /** The peer's endpoint is over (before the relay hears of it). */
  closed?(failure: Failure | undefined): void;
}

export function observe(inner: Endpoint, hooks: TapHooks): Endpoint {
  return {
    get label() { return inner.label; },
    get idleText() { return inner.idleText; },
    get datagram() { return inner.datagram; },
    get lossy() { return inner.lossy; },
    get address() { return inner.address; },
    get peerAddress() { return inner.peerAddress; },
    attach(events) {
      inner.attach({
        data(chunk) {
          hooks.in?.(chunk);
          events.data(chunk);
        },
        end: () => events.end(),
        drain: () => events.drain(),
        closed(failure) {
          hooks.closed?.(failure);
          events.closed(failure);
        },
      });
    },
    write(chunk) {
      hooks.out?.(chunk);
      return inner.write(chunk);
    },
    get writable() { return inner.writable; },
    end: () => inner.end(),
    close: (reason, flush) => inner.close(reason, flush),
    pause: () => inner.pause(),
    resume: () => inner.resume(),
    get queued() { return inner.queued; },
    get bytesOut() { return inner.bytesOut; },
    get idleTime() { return inner.idleTime; },
    annotate: (fields) => inner.annotate?.(fields),
  };
}
