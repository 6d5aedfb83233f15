// IP addresses for tcp and udp: the command line's forms (host:port, [v6]:port, host port, a port alone), the -4/-6
// family, and "all interfaces" (dual-stack [::], else 0.0.0.0).
import { lookup } from 'node:dns/promises';
import { isIP, isIPv6 } from 'node:net';
import { formatAddress, splitHostPort, type SocketAddress } from '../mona/address.js';
import { codeOf, describeError } from '../mona/errors.js';
import { parsePort } from '../core/parse.js';
import { UsageError } from '../core/outcome.js';

export interface HostPort { host: string; port: number }

/** A host as given: not empty, no spaces or slashes, brackets only around IPv6, ':' only inside an IPv6 literal. */
const checkHost = (host: string, what: string, text = host): string => {
  if (host === '' || /[\s/]/.test(host)) throw new UsageError(`${what} ${host === '' ? '(empty)' : host}: not a host name or address`);
  if (/[[\]]/.test(host)) throw new UsageError(`${text}: unbalanced '[' or ']' (an IPv6 address goes in brackets: [::1]:80)`);
  if (host.includes(':') && !isIPv6(host)) throw new UsageError(`${text}: not a host name or address (too many ':'; an IPv6 address goes in brackets: [::1]:80)`);
  return host;
};

/** With a separate port, the host must not carry one too ("127.0.0.1:80 81"); a bare IPv6 literal is fine. */
const hostOnly = (text: string, what: string): string => {
  const host = /^\[[^\]]*\]$/.test(text) ? text.slice(1, -1) : text;
  if (host.includes(':') && !isIPv6(host) && !/[[\]]/.test(host)) throw new UsageError(`${text}: give ${what}:port or ${what} port, not both`);
  return checkHost(host, what, text);
};

/** "host:port" or "[v6]:port" split, refusing what cannot be one ("no port after 'localhost:'", "expected ':' after ']'"). */
function split(text: string): { host: string; port: string | undefined } {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new UsageError(`${text}: missing ']' after the IPv6 address`);
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new UsageError(`${text}: expected ':' after ']'`);
    const port = rest === '' ? undefined : rest.slice(1);
    if (port === '') throw new UsageError(`no port after '${text}'`);
    return { host: text.slice(1, close), port };
  }
  const parts = splitHostPort(text);
  if (parts.port === '') throw new UsageError(`no port after '${text}'`);
  return parts;
}

/** A target: "host:port", "[v6]:port", or host and a separate port. */
export function parseTarget(target: string, port: unknown): HostPort {
  if (port !== undefined) return { host: hostOnly(target, 'host'), port: parsePort(port, { allowZero: false }) };
  const parts = split(target);
  if (parts.port === undefined) throw new UsageError(`${target}: missing port (give host:port, [v6]:port or host port)`);
  return { host: checkHost(parts.host, 'host', target), port: parsePort(parts.port, { allowZero: false }) };
}

/** A listen address: "1234" (all interfaces: host undefined), "127.0.0.1:1234", "[::1]:1234", or host and port. */
export function parseListen(first: string, second: unknown): { host: string | undefined; port: number } {
  if (second !== undefined) return { host: hostOnly(first, 'address'), port: parsePort(second, { allowZero: true }) };
  if (/^\s*\d+\s*$/.test(first)) return { host: undefined, port: parsePort(first, { allowZero: true }) };
  const parts = split(first);
  if (parts.port === undefined) throw new UsageError(`${first}: missing port (give PORT, host:port, [v6]:port or host port)`);
  return { host: parts.host === '' ? undefined : checkHost(parts.host, 'address', first), port: parsePort(parts.port, { allowZero: true }) };
}

/** An IP literal of the other family than -4/-6 asked for is a usage error. */
export function checkFamily(host: string | undefined, family: 4 | 6 | undefined): void {
  const literal = host === undefined ? 0 : isIP(host);
  if (family && literal && literal !== family) throw new UsageError(`cannot use -${family} with ${host} (an IPv${literal} address)`);
}

/** A host name resolved in the -4/-6 family (literals and no family: as given, the socket resolves). */
export async function inFamily(host: string, port: number, family: 4 | 6 | undefined): Promise<string> {
  checkFamily(host, family);
  if (!family || isIP(host)) return host;
  try {
    return (await lookup(host, { family })).address;
  } catch (err) {
    throw describeError('Unable to resolve', formatAddress(host, port), err);
  }
}

/** The wildcard hosts to try for "all interfaces": dual-stack "::" first, then 0.0.0.0 where IPv6 is missing. */
export function wildcards(family: 4 | 6 | undefined): string[] {
  if (family === 4) return ['0.0.0.0'];
  if (family === 6) return ['::'];
  return ['::', '0.0.0.0'];
}

// Errors that mean "this system has no IPv6": try the next wildcard.
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT']);

/** Run `start` on the given host, or on each wildcard in turn while IPv6 is missing. */
export async function startOn(host: string | undefined, family: 4 | 6 | undefined, start: (host: string) => Promise<SocketAddress>): Promise<SocketAddress> {
  if (host !== undefined) return start(host);
  const [first, ...rest] = wildcards(family);
  try {
    return await start(first ?? '0.0.0.0');
  } catch (err) {
    if (!rest[0] || !NO_IPV6.has(codeOf(err))) throw err;
    return start(rest[0]);
  }
}
