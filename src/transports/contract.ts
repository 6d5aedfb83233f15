// What a transport row is (socat's addrdesc): its address forms, connect and listen; and what they read and return.
import type { Endpoint, Listener } from '../core/endpoint.js';
import type { Session } from '../core/session.js';

/** Where to connect or listen: an IP host and port (host undefined: all interfaces), or a Unix socket path. */
export type Address =
  | { readonly kind: 'inet'; readonly host: string | undefined; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

/** The settings a transport reads (the flag table's parsed values). */
export interface TransportOptions {
  readonly family?: 4 | 6 | undefined;
  /** Connect timeout (ms). */
  readonly wait?: number | undefined;
  /** UDP: allow broadcast destinations. */
  readonly broadcast?: boolean | undefined;
  /** Connect from this address (-s: an IP, or a name resolved in the target's family) and/or port (-p). */
  readonly source?: string | undefined;
  readonly sourcePort?: number | undefined;
  /** TCP: SO_KEEPALIVE on every connection. */
  readonly keepAlive?: boolean | undefined;
  // TLS (the tls row): files are PEM, read when connecting or listening.
  readonly sslTrustfile?: string | undefined;
  readonly sslServername?: string | undefined;
  readonly sslAlpn?: readonly string[] | undefined;
  readonly sslCert?: string | undefined;
  readonly sslKey?: string | undefined;
  readonly sslFingerprint?: string | undefined;
  readonly sslVerifyClient?: boolean | undefined;
  readonly insecure?: boolean | undefined;
  // Proxies (tcp and tls clients): HOST[:PORT] as given, its kind, credentials, who resolves the target.
  readonly proxy?: string | undefined;
  readonly proxyType?: 'socks5' | 'socks4' | 'http' | undefined;
  readonly proxyAuth?: { readonly user: string; readonly pass: string } | undefined;
  readonly proxyDns?: 'local' | 'remote' | undefined;
}

export interface Transport {
  readonly name: 'tcp' | 'udp' | 'tls' | 'unix';
  /** Datagrams: stdin is framed into datagrams and received ones are batched to stdout. */
  readonly datagram: boolean;
  /** What a target looks like on the command line: "host:port", "[v6]:port", or host and a separate port. */
  target(text: string, port: string | undefined, options: TransportOptions): Address;
  /** What a listen address looks like: "1234" (all interfaces), "host:port", "[v6]:port", or host and port. */
  listenAddress(text: string, port: string | undefined, options: TransportOptions): Address;
  /** Connect; resolves once connected, with the `connected` event written (a MonaError otherwise). */
  connect(session: Session, target: Address, options: TransportOptions): Promise<Endpoint>;
  /** Listen; resolves once listening, with the `listening` event written. */
  listen(session: Session, address: Address, options: TransportOptions): Promise<Listener>;
}

/** The IP host and port of an address a row gave (a Unix path is an error here). */
export function inet(address: Address): { host: string | undefined; port: number } {
  if (address.kind !== 'inet') throw new Error(`not an IP address: ${address.path}`);
  return address;
}
