// --echo: each peer's bytes (TCP) or datagrams (UDP) go back to it, relay(peer, peer); stdin and stdout are not used.
import type { Endpoint, Listener } from '../core/endpoint.js';
import type { Outcome } from '../core/outcome.js';
import { relay, type Relay } from '../core/relay.js';
import type { Session } from '../core/session.js';
import { watchIdle } from '../core/timers.js';

export function echo(session: Session, listener: Listener, s: { idleTimeout?: number | undefined }): Promise<Outcome> {
  const relays = new Map<Endpoint, Relay>();
  let stopping: Outcome | undefined;
  return new Promise((resolve) => {
    listener.take((peer) => {
      // -i closes an idle peer, not the server.
      const cancelIdle = watchIdle(() => peer.idleTime, s.idleTimeout, () => peer.close('timeout', false));
      // The peer's FIN is answered with ours once what is queued for it is out.
      const r = relay(session.log, peer, peer, { shutdown: true });
      relays.set(peer, r);
      void r.done.then((outcome) => {
        cancelIdle();
        relays.delete(peer);
        // A failing peer is a WARN, never the server's failure.
        if (outcome.error) session.log.log('WARN', outcome.error);
        if (stopping && relays.size === 0) resolve(stopping);
      });
    });
    session.onSignal((outcome) => {
      stopping = outcome;
      listener.close();
      if (relays.size === 0) return resolve(outcome);
      for (const r of relays.values()) r.stop(outcome, true);
    });
  });
}
