// -e/--exec, -c/--sh-exec: each connection gets a child process, relay(peer, child): the peer's bytes are its stdin,
// its stdout goes back, each side's EOF half-closes the other, and nothing it wrote is cut short. mona-nc's own
// stdin and stdout are not used. A client or a single-client server runs one; -k runs one per client.
import type { Endpoint, Listener } from '../core/endpoint.js';
import { childEndpoint } from '../core/child.js';
import type { Outcome } from '../core/outcome.js';
import { relay, type Relay } from '../core/relay.js';
import type { Session } from '../core/session.js';
import { MAX_DATAGRAM } from '../mona/bytes.js';
import { observe } from '../taps/observe.js';
import { firstPeer } from './pipe.js';

export interface ExecSettings {
  /** -e: argv, split as ncat does. */
  exec?: readonly string[] | undefined;
  /** -c: a line for /bin/sh -c. */
  shExec?: string | undefined;
  keepOpen?: boolean | undefined;
  idleTimeout?: number | undefined;
}

/** The connection as the child's environment: ours, and ncat's names so that its --exec programs run unchanged. */
export function connectionEnv(peer: Endpoint): NodeJS.ProcessEnv {
  const facts: Record<string, string> = {
    REMOTE_ADDR: peer.peerAddress?.host ?? '',
    REMOTE_PORT: String(peer.peerAddress?.port ?? ''),
    LOCAL_ADDR: peer.address?.host ?? '',
    LOCAL_PORT: String(peer.address?.port ?? ''),
    PROTO: peer.datagram ? 'UDP' : 'TCP',
  };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(facts)) env[`MONA_NC_${name}`] = env[`NCAT_${name}`] = value;
  return env;
}

/**
 * The peer as the relay's net side, closed with its queue flushed once our FIN is on its way: when the child is over
 * (exited, stdout drained) the relay closes the peer, and what the child wrote must still reach it (nmap PR#2510).
 */
function flushing(peer: Endpoint): Endpoint {
  let finSent = false;
  return {
    get label() { return peer.label; },
    get idleText() { return peer.idleText; },
    get datagram() { return peer.datagram; },
    get lossy() { return peer.lossy; },
    get writable() { return peer.writable; },
    get queued() { return peer.queued; },
    get bytesOut() { return peer.bytesOut; },
    get idleTime() { return peer.idleTime; },
    attach: (events) => peer.attach(events),
    write: (chunk) => peer.write(chunk),
    end() {
      finSent = true;
      peer.end();
    },
    close: (reason, flush) => peer.close(reason, flush || finSent),
    pause: () => peer.pause(),
    resume: () => peer.resume(),
  };
}

/** One peer and its child; `failed` says whether the child (not the peer) was the failure. */
function execRelay(session: Session, peer: Endpoint, s: ExecSettings): { relay: Relay; childFailed: () => boolean } {
  const argv = s.exec ?? ['/bin/sh', '-c', s.shExec ?? ''];
  const name = s.exec ? s.exec.join(' ') : `sh -c ${JSON.stringify(s.shExec ?? '')}`;
  let failed = false;
  const child = observe(childEndpoint(session.log, { argv, name, env: connectionEnv(peer), owner: peer.label, maxChunk: peer.datagram ? MAX_DATAGRAM : undefined }), {
    closed: (failure) => { failed = failure !== undefined; },
  });
  // No linger: the child's output is never cut short; the connection ends when both sides are done.
  const r = relay(session.log, flushing(peer), child, { shutdown: true, idleTimeout: s.idleTimeout });
  return { relay: r, childFailed: () => failed };
}

/** tcp-client, udp connect, and a single-client server's peer: the session is this one connection. */
export function execPeer(session: Session, peer: Endpoint, s: ExecSettings): Promise<Outcome> {
  const { relay: r } = execRelay(session, peer, s);
  session.onSignal((outcome) => r.stop(outcome, true));
  return r.done;
}

/** A server: its first peer (then no other), or with -k every peer, each with its own child. */
export function execServe(session: Session, listener: Listener, s: ExecSettings): Promise<Outcome> {
  if (!s.keepOpen) return firstPeer(session, listener, s.idleTimeout, (peer) => execPeer(session, peer, s));
  const relays = new Set<Relay>();
  let stopping: Outcome | undefined;
  return new Promise((resolve) => {
    listener.take((peer) => {
      const { relay: r, childFailed } = execRelay(session, peer, s);
      relays.add(r);
      void r.done.then((outcome) => {
        relays.delete(r);
        // A connection's failure is its own: one line, and the server goes on (a missing program is an ERROR).
        if (outcome.error) session.log.log(childFailed() ? 'ERROR' : 'WARN', outcome.error);
        if (stopping && relays.size === 0) resolve(stopping);
      });
    });
    session.onSignal((outcome) => {
      stopping = outcome;
      listener.close();
      if (relays.size === 0) return resolve(outcome);
      for (const r of relays) r.stop(outcome, true);
    });
  });
}
