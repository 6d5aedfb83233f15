// Pipe: one peer <-> stdin/stdout, relay(peer, stdio): tcp-client, udp connect, and a server's first peer.
import type { Endpoint, Listener } from '../core/endpoint.js';
import { framing } from '../core/framing.js';
import type { Outcome } from '../core/outcome.js';
import { relay } from '../core/relay.js';
import type { Session } from '../core/session.js';
import { stdioEndpoint } from '../core/stdio.js';
import { watchIdle } from '../core/timers.js';

/** The session flags a pipe follows (durations in ms). */
export interface PipeSettings {
  shutdown: boolean;
  linger?: number | undefined;
  quitAfter?: number | undefined;
  idleTimeout?: number | undefined;
  lines?: boolean | undefined;
}

export function pipe(session: Session, peer: Endpoint, s: PipeSettings): Promise<Outcome> {
  const local = stdioEndpoint(session.stdio, framing(peer.datagram, s.lines));
  const r = relay(session.log, peer, local, { shutdown: s.shutdown, linger: s.linger, quitAfter: s.quitAfter, idleTimeout: s.idleTimeout });
  session.onSignal((outcome) => r.stop(outcome, true));
  return r.done;
}

/** The first peer of a listener piped to stdio, then no other. */
export function pipeFirst(session: Session, listener: Listener, s: PipeSettings): Promise<Outcome> {
  return serveFirst(session, listener, s.idleTimeout, (peer) => pipe(session, peer, s));
}

/** The first peer of a listener, then no other (TCP: the listener closes; UDP: other senders are dropped). */
export function serveFirst(session: Session, listener: Listener, idleTimeout: number | undefined, run: (peer: Endpoint) => Promise<Outcome>): Promise<Outcome> {
  const since = Date.now();
  return new Promise((resolve) => {
    // -i bounds the wait for the peer too, so a test's server never hangs for want of a client.
    const cancelIdle = watchIdle(() => Date.now() - since, idleTimeout, () => {
      listener.close();
      resolve({ reason: 'timeout', error: `Idle timeout: no ${listener.idleText} for ${(idleTimeout ?? 0) / 1000} s` });
    });
    session.onSignal((outcome) => {
      cancelIdle();
      listener.close();
      resolve(outcome);
    });
    listener.take((peer) => {
      cancelIdle();
      listener.take(undefined);
      listener.only(peer);
      resolve(run(peer).finally(() => listener.close()));
    });
  });
}
