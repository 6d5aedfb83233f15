// tcp: connect and listen with Mona's TCPClient and TCPServer, and a TCPClient as an endpoint (send() is the write,
// onData the data, onEnd the peer's FIN, onFlush the drain, onDisconnection the close). The tls and unix rows use the
// same functions with TLS options or a path: a TLS or Unix connection is still a TCPClient.
import type { Extra, Logger } from '../log.js';
import { mona, UnixAddress, type TCPClient, type TCPServer, type TLSClientOptions, type TLSInfo, type TLSServerOptions } from '../mona/index.js';
import { closeReasonOf, reasonOf } from '../mona/errors.js';
import { handOff, QUEUE_LIMIT, type CloseReason, type Endpoint, type EndpointEvents, type Listener } from '../core/endpoint.js';
import { track } from '../core/connections.js';
import { accepted, closed, connected, eof, extraOf, listening } from '../core/events.js';
import type { Session } from '../core/session.js';
import { inet, type Address, type Transport, type TransportOptions } from './contract.js';
import { connectFamily, sourceAddress, startOn } from './inet.js';

export async function connect(session: Session, target: Address, options: TransportOptions): Promise<Endpoint> {
  return clientEndpoint(session.log, await dial(session, target, options), 1);
}

export async function listen(session: Session, address: Address, options: TransportOptions): Promise<Listener> {
  return serve(session, address, options, 'tcp');
}

/** A connected TCPClient (directly, or through --proxy), paused, its `connected` event written. */
export async function dial(session: Session, target: Address, options: TransportOptions, tls?: TLSClientOptions): Promise<TCPClient> {
  let client: TCPClient;
  if (options.proxy !== undefined && target.kind === 'inet') {
    client = await (await import('./proxy.js')).throughProxy(session, inet(target), options, tls);
  } else {
    const family = connectFamily(options);
    // -s/-p: the source address, resolved in the family of the connection (an IP of this machine, or an error).
    const localAddress = target.kind === 'unix' ? undefined : await sourceAddress(options.source, family);
    client = mona.createTCPClient({ family, connectTimeout: options.wait, keepAlive: options.keepAlive, tls, localAddress, localPort: options.sourcePort });
    await (target.kind === 'unix' ? client.connectAsync(new UnixAddress(target.path)) : client.connectAsync(target.host, target.port));
  }
  // Paused until the relay attaches: nothing is read before someone listens.
  client.pause();
  connected(session.log, client.address, client.peerAddress);
  if (client.tls) secured(session.log, client.tls, `with ${String(client.peerAddress)}`);
  return client;
}

/** Listen on an IP address or a Unix path (TLS with `tls`); the `listening` event names the row. */
export async function serve(session: Session, address: Address, options: TransportOptions, name: Exclude<Transport['name'], 'udp'>, tls?: TLSServerOptions): Promise<Listener> {
  const server = mona.createTCPServer({ ipv6Only: options.family === 6, client: { keepAlive: options.keepAlive }, tls });
  const local = address.kind === 'unix'
    ? await server.startAsync(new UnixAddress(address.path))
    : await startOn(address.host, options.family, (h) => server.startAsync(h, address.port));
  listening(session.log, local, name);
  return serverListener(session.log, server, local.value);
}

/** -v: what a TLS connection negotiated, one INFO line. */
function secured(log: Logger, info: TLSInfo, who: string): void {
  if (!log.enabled('INFO')) return;
  const peer = info.subject ? `certificate ${info.subject}, SHA-256 ${info.fingerprint ?? 'unknown'}` : 'no certificate';
  log.log('INFO', `TLS ${who}: ${info.protocol} ${info.cipher}, ${peer}, ALPN ${info.alpn ?? 'none'}${info.authorized ? ', verified' : ''}`);
}

/** A TCPServer's clients as peers, numbered from 1 in `accepted` events. */
function serverListener(log: Logger, server: TCPServer, label: string): Listener {
  let nextId = 1;
  const peers = handOff();
  server.onConnection = (client) => {
    client.pause();
    const id = nextId++;
    accepted(log, client.address, client.peerAddress, id);
    if (client.tls) secured(log, client.tls, `with #${id}`);
    peers.offer(clientEndpoint(log, client, id));
  };
  return {
    label,
    datagram: false,
    idleText: `client on ${label}`,
    take: peers.take,
    only() {
      // Clients still in the backlog are closed; the kernel refuses the later ones.
      server.onConnection = (extra) => extra.close();
      server.stop();
    },
    close: () => server.stop(),
  };
}

/** A connected TCPClient as an endpoint; its `eof` and `closed` events are written here. */
export function clientEndpoint(log: Logger, client: TCPClient, id: number): Endpoint {
  const peer = client.peerAddress;
  const label = String(peer);
  const since = Date.now();
  let on: EndpointEvents | undefined;
  let localReason: CloseReason | 'reset' | undefined;
  let finSent = false;
  const annotators: Array<() => Extra> = [];
  const untrack = track({ id, peer: label, since, bytesIn: () => client.bytesIn, bytesOut: () => client.bytesOut });
  client.onData = (data) => {
    on?.data(data);
    return 0;
  };
  client.onEnd = () => {
    eof(log, peer, 'in');
    on?.end();
  };
  client.onFlush = () => on?.drain();
  client.onDisconnection = function (_peer, error) {
    const code = this.errorCode;
    untrack();
    closed(log, { peer, id, bytesIn: this.bytesIn, bytesOut: this.bytesOut, since, reason: localReason ?? closeReasonOf(code), extra: extraOf(annotators) });
    on?.closed(error && !localReason ? { reason: reasonOf({ code }, 'reset'), message: error, code } : undefined);
  };
  const flushThenClose = (): void => {
    client.disconnect();
    if (client.queueing === 0) client.close();
    else client.onFlush = () => client.close();
  };
  return {
    label,
    idleText: `traffic with ${label}`,
    datagram: false,
    lossy: false,
    get address() { return client.address; },
    get peerAddress() { return client.peerAddress; },
    attach(events) { on = events; },
    write(chunk) {
      client.send(chunk);
      return client.queueing < QUEUE_LIMIT;
    },
    get writable() { return client.connected && !finSent && client.queueing < QUEUE_LIMIT; },
    end() {
      if (finSent) return;
      finSent = true;
      client.disconnect();
      eof(log, peer, 'out');
    },
    close(reason, flush) {
      localReason ??= reason;
      if (flush) flushThenClose();
      else client.close();
    },
    pause: () => client.pause(),
    resume: () => client.resume(),
    get queued() { return client.queueing; },
    get bytesOut() { return client.bytesOut; },
    get idleTime() { return client.idleTime; },
    annotate: (fields) => { annotators.push(fields); },
    abort() {
      localReason ??= 'reset';
      client.reset();
    },
  };
}
