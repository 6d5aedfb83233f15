// UDPSocket: Mona's datagram socket over dgram, created lazily with the family of the first address it meets.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { familyOf, formatAddress, isNoIPv6, parseAddress, socketAddressOf, unmapHost, type Endpoint, type SocketAddress } from './address.js';
import { MAX_DATAGRAM, toBytes } from './bytes.js';
import { codeOf, describeError, MonaError } from './errors.js';
import { handlerFailed, hasHandler, invoke, unknownHandlers } from './handler.js';
import { observers } from './observe.js';
import { logger } from '../log.js';


export type OnPacket = (this: UDPSocket, data: Buffer, address: string) => unknown;
export type OnUDPError = (this: UDPSocket, message: string, code: string) => unknown;

export interface UDPSocketOptions {
  /** An IPv6 socket ("::" or a port alone) hears IPv6 senders only, not IPv4-mapped ones (default false: dual-stack). */
  ipv6Only?: boolean | undefined;
}

type BindState = 'unbound' | 'binding' | 'bound';
type ConnectState = 'none' | 'connecting' | 'connected';

async function resolve(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const literal = familyOf(host);
  if (literal) return { address: host, family: literal };
  const found = await lookup(host, { verbatim: false });
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
}

export class UDPSocket {
  /** One datagram; `address` is "ip:port", usable as send()'s address. Return value ignored. */
  onPacket?: OnPacket | undefined;
  /** Extension (MonaServer 2): a failure learned later (bind in use, ICMP refusal, send error); WARN if unset. */
  onError?: OnUDPError | undefined;
  /** MonaServer 2: every datagram given to send() has been handed to the system. */
  onFlush?: ((this: UDPSocket) => unknown) | undefined;

  readonly allowBroadcast: boolean;
  readonly #ipv6Only: boolean;
  #socket: dgram.Socket | undefined;
  #family: 4 | 6 = 4;
  #bindState: BindState = 'unbound';
  #connectState: ConnectState = 'none';
  #local: SocketAddress | undefined;
  #peer: SocketAddress | undefined;
  #busy: Array<() => void> | undefined;
  #queueing = 0;
  // close() starts a new generation: operations begun before it must not reopen a socket.
  #generation = 0;
  // Datagrams handed to dgram and not yet sent, per socket: a closed socket waits for them (send then close works).
  readonly #inFlight = new Map<dgram.Socket, number>();

  constructor(allowBroadcast: unknown = false, options: UDPSocketOptions = {}) {
    this.allowBroadcast = Boolean(allowBroadcast);
    this.#ipv6Only = options.ipv6Only ?? false;
  }

  /** Local address; undefined while unbound. */
  get address(): SocketAddress | undefined { return this.#local; }
  /** Peer address; undefined unless connected. */
  get peerAddress(): SocketAddress | undefined { return this.#peer; }
  /** Bytes given to send() and not yet handed to the system. */
  get queueing(): number { return this.#queueing; }

  /** Bind; nothing, or an error message (a failure learned later goes to an ERROR log and onError). */
  bind(address: unknown, port?: unknown): string | undefined {
    return this.#sync('bind', () => this.#bind(address, port));
  }

  /** Connect (auto-binds); nothing, or an error message (a failure learned later goes to an ERROR log and onError). */
  connect(address: unknown, port?: unknown): string | undefined {
    return this.#sync('connect', () => this.#connect(address, port));
  }

  /** bind() as a Promise of the real local address; rejects with a MonaError ("Unable to bind to ... (address in use)"). */
  async bindAsync(address: unknown, port?: unknown): Promise<SocketAddress> {
    return this.#bind(address, port);
  }

  /** connect() as a Promise of the peer address; rejects with a MonaError. */
  async connectAsync(address: unknown, port?: unknown): Promise<SocketAddress> {
    return this.#connect(address, port);
  }

  // Both throw at once for what is known at call time, and return the Promise of what Node learns later.
  #bind(address: unknown, port: unknown): Promise<SocketAddress> {
    const target = parseAddress([address, port], 'listen');
    if (this.#connectState !== 'none') throw new MonaError('Cannot bind a connected socket', 'ERR_SOCKET_DGRAM_IS_CONNECTED');
    if (this.#bindState !== 'unbound') throw new MonaError('Socket already bound', 'ERR_SOCKET_ALREADY_BOUND');
    this.#bindState = 'binding';
    const bind = (socket: dgram.Socket, host: string): Promise<SocketAddress> => new Promise((done, fail) => {
      socket.once('error', fail);
      socket.bind({ port: target.port, address: host, exclusive: true }, () => {
        socket.off('error', fail);
        const local = this.#local as SocketAddress;
        observers.listening?.(local, 'udp');
        done(local);
      });
    });
    return this.#operate(target, 'Unable to bind to', (socket, host) => bind(socket, host).catch((err: unknown) => {
      // A port alone where the system has no IPv6: every interface is 0.0.0.0.
      if (!target.any || !isNoIPv6(codeOf(err))) throw err;
      this.#socket = undefined;
      socket.close();
      return bind(this.#open(4), '0.0.0.0');
    }), () => { this.#bindState = 'unbound'; });
  }

  #connect(address: unknown, port: unknown): Promise<SocketAddress> {
    const target = parseAddress([address, port], 'connect');
    if (this.#connectState !== 'none') throw new MonaError('Socket already connected', 'ERR_SOCKET_DGRAM_IS_CONNECTED');
    this.#connectState = 'connecting';
    return this.#operate(target, 'Unable to connect to', (socket, host) => new Promise((done, fail) => {
      socket.connect(target.port, host, (err?: Error) => {
        if (err) return fail(err);
        const remote = socket.remoteAddress();
        this.#peer = socketAddressOf(remote.address, remote.port);
        this.#connectState = 'connected';
        this.#learnLocal(socket);
        done(this.#peer as SocketAddress);
      });
    }), () => { this.#connectState = 'none'; });
  }

  /**
   * Send one datagram to `address` (any Mona form), or to the connected peer without one. Nothing, or an error
   * message: not connected, connected but given an address, over 65507 bytes, a malformed address.
   */
  send(data: unknown, address?: unknown, port?: unknown): string | undefined {
    const bytes = toBytes(data);
    if (!bytes) return undefined;
    if (bytes.length > MAX_DATAGRAM) return `Datagram of ${bytes.length} bytes is too large (at most ${MAX_DATAGRAM})`;
    let target: Endpoint | undefined;
    if (address !== undefined && address !== null) {
      if (this.#connectState !== 'none') return 'Socket is connected: send() takes no address';
      try {
        target = parseAddress([address, port], 'connect');
      } catch (err) {
        return (err as Error).message;
      }
    } else if (this.#connectState === 'none') {
      return 'Socket not connected: send() needs an address';
    }
    this.#queueing += bytes.length;
    this.#enqueue(() => this.#sendNow(bytes, target));
    return undefined;
  }

  /** Forget the peer; the local binding stays. */
  disconnect(): void {
    this.#enqueue(() => {
      if (this.#connectState === 'connected') this.#socket?.disconnect();
      this.#connectState = 'none';
      this.#peer = undefined;
    });
  }

  /** Close (datagrams already given to send() still go out); the next bind/connect/send opens a new socket. */
  close(): void {
    const socket = this.#socket;
    this.#socket = this.#local = this.#peer = this.#busy = undefined;
    this.#bindState = 'unbound';
    this.#connectState = 'none';
    this.#queueing = 0;
    this.#generation++;
    if (socket && !this.#inFlight.get(socket)) socket.close();
  }

  #sync(method: string, start: () => Promise<SocketAddress>): string | undefined {
    try {
      start().catch((err: MonaError) => {
        logger().log('ERROR', `(method '${method}') `, err.message);
        if (hasHandler(this, 'onError')) invoke(this, 'onError', err.message, err.code);
      });
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  }

  // Run `act` once the socket exists with the family of `target`'s host, after any operation still in progress.
  #operate(target: Endpoint, what: string, act: (socket: dgram.Socket, host: string) => Promise<SocketAddress>, undo: () => void): Promise<SocketAddress> {
    const generation = this.#generation;
    return new Promise((done, fail) => this.#enqueue(() => {
      this.#busy = [];
      resolve(target.host)
        .then(({ address, family }) => {
          if (generation !== this.#generation) throw new MonaError('Socket closed', 'ERR_SOCKET_DGRAM_NOT_RUNNING');
          return act(this.#open(family), this.#hostFor(address));
        })
        .then(done, (err: Error) => {
          undo();
          fail(err instanceof MonaError ? err : describeError(what, formatAddress(target.host, target.port), err));
        })
        .finally(() => this.#settle());
    }));
  }

  #enqueue(op: () => void): void {
    if (this.#busy) this.#busy.push(op);
    else op();
  }

  #settle(): void {
    const ops = this.#busy ?? [];
    this.#busy = undefined;
    // An op may start a new busy phase (a bind then a connect): the rest waits behind it.
    while (ops.length && !this.#busy) ops.shift()?.();
    (this.#busy as Array<() => void> | undefined)?.push(...ops);
  }

  #open(family: 4 | 6): dgram.Socket {
    if (this.#socket) return this.#socket;
    const socket = dgram.createSocket(family === 6 ? { type: 'udp6', ipv6Only: this.#ipv6Only } : { type: 'udp4' });
    this.#socket = socket;
    this.#family = family;
    socket.on('listening', () => {
      this.#bindState = 'bound';
      this.#learnLocal(socket);
      if (this.allowBroadcast) socket.setBroadcast(true);
    });
    // The sender's "ip:port" is formatted once per sender change, not once per datagram.
    let lastHost = '';
    let lastPort = -1;
    let lastAddress = '';
    socket.on('message', (data, info) => {
      if (socket !== this.#socket) return;
      const handler = this.onPacket;
      if (typeof handler !== 'function') return unknownHandlers(this, 'UDPSocket', ['onPacket', 'onError', 'onFlush']);
      if (info.port !== lastPort || info.address !== lastHost) {
        lastHost = info.address;
        lastPort = info.port;
        lastAddress = formatAddress(unmapHost(info.address), info.port);
      }
      try {
        handler.call(this, data, lastAddress);
      } catch (err) {
        handlerFailed('onPacket', err);
      }
    });
    socket.on('error', (err) => {
      if (socket !== this.#socket || this.#bindState === 'binding') return;
      this.#failed(describeError('Unable to reach', this.#peer?.value ?? 'peer', err));
    });
    return socket;
  }

  #learnLocal(socket: dgram.Socket): void {
    try {
      const info = socket.address();
      this.#local = socketAddressOf(info.address, info.port);
    } catch { /* not bound yet */ }
  }

  // An IPv4 host reached from an IPv6 (dual-stack) socket is written as its IPv4-mapped form.
  #hostFor(host: string): string {
    return this.#socket && this.#family === 6 && familyOf(host) === 4 ? `::ffff:${host}` : host;
  }

  #sendNow(bytes: Buffer, target: Endpoint | undefined): void {
    let socket: dgram.Socket | undefined;
    const done = (err: Error | null): void => {
      if (socket) {
        const left = (this.#inFlight.get(socket) ?? 1) - 1;
        if (left > 0) this.#inFlight.set(socket, left);
        else this.#inFlight.delete(socket);
        if (socket !== this.#socket) {
          if (left === 0) socket.close();
          return;
        }
      }
      this.#queueing = Math.max(0, this.#queueing - bytes.length);
      if (err) this.#failed(describeError('Unable to send to', target ? formatAddress(target.host, target.port) : this.#peer?.value ?? 'peer', err));
      if (this.#queueing === 0) invoke(this, 'onFlush');
    };
    try {
      if (!target && !this.#socket) throw new MonaError('Socket closed', 'ERR_SOCKET_DGRAM_NOT_RUNNING');
      socket = target ? this.#open(familyOf(target.host) || this.#family) : this.#socket as dgram.Socket;
      this.#inFlight.set(socket, (this.#inFlight.get(socket) ?? 0) + 1);
      if (target) socket.send(bytes, target.port, this.#hostFor(target.host), done);
      else socket.send(bytes, done);
    } catch (err) {
      done(err as Error);
    }
  }

  #failed(err: MonaError): void {
    if (hasHandler(this, 'onError')) invoke(this, 'onError', err.message, err.code);
    else logger().log('WARN', 'UDPSocket, ', err.message);
  }
}
