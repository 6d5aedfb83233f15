// Replay: one peer <-> a recorded conversation, relay(peer, recorded): the recording's side plays against a real
// program (mona-nc replay FILE --connect TARGET | --listen ADDR).
import type { Endpoint, Listener } from '../core/endpoint.js';
import type { Outcome } from '../core/outcome.js';
import { recordedEndpoint, type PlayOptions } from '../core/recorded.js';
import type { Script } from '../core/recording.js';
import { relay } from '../core/relay.js';
import type { Session } from '../core/session.js';
import { firstPeer } from './pipe.js';

export interface ReplaySettings extends PlayOptions {
  readonly idleTimeout?: number | undefined;
}

export function replay(session: Session, peer: Endpoint, script: Script, file: string, s: ReplaySettings): Promise<Outcome> {
  const local = recordedEndpoint(script, file, s);
  // Our EOF (a recorded FIN) half-closes the peer at once, as the recording had it.
  const r = relay(session.log, peer, local, { shutdown: true, idleTimeout: s.idleTimeout });
  session.onSignal((outcome) => r.stop(outcome, true));
  return r.done;
}

/** The first peer of a listener gets the recording; then no other. */
export function replayFirst(session: Session, listener: Listener, script: Script, file: string, s: ReplaySettings): Promise<Outcome> {
  return firstPeer(session, listener, s.idleTimeout, (peer) => replay(session, peer, script, file, s));
}
