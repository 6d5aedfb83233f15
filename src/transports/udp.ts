// udp: Mona's UDPSocket as endpoints. UDP has no connections: a connected socket is one peer, and each sender of a
// bound socket is a peer of its own (an `accepted` event at its first datagram, `closed` when the session forgets it).
import type { Extra, Logger } from '../log.js';
import { isIPv6 } from 'node:net';
import { formatAddress, mona, type UDPSocket } from '../mona/index.js';
import { describeError } from '../mona/errors.js';
import { SocketAddress, splitHostPort } from '../mona/address.js';
import { handOff, QUEUE_LIMIT, type Endpoint, type EndpointEvents, type Failure, type Listener } from '../core/endpoint.js';
import { track } from '../core/connections.js';
import { accepted, closed, connected, extraOf, listening } from '../core/events.js';
import type { Session } from '../core/session.js';
import { inet, type Address, type TransportOptions } from './contract.js';
import { connectFamily, inFamily, sourceAddress, startOn } from './inet.js';

export async function connect(session: Session, target: Address, options: TransportOptions): Promise<Endpoint> {
  const { host, port } = inet(target);
  const socket = mona.createUDPSocket(options.broadcast);
  // -w bounds what a UDP connect can wait for: the name's resolution.
  await withTimeout(open(socket, host ?? '127.0.0.1', port, options), options.wait, formatAddress(host ?? '127.0.0.1', port), () => socket.close());
  connected(session.log, socket.address, socket.peerAddress);
  const peer = udpPeer(session.log, socket, String(socket.peerAddress), 1, undefined);
  // A connected socket hears only its peer; "port unreachable" (ICMP) is a refusal, other errors are WARNs.
  socket.onPacket = (data) => peer.receive(data);
  socket.onFlush = () => peer.drained();
  socket.onError = (message, code) => {
    if (code === 'ECONNREFUSED') peer.fail({ reason: 'refused', message, code });
    else session.log.log('WARN', message);
  };
  return peer.endpoint;
}

/** Resolve, bind to -s/-p when given (else the system picks, at connect), connect. */
async function open(socket: UDPSocket, host: string, port: number, options: TransportOptions): Promise<void> {
  const family = connectFamily(options);
  const resolved = await inFamily(host, port, family);
  const source = await sourceAddress(options.source, family ?? (isIPv6(resolved) ? 6 : 4));
  if (source !== undefined || options.sourcePort !== undefined) await socket.bindAsync(source ?? (isIPv6(resolved) ? '::' : '0.0.0.0'), options.sourcePort ?? 0);
  await socket.connectAsync(resolved, port);
}

/** `work`, or "Unable to connect to ADDRESS (timed out)" after `ms` (then `abandon` runs). */
function withTimeout(work: Promise<void>, ms: number | undefined, address: string, abandon: () => void): Promise<void> {
  if (!ms) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandon();
      reject(describeError('Unable to connect to', address, { code: 'ETIMEDOUT' }));
    }, Math.min(ms, 2 ** 31 - 1));
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

export async function listen(session: Session, address: Address, options: TransportOptions): Promise<Listener> {
  const { host, port } = inet(address);
  // -6: IPv6 senders only (IPV6_V6ONLY), as for TCP; -4 binds 0.0.0.0, which hears IPv4 only anyway.
  const socket = mona.createUDPSocket(options.broadcast, { ipv6Only: options.family === 6 });
  const local = await startOn(host, options.family, (h) => socket.bindAsync(h, port));
  listening(session.log, local, 'udp');
  return senders(session.log, socket, local.value);
}

interface Peer {
  readonly endpoint: Endpoint;
  receive(data: Buffer): void;
  drained(): void;
  fail(failure: Failure): void;
}

/** A bound socket's senders as peers: one endpoint per address, numbered from 1 in `accepted` events. */
function senders(log: Logger, socket: UDPSocket, label: string): Listener {
  const peers = new Map<string, Peer>();
  const newPeers = handOff();
  const warned = new Set<string>();
  let nextId = 1;
  let only: string | undefined;
  // Datagrams come in runs from one sender: the last one's peer is at hand without a Map lookup.
  let lastAddress: string | undefined;
  let last: Peer | undefined;
  socket.onPacket = (data, address) => {
    if (address !== lastAddress || !last) {
      let peer = peers.get(address);
      if (!peer) {
        if (only !== undefined) {
          if (!warned.has(address)) log.log('WARN', `dropped datagrams from ${address}: the peer is ${only} (use -k to hear everyone)`);
          warned.add(address);
          return;
        }
        const id = nextId++;
        accepted(log, socket.address, address, id);
        peer = udpPeer(log, socket, address, id, () => {
          peers.delete(address);
          if (lastAddress === address) lastAddress = last = undefined;
        });
        peers.set(address, peer);
        newPeers.offer(peer.endpoint);
      }
      lastAddress = address;
      last = peer;
    }
    last.receive(data);
  };
  socket.onFlush = () => { for (const peer of peers.values()) peer.drained(); };
  socket.onError = (message) => log.log('WARN', message);
  return {
    label,
    datagram: true,
    idleText: `datagram on ${label}`,
    take: newPeers.take,
    only(peer) { only = peer.label; },
    close() {
      for (const peer of [...peers.values()]) peer.endpoint.close('local', false);
      socket.close();
    },
  };
}

/**
 * One peer of a UDP socket: its datagrams in, send() to it out. Datagrams that come before attach() wait (a sender's
 * first datagram creates the peer); after that they cannot be paused, so the relay drops what a slow sink cannot take.
 * `forget` is set for a sender of a bound socket (the socket lives on); a connected peer closes its socket.
 */
function udpPeer(log: Logger, socket: UDPSocket, address: string, id: number, forget: (() => void) | undefined): Peer {
  const since = Date.now();
  let on: EndpointEvents | undefined;
  let early: Buffer[] | undefined = [];
  let over = false;
  let lastIO = Date.now();
  let bytesIn = 0;
  let bytesOut = 0;
  const annotators: Array<() => Extra> = [];
  const untrack = track({ id, peer: address, since, bytesIn: () => bytesIn, bytesOut: () => bytesOut });
  const { host, port } = splitHostPort(address);
  const peerAddress = new SocketAddress(host, Number(port));
  const shut = (reason: 'local' | 'timeout' | 'error', failure?: Failure): void => {
    if (over) return;
    over = true;
    untrack();
    closed(log, { peer: address, id, bytesIn, bytesOut, since, reason, extra: extraOf(annotators) });
    if (forget) forget();
    else socket.close();
    on?.closed(failure);
  };
  const endpoint: Endpoint = {
    label: address,
    idleText: forget ? `datagram from ${address}` : `datagram on ${String(socket.address)}`,
    datagram: true,
    lossy: true,
    get address() { return socket.address; },
    peerAddress,
    attach(events) { on = events; },
    write(chunk) {
      if (over) return true;
      const error = forget ? socket.send(chunk, address) : socket.send(chunk);
      if (error) log.log('WARN', error);
      else {
        bytesOut += chunk.length;
        lastIO = Date.now();
      }
      return socket.queueing < QUEUE_LIMIT;
    },
    get writable() { return !over && socket.queueing < QUEUE_LIMIT; },
    end: () => undefined,
    close: (reason) => shut(reason),
    pause: () => undefined,
    resume() {
      const held = early;
      early = undefined;
      for (const data of held ?? []) on?.data(data);
    },
    get queued() { return socket.queueing; },
    get bytesOut() { return bytesOut; },
    get idleTime() { return Date.now() - lastIO; },
    annotate: (fields) => { annotators.push(fields); },
  };
  return {
    endpoint,
    receive(data) {
      if (over) return;
      bytesIn += data.length;
      lastIO = Date.now();
      if (early) early.push(data);
      else on?.data(data);
    },
    drained: () => { if (!over) on?.drain(); },
    fail: (failure) => shut('error', failure),
  };
}
