// Pipe: one peer <-> stdin/stdout, relay(peer, stdio): tcp-client, udp connect, and a server's first peer.
import type { Endpoint, Listener } from '../core/endpoint.js';
import type { Outcome } from '../core/outcome.js';
import { relay } from '../core/relay.js';
import type { Session } from '../core/session.js';
import { localEndpoint, oneWayRules, type LocalSettings } from '../core/local.js';
import { watchIdle } from '../core/timers.js';

/** The session flags a pipe follows (durations in ms). */
export interface PipeSettings extends LocalSettings {
  linger?: number | undefined;
  quitAfter?: number | undefined;
  idleTimeout?: number | undefined;
  quitFails?: boolean | undefined;
  idleIsEnd?: boolean | undefined;
}

export function pipe(session: Session, peer: Endpoint, s: PipeSettings): Promise<Outcome> {
  const local = localEndpoint(session.stdio, peer.datagram, s);
  // --linger counts stdin's silence: with --delay, the pause between lines is not silence.
  const linger = s.linger === undefined ? undefined : s.linger + (s.delay ?? 0);
  const r = relay(session.log, peer, local, { ...oneWayRules(s, peer.datagram), linger, quitAfter: s.quitAfter, idleTimeout: s.idleTimeout, quitFails: s.quitFails, idleIsEnd: s.idleIsEnd });
  session.onSignal((outcome) => r.stop(outcome, true));
  return r.done;
}

/** The first peer of a listener piped to stdio, then no other. */
export function pipeFirst(session: Session, listener: Listener, s: PipeSettings): Promise<Outcome> {
  return firstPeer(session, listener, s.idleTimeout, (peer) => pipe(session, peer, s));
}

/** Serve the first peer of a listener with `serve`, and no other (replay --listen too). */
export function firstPeer(session: Session, listener: Listener, idleTimeout: number | undefined, serve: (peer: Endpoint) => Promise<Outcome>): Promise<Outcome> {
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
      resolve(serve(peer).finally(() => listener.close()));
    });
  });
}
