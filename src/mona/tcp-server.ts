// TCPServer: Mona's listener over net.Server; each accepted connection becomes a TCPClient given to onConnection.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { formatAddress, parseStreamAddress, socketAddressOf, type Endpoint, type SocketAddress } from './address.js';
import { codeOf, describeError, MonaError } from './errors.js';
import { hasHandler, invoke, unknownHandlers } from './handler.js';
import { observers } from './observe.js';
import { adoptSocket, type TCPClient, type TCPClientOptions } from './tcp-client.js';
import { tlsModule, type TLSServerOptions } from './tls.js';
import { clearStale, forget, removeOnExit } from './unix.js';
import { logger } from '../log.js';

export interface TCPServerOptions {
  /** Options of the accepted clients (rest cap, onData return convention). */
  client?: TCPClientOptions | undefined;
  /** Listen backlog; large by default so a connect storm is not left to SYN retries (kernel caps it at somaxconn). */
  backlog?: number | undefined;
  /** For "::" and a port alone: accept IPv6 clients only, not IPv4-mapped ones (default false: dual-stack). */
  ipv6Only?: boolean | undefined;
  /**
   * Extension: TLS; Node's tls.createServer options (`cert` and `key` at least; `requestCert` with `ca` for client
   * certificates). Clients reach onConnection once their handshake is done; a failed handshake is a WARN.
   */
  tls?: TLSServerOptions | undefined;
}

/** File descriptors a listener leaves to the rest of the process (stdio, logs, DNS, a script's own sockets). */
export const FD_RESERVE = 32;
/** Clients refused for lack of file descriptors are counted over this window, then reported in one line. */
const BURST_MS = 1000;

/** The soft limit on open files (`ulimit -n`) and how many are open now; undefined where /proc does not say. */
function descriptors(): { limit: number; open: number } | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'latin1'));
    return m ? { limit: Number(m[1]), open: readdirSync('/proc/self/fd').length } : undefined;
  } catch {
    return undefined;
  }
}

export type OnConnection = (this: TCPServer, client: TCPClient) => unknown;
export type OnServerError = (this: TCPServer, message: string) => unknown;

export class TCPServer {
  /** A client connected; set its handlers here (none of its events fire before this returns). */
  onConnection?: OnConnection | undefined;
  /** MonaServer 2 / extension: a failure learned after start() returned (address in use, accept errors). */
  onError?: OnServerError | undefined;

  #server: net.Server | undefined;
  #target: Endpoint | undefined;
  #address: SocketAddress | undefined;
  readonly #options: TCPServerOptions;
  // Clients refused for lack of file descriptors since the burst began, and the timer that reports them.
  #refused = 0;
  #burst: NodeJS.Timeout | undefined;

  constructor(options: TCPServerOptions = {}) {
    this.#options = options;
  }

  get running(): boolean { return this.#address !== undefined; }
  /** The actual listen address (the real port when 0 was asked); undefined when stopped. */
  get address(): SocketAddress | undefined { return this.#address; }

  /**
   * Start listening; false with an ERROR for a bad address. A failure Node only learns later (address in use)
   * logs an ERROR, calls onError and leaves `running` false. Same address while running: nothing to do.
   */
  start(address: unknown, port?: unknown): boolean {
    let target: Endpoint;
    try {
      target = parseStreamAddress([address, port], 'listen');
    } catch (err) {
      logger().log('ERROR', "(method 'start') ", err);
      return false;
    }
    this.#listen(target).catch((err: MonaError) => {
      logger().log('ERROR', "(method 'start') ", err.message);
      invoke(this, 'onError', err.message);
    });
    return true;
  }

  /** start() as a Promise of the real address; rejects with a MonaError ("Unable to listen on ... (address in use)"). */
  async startAsync(address: unknown, port?: unknown): Promise<SocketAddress> {
    return this.#listen(parseStreamAddress([address, port], 'listen'));
  }

  /** Close the listener; accepted clients live on. */
  stop(): void {
    this.#reportRefused();
    const server = this.#server;
    if (this.#target?.unix) forget(this.#target.unix);
    this.#server = this.#target = this.#address = undefined;
    server?.close();
  }

  #listen(target: Endpoint): Promise<SocketAddress> {
    if (this.#server && this.#target?.host === target.host && this.#target.port === target.port) {
      const current = this.#address;
      if (current) return Promise.resolve(current);
    }
    this.stop();
    const tls = this.#options.tls;
    const server = tls ? tlsModule().createServer({ ...tls, allowHalfOpen: true, pauseOnConnect: false }) : net.createServer({ allowHalfOpen: true, pauseOnConnect: false });
    this.#server = server;
    this.#target = target;
    server.on(tls ? 'secureConnection' : 'connection', (socket: net.Socket) => this.#accept(socket));
    if (tls) server.on('tlsClientError', (err, socket) => this.#handshakeFailed(err, socket));
    const unix = target.unix;
    return (unix ? clearStale(unix) : Promise.resolve()).then(() => new Promise((resolve, reject) => {
      const failed = (err: Error): void => {
        if (this.#server === server) this.#server = this.#target = undefined;
        server.close();
        reject(describeError('Unable to listen on', unix ? unix.value : formatAddress(target.host, target.port), err));
      };
      server.once('error', failed);
      // No host: Node listens on "::" (dual-stack) and falls back to 0.0.0.0 where IPv6 is missing; it ignores
      // ipv6Only then, so IPv6-only names "::". A Unix socket is a path.
      const ipv6Only = this.#options.ipv6Only ?? false;
      const where = unix ? { path: unix.path } : target.any && !ipv6Only ? { port: target.port } : { host: target.host, port: target.port, ipv6Only };
      server.listen({ ...where, backlog: this.#options.backlog ?? 4096 }, () => {
        server.off('error', failed);
        server.on('error', (err) => (isOutOfFds(err) ? this.#refuse() : this.#failed(err)));
        server.on('drop', () => this.#refuse());
        capConnections(server);
        if (this.#server !== server) return reject(new MonaError('Server stopped while starting', 'ERR_SERVER_STOPPED'));
        const info = server.address() as net.AddressInfo;
        const address = unix ?? socketAddressOf(info.address, info.port) as SocketAddress;
        if (unix) removeOnExit(unix);
        this.#address = address;
        observers.listening?.(address, unix ? 'unix' : tls ? 'tls' : 'tcp');
        resolve(address);
      });
    }), (err: unknown) => {
      if (err instanceof MonaError) throw err;
      // clearStale() found a live socket or a file in the way.
      if (this.#server === server) this.#server = this.#target = undefined;
      throw describeError('Unable to listen on', unix?.value ?? '', err);
    });
  }

  // A client whose handshake failed never reaches onConnection; the server goes on.
  #handshakeFailed(err: Error, socket: net.Socket): void {
    const peer = socketAddressOf(socket.remoteAddress, socket.remotePort)?.value ?? this.#address?.value ?? 'a client';
    logger().log('WARN', describeError('TLS handshake failed with', peer, err).message);
  }

  #accept(socket: net.Socket): void {
    if (!hasHandler(this, 'onConnection')) {
      socket.destroy();
      unknownHandlers(this, 'TCPServer', ['onConnection', 'onError']);
      return;
    }
    const client = adoptSocket(socket, this.#options.client, this.#target?.unix);
    try {
      this.onConnection?.call(this, client);
    } catch (err) {
      // The client's state is unknown after a failed onConnection: close it, the server goes on.
      logger().log('ERROR', 'onConnection failed: ', err);
      client.close();
    }
  }

  /** A client refused for lack of file descriptors: counted, reported once per burst. */
  #refuse(): void {
    this.#refused++;
    this.#burst ??= setTimeout(() => this.#reportRefused(), BURST_MS).unref();
  }

  #reportRefused(): void {
    clearTimeout(this.#burst);
    this.#burst = undefined;
    const count = this.#refused;
    if (count === 0) return;
    this.#refused = 0;
    const limit = descriptors()?.limit;
    const clients = count === 1 ? '1 client' : `${count} clients`;
    this.#report(`Server on ${this.#address?.value ?? 'unknown address'} refused ${clients}: too many open files${limit ? ` (limit ${limit}: ulimit -n)` : ''}`);
  }

  #failed(err: Error): void {
    this.#report(describeError('Server on', this.#address?.value ?? 'unknown address', err).message);
  }

  #report(message: string): void {
    if (hasHandler(this, 'onError')) invoke(this, 'onError', message);
    else logger().log('WARN', 'TCPServer, ', message);
  }
}

const isOutOfFds = (err: Error): boolean => codeOf(err) === 'EMFILE' || codeOf(err) === 'ENFILE';

/**
 * Out of file descriptors, libuv accepts and closes waiting clients without telling Node, so nobody would know. So
 * a listener accepts at most the descriptors left at its start minus FD_RESERVE at once: Node closes the clients
 * over that cap itself and says so ('drop'), while the process keeps descriptors for everything else.
 */
function capConnections(server: net.Server): void {
  const fds = descriptors();
  if (fds) server.maxConnections = Math.max(1, fds.limit - fds.open - FD_RESERVE);
}
