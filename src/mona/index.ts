// The Mona object: the three socket factories of MonaServer's Lua API, for TypeScript and for our scripts.
import { TCPClient, type TCPClientOptions } from './tcp-client.js';
import { TCPServer, type TCPServerOptions } from './tcp-server.js';
import { UDPSocket, type UDPSocketOptions } from './udp-socket.js';

export const mona = {
  /** A TCP client: connect(), send(), onData/onDisconnection. */
  createTCPClient: (options?: TCPClientOptions): TCPClient => new TCPClient(options),
  /** A TCP server: start(), stop(), onConnection(client). */
  createTCPServer: (options?: TCPServerOptions): TCPServer => new TCPServer(options),
  /** A UDP socket: bind()/connect(), send(), onPacket(data, address); any truthy value allows broadcast. */
  createUDPSocket: (allowBroadcast?: unknown, options?: UDPSocketOptions): UDPSocket => new UDPSocket(allowBroadcast, options),
};
export type Mona = typeof mona;

export { TCPClient, DEFAULT_REST_CAP, type TCPClientOptions, type OnData, type OnDisconnection } from './tcp-client.js';
export { TCPServer, type TCPServerOptions, type OnConnection } from './tcp-server.js';
export { UDPSocket, type OnPacket, type UDPSocketOptions } from './udp-socket.js';
export { MAX_DATAGRAM } from './bytes.js';
export { SocketAddress, UnixAddress, formatAddress, parseAddress, type Endpoint } from './address.js';
export type { TLSClientOptions, TLSServerOptions, TLSInfo } from './tls.js';
export { MonaError, EXIT, type ExitReason } from './errors.js';
export { applyRest, toCount, type OnDataReturn } from './rest.js';
