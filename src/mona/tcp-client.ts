// TCPClient: Mona's non-blocking TCP socket over net.Socket: the rest rule, one onDisconnection per connection.
import net from 'node:net';
import { formatAddress, parseStreamAddress, SocketAddress, socketAddressOf, UnixAddress, type Endpoint } from './address.js';
import { toBytes } from './bytes.js';
import { describeError, MonaError } from './errors.js';
import { handlerFailed, hasHandler, invoke, unknownHandlers } from './handler.js';
import { settleRest, type OnDataReturn, type RestHooks } from './rest.js';
import { churn } from './reclaim.js';
import { connectTLS, tlsInfo, type TLSClientOptions, type TLSInfo } from './tls.js';
import { logger } from '../log.js';

export const DEFAULT_REST_CAP = 16 * 1024 * 1024;

const EMPTY = Buffer.alloc(0);

/** setTimeout's largest delay. */
const MAX_TIMER = 2 ** 31 - 1;

export interface TCPClientOptions {
  /** Bytes onData may keep as its rest before the connection is closed with an error (default 16 MiB). */
  restCap?: number | undefined;
  /** How onData's return value reads (default 'rest', the documented rule). */
  onDataReturn?: OnDataReturn | undefined;
  /** Milliseconds a connect() may take before it fails with "timed out" (default: the system's). */
  connectTimeout?: number | undefined;
  /** Restrict name resolution to IPv4 or IPv6. */
  family?: 4 | 6 | undefined;
  /** Extension: connect from this local IP address and/or port (nc's -s and -p); a failure to bind ends the connect. */
  localAddress?: string | undefined;
  localPort?: number | undefined;
  /**
   * Flow control: past this many bytes queued by send(), the socket stops being read until the queue has drained
   * (a peer that does not read its answers stops being heard). Default: none.
   */
  sendHighWater?: number | undefined;
  /** A send() that would queue more than this closes the connection with an ERROR (`error` says why). Default: none. */
  sendCap?: number | undefined;
  /** SO_KEEPALIVE: the system probes an idle connection. Default: off. */
  keepAlive?: boolean | undefined;
  /**
   * TLS on connect(): true verifies the server's chain and host name against the system's CAs; or Node's
   * tls.connect options (`ca`, `servername`, `ALPNProtocols`, `cert`/`key`, `rejectUnauthorized`) plus `fingerprint`.
   */
  tls?: boolean | TLSClientOptions | undefined;
}

// How long a connection given up by connect()-after-disconnect() may wait for the peer's FIN once ours is out.
const RELEASED_LINGER_MS = 5000;

export type OnData = (this: TCPClient, data: Buffer) => unknown;
export type OnDisconnection = (this: TCPClient, peerAddress: string | undefined, error: string | undefined) => unknown;
export type OnEvent = (this: TCPClient) => unknown;

type State = 'idle' | 'connecting' | 'connected';

const EVENTS = ['onData', 'onDisconnection', 'onFlush', 'onEnd'] as const;

let adopt: (client: TCPClient, socket: net.Socket, peer: SocketAddress | undefined) => void;

export class TCPClient {
  /** Data arrived: `data` is the kept rest followed by the new bytes; return the rest to keep (spec section 4). */
  onData?: OnData | undefined;
  /** The connection is over (failed connects included), once; `error` only on error. */
  onDisconnection?: OnDisconnection | undefined;
  /** MonaServer 2: everything send() queued has been handed to the system. */
  onFlush?: OnEvent | undefined;
  /** Extension: the peer half-closed (FIN). Without this handler, our side closes too, as MonaServer does. */
  onEnd?: OnEvent | undefined;

  #socket: net.Socket | undefined;
  #state: State = 'idle';
  #peer: SocketAddress | undefined;
  #local: SocketAddress | undefined;
  #rest: Buffer | undefined;
  #error: MonaError | undefined;
  #lastIO = Date.now();
  #bytesIn = 0;
  #bytesOut = 0;
  #flushWanted = false;
  // Lengths of the writes whose callbacks are still due (they come in order), and the one callback of this socket:
  // no closure per send(), and Node batches the after-write ticks of a shared callback.
  #writeLengths: number[] = [];
  // onData is running: send() takes its clock reading (read when the data came) instead of reading it again.
  #inHandler = false;
  #written: (err?: Error | null) => void = () => undefined;
  #peerEnded = false;
  // Reading is paused by the user (pause()) and/or by flow control (the send queue is past sendHighWater).
  #userPaused = false;
  #flowPaused = false;
  #connectTimer: NodeJS.Timeout | undefined;
  #pending: { resolve: () => void; reject: (err: MonaError) => void } | undefined;
  readonly #options: TCPClientOptions;
  readonly #restCap: number;
  readonly #onDataReturn: OnDataReturn;

  static {
    adopt = (client, socket, peer) => {
      client.#attach(socket, true);
      if (peer) client.#peer = peer;
      if (peer instanceof UnixAddress) client.#local ??= peer;
    };
  }

  constructor(options: TCPClientOptions = {}) {
    this.#options = options;
    this.#restCap = options.restCap ?? DEFAULT_REST_CAP;
    this.#onDataReturn = options.onDataReturn ?? 'rest';
  }

  /** True from a successful connect() (before the handshake) or accept, until the connection is over. */
  get connected(): boolean { return this.#state !== 'idle'; }
  /** Local address, undefined until established. */
  get address(): SocketAddress | undefined { return this.#local; }
  get peerAddress(): SocketAddress | undefined { return this.#peer; }
  /** Milliseconds since the last byte sent or received (or since creation). */
  get idleTime(): number { return Date.now() - this.#lastIO; }
  /** The last disconnection error, undefined after a clean close; cleared by connect(). */
  get error(): string | undefined { return this.#error?.message; }
  /** Extension: the code of `error` (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, ...). */
  get errorCode(): string | undefined { return this.#error?.code; }
  /** MonaServer 2: bytes queued by send() and not yet handed to the system. */
  get queueing(): number { return this.#socket?.writableLength ?? 0; }
  /** Extension: bytes received and bytes written on the current (or last) connection. */
  get bytesIn(): number { return this.#bytesIn; }
  get bytesOut(): number { return this.#bytesOut; }
  /** Extension: the peer has half-closed (its FIN arrived). */
  get peerEnded(): boolean { return this.#peerEnded; }
  /** Extension: what a TLS connection negotiated (protocol, cipher, the peer certificate); undefined for plain TCP. */
  get tls(): TLSInfo | undefined { return tlsInfo(this.#socket); }

  /**
   * Start connecting; true if started (a refusal comes later through onDisconnection), false with an ERROR if not.
   * After disconnect(), while that connection still closes, a new one starts (as MonaServer 1): the old one's
   * onDisconnection runs first, in this call, and what it had queued still goes out before its FIN.
   */
  connect(host: unknown, port?: unknown): boolean {
    try {
      this.#connect(parseStreamAddress([host, port], 'connect'));
      return true;
    } catch (err) {
      logger().log('ERROR', "(method 'connect') ", err);
      if (this.#state === 'idle') this.#error = err instanceof MonaError ? err : new MonaError(String(err), 'ERR_INVALID_ADDRESS');
      return false;
    }
  }

  /** connect() as a Promise: resolves once connected, rejects with a MonaError ("Unable to connect to ..."). */
  connectAsync(host: unknown, port?: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#connect(parseStreamAddress([host, port], 'connect'));
      this.#pending = { resolve, reject };
    });
  }

  /** Queue data (Buffer, string as UTF-8, number as text); an error string if not connected. Never blocks. */
  send(data: unknown): string | undefined {
    const socket = this.#socket;
    if (!socket || socket.destroyed) return 'Socket not connected';
    if (socket.writableEnded) return 'Socket shut down for writing';
    const bytes = toBytes(data);
    if (!bytes?.length) return undefined;
    const cap = this.#options.sendCap;
    if (cap !== undefined && socket.writableLength + bytes.length > cap) return this.#overflow(socket, cap);
    // Inside onData the time was just read: an echo reads the clock once a round trip, not twice.
    if (!this.#inHandler) this.#lastIO = Date.now();
    const lengths = this.#writeLengths;
    if (lengths.length === 0) {
      // Nothing of ours in flight: most writes are done before write() returns (the kernel took them), and need no
      // callback at all. One that went on waiting gets a zero-length write behind it, whose callback (writes complete
      // in order) says when it is done.
      socket.write(bytes);
      if (socket.writableLength === 0) {
        this.#bytesOut += bytes.length;
        return this.#paced(socket);
      }
      lengths.push(bytes.length);
      socket.write(EMPTY, this.#written);
    } else {
      lengths.push(bytes.length);
      socket.write(bytes, this.#written);
    }
    this.#flushWanted = true;
    return this.#paced(socket);
  }

  // Past sendHighWater queued, stop reading until it drains (a script echo whose client does not read).
  #paced(socket: net.Socket): undefined {
    const high = this.#options.sendHighWater;
    if (high !== undefined && !this.#flowPaused && socket.writableLength > high) {
      this.#flowPaused = true;
      this.#applyPause();
    }
    return undefined;
  }

  // The peer does not read what we send: past the cap the connection closes, memory stays bounded.
  #overflow(socket: net.Socket, cap: number): string {
    const err = new MonaError(`send queue over its ${cap}-byte cap (the peer does not read)`, 'ERR_SEND_OVERFLOW', this.#peer?.value);
    logger().log('ERROR', err.message, ` (${this.#peer?.value ?? 'unknown peer'})`);
    socket.destroy(err);
    return err.message;
  }

  /** Flush what is queued, then half-close (FIN); onDisconnection follows when the peer has closed too. */
  disconnect(): void {
    if (this.#socket && !this.#socket.writableEnded) this.#socket.end();
  }

  /** Extension: close at once, dropping anything still queued; onDisconnection follows. */
  close(): void {
    this.#socket?.destroy();
  }

  /** Extension: abort with a TCP reset (RST), dropping anything still queued; onDisconnection follows. */
  reset(): void {
    const socket = this.#socket;
    if (!socket || socket.destroyed) return;
    if (socket.connecting) socket.destroy();
    else socket.resetAndDestroy();
  }

  /** Extension: stop reading (the system's buffers then push back on the peer), and start again. */
  pause(): void {
    this.#userPaused = true;
    this.#applyPause();
  }

  resume(): void {
    this.#userPaused = false;
    this.#applyPause();
  }

  #applyPause(): void {
    if (this.#userPaused || this.#flowPaused) this.#socket?.pause();
    else this.#socket?.resume();
  }

  #connect(target: Endpoint): void {
    if (this.#state !== 'idle' && this.#socket?.writableEnded) this.#release(this.#socket);
    if (this.#state !== 'idle') throw new MonaError('Socket is already connected', 'ERR_ALREADY_CONNECTED');
    const { connectTimeout } = this.#options;
    this.#peer = target.unix ?? new SocketAddress(target.host, target.port);
    const socket = dial(target, this.#options);
    this.#attach(socket, false);
    // Past setTimeout's limit (~24.8 days) a timer fires at once: such a timeout is no timeout at all.
    if (connectTimeout && connectTimeout > 0 && connectTimeout <= MAX_TIMER) {
      this.#connectTimer = setTimeout(() => {
        socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
      }, connectTimeout);
    }
  }

  /**
   * disconnect() then connect(): the connection being closed is the script's no more. It still sends what was
   * queued and its FIN; what it receives is dropped; it is cut if the peer does not close soon after.
   */
  #release(socket: net.Socket): void {
    const peer = this.#peer?.value;
    clearTimeout(this.#connectTimer);
    this.#socket = undefined;
    this.#state = 'idle';
    this.#rest = this.#local = this.#peer = undefined;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(new MonaError(`Unable to connect to ${peer ?? 'unknown peer'} (disconnected)`, 'ECONNABORTED', peer));
    // Its bytes go nowhere from now on (read and dropped), whatever this client does next.
    socket.removeAllListeners('data');
    socket.resume();
    socket.once('end', () => socket.destroy());
    const finished = (): void => {
      socket.unref();
      setTimeout(() => socket.destroy(), RELEASED_LINGER_MS).unref();
    };
    if (socket.writableFinished) finished();
    else socket.once('finish', finished);
    invoke(this, 'onDisconnection', peer, this.#error?.message);
  }

  #attach(socket: net.Socket, accepted: boolean): void {
    this.#socket = socket;
    if (this.#options.keepAlive) socket.setKeepAlive(true);
    this.#state = accepted ? 'connected' : 'connecting';
    this.#error = undefined;
    this.#rest = undefined;
    this.#bytesIn = this.#bytesOut = 0;
    this.#peerEnded = this.#flushWanted = this.#flowPaused = false;
    const lengths: number[] = [];
    this.#writeLengths = lengths;
    this.#written = (err) => {
      const length = lengths.shift() ?? 0;
      // A connection given up by connect()-after-disconnect() no longer counts for this client.
      if (this.#socket && socket !== this.#socket) return;
      // Bytes the system took are traffic: a slow but steady reader is not idle (-i).
      if (!err) {
        this.#bytesOut += length;
        this.#lastIO = Date.now();
      }
      if (this.#flushWanted && socket === this.#socket && socket.writableLength === 0 && !socket.destroyed) {
        this.#flushWanted = false;
        invoke(this, 'onFlush');
      }
    };
    this.#lastIO = Date.now();
    if (accepted) this.#learnAddresses(socket);
    else socket.once('encrypted' in socket ? 'secureConnect' : 'connect', () => this.#onConnect(socket));
    socket.on('data', (chunk: Buffer) => this.#receive(socket, chunk));
    socket.on('drain', () => {
      if (socket !== this.#socket || !this.#flowPaused) return;
      this.#flowPaused = false;
      this.#applyPause();
    });
    if (this.#userPaused) socket.pause();
    socket.on('end', () => this.#onEnd(socket));
    socket.on('error', (err) => this.#onError(socket, err));
    socket.on('close', () => this.#onClose(socket));
  }

  #learnAddresses(socket: net.Socket): void {
    this.#peer = socketAddressOf(socket.remoteAddress, socket.remotePort) ?? this.#peer;
    // A Unix socket's both ends are known by its path.
    this.#local = socketAddressOf(socket.localAddress, socket.localPort) ?? (this.#peer instanceof UnixAddress ? this.#peer : undefined);
  }

  #onConnect(socket: net.Socket): void {
    // A TLS pin that did not match has destroyed it already.
    if (socket.destroyed) return;
    clearTimeout(this.#connectTimer);
    this.#state = 'connected';
    this.#learnAddresses(socket);
    this.#lastIO = Date.now();
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.resolve();
    if (socket.writableLength === 0) invoke(this, 'onFlush');
  }

  // The rest rule's hooks, made once per client rather than once per chunk.
  readonly #restHooks: RestHooks = {
    error: (err) => handlerFailed('onData', err),
    warn: (message) => logger().log('WARN', message),
    closed: () => this.#socket === undefined || this.#socket !== this.#receiving || this.#socket.destroyed,
  };
  #receiving: net.Socket | undefined;

  #receive(socket: net.Socket, chunk: Buffer): void {
    if (this.#socket && socket !== this.#socket) return;
    this.#bytesIn += chunk.length;
    churn(chunk.length);
    this.#lastIO = Date.now();
    const handler = this.onData;
    if (typeof handler !== 'function') {
      this.#rest = undefined;
      unknownHandlers(this, 'TCPClient', EVENTS);
      return;
    }
    const data = this.#rest ? Buffer.concat([this.#rest, chunk]) : chunk;
    let value: unknown;
    this.#inHandler = true;
    try {
      value = handler.call(this, data);
    } catch (err) {
      handlerFailed('onData', err);
      this.#rest = undefined;
      return;
    } finally {
      this.#inHandler = false;
    }
    // Fast path: the handler consumed everything (nothing, nil or 0 returned), as the echo and pipe modes do.
    if (this.#onDataReturn === 'rest' && (value === undefined || value === null || value === 0)) {
      this.#rest = undefined;
      return;
    }
    this.#receiving = socket;
    this.#rest = settleRest(data, value, (d) => handler.call(this, d), this.#onDataReturn, this.#restHooks);
    this.#receiving = undefined;
    const cap = this.#restCap;
    if (this.#rest && this.#rest.length > cap) {
      const size = this.#rest.length;
      this.#rest = undefined;
      const err = new MonaError(`onData kept ${size} bytes, over its ${cap}-byte cap`, 'ERR_REST_OVERFLOW');
      logger().log('ERROR', err.message, ` (${this.#peer?.value ?? 'unknown peer'})`);
      socket.destroy(err);
    }
  }

  #onEnd(socket: net.Socket): void {
    if (socket !== this.#socket) return;
    if (!socket.writableEnded && wasReset(socket)) {
      socket.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      return;
    }
    this.#peerEnded = true;
    if (hasHandler(this, 'onEnd')) invoke(this, 'onEnd');
    else socket.end();
  }

  #onError(socket: net.Socket, err: Error): void {
    if (socket !== this.#socket || this.#error) return;
    const peer = this.#peer?.value ?? 'unknown peer';
    // The local address could not be had (-s not on this machine, -p in use): say which.
    const from = (err as { syscall?: string }).syscall === 'bind' ? ` from ${this.#source()}` : '';
    this.#error = err instanceof MonaError ? err : describeError(this.#state === 'connecting' ? 'Unable to connect to' : 'Lost connection to', `${peer}${from}`, err);
  }

  /** The local address asked for, as Node binds it (no address: the wildcard of the peer's family). */
  #source(): string {
    const { localAddress, localPort } = this.#options;
    return formatAddress(localAddress ?? (this.#peer?.isIPv6 ? '::' : '0.0.0.0'), localPort ?? 0);
  }

  #onClose(socket: net.Socket): void {
    if (socket !== this.#socket) return;
    clearTimeout(this.#connectTimer);
    const peer = this.#peer?.value;
    const wasConnecting = this.#state === 'connecting';
    this.#socket = undefined;
    this.#state = 'idle';
    this.#rest = this.#local = this.#peer = undefined;
    const pending = this.#pending;
    this.#pending = undefined;
    if (pending && wasConnecting) {
      pending.reject(this.#error ?? new MonaError(`Unable to connect to ${peer ?? 'unknown peer'} (closed)`, 'ECONNABORTED', peer));
    }
    invoke(this, 'onDisconnection', peer, this.#error?.message);
  }
}

/**
 * Whether an 'end' was really a reset. libuv reports a reset that arrives after the last data as an EOF when the
 * socket was paused (its POLLHUP shortcut never reads the ECONNRESET), and Node's shutdown() hides the ENOTCONN that
 * follows. While our side is still open, a real FIN leaves the socket connected (CLOSE_WAIT): getpeername() still
 * works; after a reset it fails. (Once we have sent our FIN too, both ends are closed either way: no telling.)
 */
function wasReset(socket: net.Socket): boolean {
  const handle = (socket as unknown as { _handle?: { getpeername?: (out: object) => number } })._handle;
  return typeof handle?.getpeername === 'function' && handle.getpeername({}) !== 0;
}

/** Start connecting a socket to `target`: TCP, a Unix path, TLS over either. */
function dial(target: Endpoint, { family, tls, localAddress, localPort }: TCPClientOptions): net.Socket {
  // -s and -p (nc's source address and port): where the connection comes from.
  const local = { ...(localAddress ? { localAddress } : {}), ...(localPort ? { localPort } : {}) };
  const how = target.unix ? { path: target.unix.path } : { host: target.host, port: target.port, ...local, ...(family ? { family } : { autoSelectFamily: true }) };
  if (tls) return connectTLS(how, target.unix ? undefined : target.host, tls === true ? {} : tls);
  return new net.Socket({ allowHalfOpen: true }).connect(how);
}

/**
 * A TCPClient around a connected socket (internal): one a TCPServer accepted, or a proxy's tunnel. `peer` names the
 * far end when the socket cannot (a Unix peer, a proxy's target).
 */
export function adoptSocket(socket: net.Socket, options?: TCPClientOptions, peer?: SocketAddress): TCPClient {
  const client = new TCPClient(options);
  adopt(client, socket, peer);
  return client;
}
