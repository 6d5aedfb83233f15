// The endpoint contract: what any byte source and sink offers the relay, whatever is behind it (a connection, stdin
// and stdout, many clients as one, and later a child process or a recorded session), and what a listener offers.
import type { Extra } from '../log.js';
import type { SocketAddress } from '../mona/address.js';
import type { ExitReason } from '../mona/errors.js';

/** Why an endpoint failed: the exit reason, the one ERROR line, and the errno-style code when there is one. */
export interface Failure {
  readonly reason: ExitReason;
  readonly message: string;
  readonly code?: string | undefined;
}

/** Why we close an endpoint ourselves, as the `closed` event tells it. */
export type CloseReason = 'local' | 'timeout';

/** What an endpoint tells the relay. Each is called with the relay's state settled; none may throw. */
export interface EndpointEvents {
  /** Bytes that arrived (a datagram transport: one datagram). */
  data(chunk: Buffer): void;
  /** The far side finished sending (TCP FIN, stdin EOF, a child's stdout EOF). */
  end(): void;
  /** The write queue went back under its mark: write() may be called again. */
  drain(): void;
  /** The endpoint is over, once; `failure` when it failed (a reset, an unwritable stdout). */
  closed(failure?: Failure): void;
}

/**
 * Any byte source and sink. Adapters: stdio (core/stdio.ts), a Mona TCPClient (transports/tcp.ts), a connected UDP
 * socket and one sender of a bound one (transports/udp.ts), many clients as one (modes/fan-out.ts).
 * A child process (--exec) fits as: data = its stdout, end = stdout EOF, write = its stdin, end() = close its stdin,
 * closed = it exited and its stdout is drained, close() = SIGTERM then SIGKILL. A recorded session (replay) fits as:
 * data = the recorded chunks at their offsets, write = compare with what the recording expects, end() = its EOF.
 * Neither needs a change to the relay.
 */
export interface Endpoint {
  /** How messages name it: the peer's address, or "stdio". */
  readonly label: string;
  /** What -i measures on it, as a noun phrase: "traffic with 127.0.0.1:80", "datagram on [::]:5000". */
  readonly idleText: string;
  /** Datagrams: each data event is one datagram and each write() sends one (the other side frames its bytes). */
  readonly datagram: boolean;
  /** It cannot be paused (UDP): what it delivers past a full sink must be dropped, never held without bound. */
  readonly lossy: boolean;
  /** Start delivering events (once). Until then nothing is read, so nothing is lost. */
  attach(events: EndpointEvents): void;
  /** Queue bytes to send; false once the queue is over its mark: wait for `drain` before the next write. */
  write(chunk: Buffer): boolean;
  /** Whether a write now reaches anyone and finds room (many clients as one, with none yet: no). */
  readonly writable: boolean;
  /** Finish sending once the queue is out: FIN, close a child's stdin. Idempotent. */
  end(): void;
  /** Close now (`flush`: send what is queued first); `closed` follows. Idempotent. */
  close(reason: CloseReason, flush: boolean): void;
  /** Stop and start delivering data (the system's buffers push back on the far side). */
  pause(): void;
  resume(): void;
  /** Bytes queued to send and not yet handed to the system. */
  readonly queued: number;
  /** Bytes handed to the system so far. */
  readonly bytesOut: number;
  /** Milliseconds since the last byte in or out. */
  readonly idleTime: number;
  /** A connection's two ends, where it has them (stdio and a child have none): --exec's environment, --allow. */
  readonly address?: SocketAddress | undefined;
  readonly peerAddress?: SocketAddress | undefined;
  /** A connection's endpoint: add the fields `fields()` gives, when it closes, to its `closed` event (taps). */
  annotate?(fields: () => Extra): void;
  /** Abort at once with a TCP reset (RST) instead of a clean close (--rst-after); `closed` follows. */
  abort?(): void;
}

/** Pause a producer while an endpoint's send queue holds this much; resume on its drain. */
export const QUEUE_LIMIT = 256 * 1024;

/** Where peers come from: an accepting TCP socket, or a bound UDP socket whose senders are its peers. */
export interface Listener {
  /** "listening on" what, for messages ("127.0.0.1:41234", later a Unix path). */
  readonly label: string;
  readonly datagram: boolean;
  /** What -i measures while no peer has come: "client on 127.0.0.1:5000", "datagram on [::]:5000". */
  readonly idleText: string;
  /** Hand each new peer, as an endpoint, to `fn` (which attaches it at once); peers that came before wait for it. */
  take(fn: ((peer: Endpoint) => void) | undefined): void;
  /** Take no more peers after `peer`: TCP closes the listener (later clients are refused), UDP drops other senders. */
  only(peer: Endpoint): void;
  /** Stop listening. TCP: accepted peers live on. UDP: close every peer first, the socket is theirs. */
  close(): void;
}

/** A listener's hand-off of peers to its mode: peers that come before take() wait (paused), never dropped. */
export function handOff(): { take(fn: ((peer: Endpoint) => void) | undefined): void; offer(peer: Endpoint): void } {
  const waiting: Endpoint[] = [];
  let taker: ((peer: Endpoint) => void) | undefined;
  return {
    take(fn) {
      taker = fn;
      if (fn) for (const peer of waiting.splice(0)) fn(peer);
    },
    offer(peer) {
      if (taker) taker(peer);
      else waiting.push(peer);
    },
  };
}

/**
 * An endpoint that is another one but for what `own` defines (its getters kept as getters): taps and wrappers say
 * only what they change, and everything else (counters, pause, close...) reaches `inner` unchanged.
 */
export function forwarding(inner: Endpoint, own: Partial<Endpoint> & Pick<Endpoint, 'attach'>): Endpoint {
  const base: Endpoint = {
    get label() { return inner.label; },
    get idleText() { return inner.idleText; },
    get datagram() { return inner.datagram; },
    get lossy() { return inner.lossy; },
    get address() { return inner.address; },
    get peerAddress() { return inner.peerAddress; },
    attach: (events) => inner.attach(events),
    write: (chunk) => inner.write(chunk),
    get writable() { return inner.writable; },
    end: () => inner.end(),
    close: (reason, flush) => inner.close(reason, flush),
    pause: () => inner.pause(),
    resume: () => inner.resume(),
    get queued() { return inner.queued; },
    get bytesOut() { return inner.bytesOut; },
    get idleTime() { return inner.idleTime; },
    annotate: (fields) => inner.annotate?.(fields),
    abort: () => (inner.abort ? inner.abort() : inner.close('local', false)),
  };
  return Object.defineProperties(base, Object.getOwnPropertyDescriptors(own));
}

/** What an endpoint made of a listener's peers (the -k hub, the broker's room) says of itself: the listener's name. */
export function hubOf(listener: Listener): Pick<Endpoint, 'label' | 'idleText' | 'datagram' | 'lossy'> {
  return { label: listener.label, idleText: `traffic on ${listener.label}`, datagram: listener.datagram, lossy: listener.datagram };
}
