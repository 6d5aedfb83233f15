// -k: many peers at once as one endpoint (a hub), relay(hub, stdio): stdin goes to every peer (as ncat does), every
// peer to stdout. A peer's FIN is answered with ours once its queue is out; -i closes an idle peer, not the server.
import type { Logger } from '../log.js';
import { hubOf, type Endpoint, type EndpointEvents, type Listener } from '../core/endpoint.js';
import type { Outcome } from '../core/outcome.js';
import { relay } from '../core/relay.js';
import type { Session } from '../core/session.js';
import { localEndpoint, oneWayRules, type LocalSettings } from '../core/local.js';
import { watchIdle } from '../core/timers.js';

export interface FanOutSettings extends LocalSettings {
  quitAfter?: number | undefined;
  idleTimeout?: number | undefined;
  quitFails?: boolean | undefined;
  /** One peer at a time: the next is taken once the current one is gone (as OpenBSD nc -k). */
  serial?: boolean | undefined;
}

export function fanOut(session: Session, listener: Listener, s: FanOutSettings): Promise<Outcome> {
  const peers = hub(session.log, listener, s.idleTimeout, s.serial === true);
  const local = localEndpoint(session.stdio, listener.datagram, s);
  const r = relay(session.log, peers, local, { ...oneWayRules(s, listener.datagram), quitAfter: s.quitAfter, quitFails: s.quitFails });
  session.onSignal((outcome) => r.stop(outcome, true));
  return r.done;
}

/**
 * A listener's peers as one endpoint: a write goes to every peer, any peer's data is its data. It is writable while
 * it has a peer and none is over its queue mark, so the slowest peer paces stdin and nothing is dropped; with no peer,
 * stdin is not read. It never ends by itself; closed, it closes every peer and is over when the last one is.
 */
export function hub(log: Logger, listener: Listener, idleTimeout: number | undefined, serial = false): Endpoint {
  const peers = new Set<Endpoint>();
  // Serial: the peers that came while one is served wait their turn (paused: nothing is read from them).
  const waiting: Endpoint[] = [];
  const full = new Set<Endpoint>();
  let on: EndpointEvents | undefined;
  let paused = false;
  let ended = false;
  let closing = false;
  let over = false;
  const writable = (): boolean => !closing && peers.size > 0 && full.size === 0;
  const finish = (): void => {
    if (over || !closing || peers.size > 0) return;
    over = true;
    on?.closed();
  };

  const add = (peer: Endpoint): void => {
    peers.add(peer);
    const cancelIdle = watchIdle(() => peer.idleTime, idleTimeout, () => peer.close('timeout', false));
    peer.attach({
      data: (chunk) => on?.data(chunk),
      // The peer's FIN: ours follows once what is queued for it is out (as MonaServer closes on the peer's close).
      end: () => peer.end(),
      drain() {
        full.delete(peer);
        if (writable()) on?.drain();
      },
      closed(failure) {
        cancelIdle();
        peers.delete(peer);
        full.delete(peer);
        // A failing peer is a WARN, never the server's failure.
        if (failure) log.log('WARN', failure.message);
        // The next in line, unless it left while it waited (closed unheard: not writable with nothing queued).
        let nextPeer = closing ? undefined : waiting.shift();
        while (nextPeer && !nextPeer.writable) nextPeer = waiting.shift();
        if (nextPeer) add(nextPeer);
        if (closing) finish();
        else if (writable()) on?.drain();
      },
    });
    if (!paused) peer.resume();
    if (ended) peer.end();
    if (writable()) on?.drain();
  };

  return {
    ...hubOf(listener),
    attach(events) {
      on = events;
      listener.take((peer) => {
        if (closing) peer.close('local', false);
        else if (serial && peers.size > 0) waiting.push(peer);
        else add(peer);
      });
    },
    write(chunk) {
      for (const peer of peers) if (!peer.write(chunk)) full.add(peer);
      return full.size === 0;
    },
    get writable() { return writable(); },
    end() {
      ended = true;
      for (const peer of peers) peer.end();
    },
    close(reason, flush) {
      if (closing) return;
      closing = true;
      listener.close();
      for (const peer of waiting.splice(0)) peer.close(reason, false);
      for (const peer of [...peers]) peer.close(reason, flush);
      finish();
    },
    pause() {
      paused = true;
      for (const peer of peers) peer.pause();
    },
    resume() {
      paused = false;
      for (const peer of peers) peer.resume();
    },
    get queued() {
      let most = 0;
      for (const peer of peers) most = Math.max(most, peer.queued);
      return most;
    },
    get bytesOut() {
      let sum = 0;
      for (const peer of peers) sum += peer.bytesOut;
      return sum;
    },
    idleTime: 0,
  };
}
