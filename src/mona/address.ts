// Parse and format socket addresses: every form Mona accepts ("host:port", "[v6]:port", port, host + port).
import { isIP, isIPv6 } from 'node:net';
import { readFileSync } from 'node:fs';
import { MonaError } from './errors.js';

/** A value as text for a message or a comparison; never throws (an object without a prototype has no toString). */
const show = (value: unknown): string => {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
};

/** Mona's address object: `value` "ip:port", `host`, `port`, `isIPv6`; prints as its value. */
export class SocketAddress {
  readonly host: string;
  readonly port: number;
  /** "ip:port" ("[v6]:port"). */
  readonly value: string;
  constructor(host: string, port: number) {
    this.host = host;
    this.port = port;
    this.value = formatAddress(host, port);
  }
  get isIPv6(): boolean { return isIPv6(this.host); }
  equals(other: unknown): boolean {
    return other instanceof SocketAddress ? other.host === this.host && other.port === this.port : show(other) === this.value;
  }
  toString(): string { return this.value; }
  toJSON(): string { return this.value; }
}

/** A Unix socket's address: its path (`@name` for a Linux abstract name), with port 0; prints as the path. */
export class UnixAddress extends SocketAddress {
  override readonly value: string;
  /** What to give the system: the path, or NUL + name for an abstract one. */
  readonly path: string;
  constructor(path: string) {
    super(path, 0);
    this.path = path.startsWith('@') ? `\0${path.slice(1)}` : path;
    this.value = path;
  }
  override get isIPv6(): boolean { return false; }
}

/** A Unix socket path, as TCPClient.connect and TCPServer.start take it alone: it has a slash or starts with @. */
export const isUnixPath = (value: unknown): value is string => typeof value === 'string' && (value.includes('/') || value.startsWith('@'));

/** `[::1]:80` for IPv6, `host:port` otherwise. */
export const formatAddress = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** Who reads the address: a listener (port alone = all interfaces) or a dialer (port alone = loopback). */
export type AddressRole = 'listen' | 'connect';

export interface Endpoint {
  readonly host: string;
  readonly port: number;
  /** A listener given no host: every interface, dual-stack `::` where the system has IPv6, else `0.0.0.0`. */
  readonly any?: true;
  /** A Unix socket (host is then its path as given, port 0). */
  readonly unix?: UnixAddress | undefined;
}

/** No host: loopback to dial, every interface to listen (host `::`, and `0.0.0.0` where IPv6 is missing). */
const wildcard = (role: AddressRole, port: number): Endpoint => (role === 'listen' ? { host: '::', port, any: true } : { host: '127.0.0.1', port });

// Errors that mean "this system has no IPv6": a listener on every interface then takes 0.0.0.0.
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT']);
export const isNoIPv6 = (code: string): boolean => NO_IPV6.has(code);

let services: Map<string, number> | undefined;
// Service names ("http") resolved through /etc/services, as getservbyname() would; read once, on first use.
function servicePort(name: string): number | undefined {
  if (!services) {
    services = new Map();
    try {
      for (const line of readFileSync('/etc/services', 'latin1').split('\n')) {
        const m = /^([\w.+-]+)\s+(\d+)\/(tcp|udp)((?:\s+[\w.+-]+)*)/.exec(line);
        if (!m) continue;
        for (const alias of [m[1], ...(m[4] ?? '').split(/\s+/)]) if (alias && !services.has(alias)) services.set(alias, Number(m[2]));
      }
    } catch { /* no services database: names simply do not resolve */ }
  }
  return services.get(name);
}

/** A port from a number or a numeric/service string; throws Mona's "Invalid port <p>". */
export function toPort(value: unknown, role: AddressRole): number {
  let port: number | undefined;
  if (typeof value === 'number') port = value;
  else if (typeof value === 'bigint') port = Number(value);
  else if (typeof value === 'string') port = /^\s*\d+\s*$/.test(value) ? Number(value) : servicePort(value.trim());
  const min = role === 'connect' ? 1 : 0;
  if (port === undefined || !Number.isInteger(port) || port < min || port > 65535) throw new MonaError(`Invalid port ${show(value)}`, 'ERR_INVALID_PORT');
  return port;
}

/** Split "host:port" / "[v6]:port" at the last colon; the port part is undefined when absent. */
export function splitHostPort(text: string): { host: string; port: string | undefined } {
  const v6 = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (v6) return { host: v6[1] ?? '', port: v6[2] };
  // Only a text with two colons can be a bare IPv6 literal (and isIPv6 compiles a big regex at its first call).
  if (text.indexOf(':') !== text.lastIndexOf(':') && isIPv6(text)) return { host: text, port: undefined };
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { host: text, port: undefined };
  return { host: text.slice(0, colon), port: text.slice(colon + 1) };
}

const stripBrackets = (host: string): string => host.replace(/^\[(.*)\]$/, '$1');

/**
 * Normalize Mona's address arguments once. Forms:
 *   (port)             a number: every interface to listen (dual-stack, see wildcard), 127.0.0.1:port to dial
 *   ("host:port")      also "[::1]:80", and "1234" alone as a port
 *   (host, port)       port a number or a numeric/service string
 *   (SocketAddress)
 */
export function parseAddress(args: readonly unknown[], role: AddressRole): Endpoint {
  const [first, second] = args;
  if (first instanceof SocketAddress) return { host: first.host, port: toPort(first.port, role) };
  if (first === undefined || first === null) throw new MonaError('No valid SocketAddress available to read', 'ERR_INVALID_ADDRESS');
  if (second !== undefined && second !== null) {
    if (typeof first !== 'string') throw new MonaError(`Invalid host ${show(first)}`, 'ERR_INVALID_ADDRESS');
    const host = stripBrackets(first);
    return host ? { host, port: toPort(second, role) } : wildcard(role, toPort(second, role));
  }
  if (typeof first === 'number' || typeof first === 'bigint') return wildcard(role, toPort(first, role));
  if (typeof first !== 'string') throw new MonaError('No valid SocketAddress available to read', 'ERR_INVALID_ADDRESS');
  if (/^\s*\d+\s*$/.test(first)) return wildcard(role, toPort(first, role));
  const { host, port } = splitHostPort(first);
  if (port === undefined || port === '') throw new MonaError(`Missing port number in ${first}`, 'ERR_INVALID_ADDRESS');
  return host ? { host, port: toPort(port, role) } : wildcard(role, toPort(port, role));
}

/** parseAddress, or a Unix socket path given alone ("/run/app.sock", "./app.sock", "@name"): TCP's address forms. */
export function parseStreamAddress(args: readonly unknown[], role: AddressRole): Endpoint {
  const [first, second] = args;
  if (first instanceof UnixAddress) return { host: first.value, port: 0, unix: first };
  if ((second === undefined || second === null) && isUnixPath(first)) return { host: first, port: 0, unix: new UnixAddress(first) };
  return parseAddress(args, role);
}

/** "::ffff:127.0.0.1" (an IPv4 peer of a dual-stack socket) reads as "127.0.0.1". */
export const unmapHost = (host: string): string => (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(host) ? host.slice(7) : host);

/** The address a socket reports, IPv4-mapped hosts unmapped; undefined while unknown. */
export function socketAddressOf(host: string | undefined, port: number | undefined): SocketAddress | undefined {
  return host === undefined || port === undefined ? undefined : new SocketAddress(unmapHost(host), port);
}

/** The IP family of a literal (4 or 6), or 0 for a host name that needs resolving. */
export const familyOf = (host: string): 0 | 4 | 6 => isIP(host) as 0 | 4 | 6;
