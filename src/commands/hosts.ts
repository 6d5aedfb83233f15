// Which address the CLI uses for a host: "all interfaces" (dual-stack [::], else 0.0.0.0) and the -4/-6 family.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SocketAddress } from '../mona/index.js';
import { codeOf, describeError } from '../mona/errors.js';
import { formatAddress } from '../mona/address.js';
import { familyOf, parseListen, type FamilyArgs } from './options.js';
import { UsageError } from './usage.js';

/** The wildcard hosts to try for "all interfaces": dual-stack "::" first, then 0.0.0.0 where IPv6 is missing. */
export function wildcards(family: 4 | 6 | undefined): string[] {
  if (family === 4) return ['0.0.0.0'];
  if (family === 6) return ['::'];
  return ['::', '0.0.0.0'];
}

/** A listener's address and family from its arguments and -4/-6, checked against each other. */
export function listenAddress(argv: { address: string; port?: string | undefined } & FamilyArgs): { host: string | undefined; port: number; family: 4 | 6 | undefined } {
  const { host, port } = parseListen(argv.address, argv.port);
  const family = familyOf(argv);
  checkFamily(host, family);
  return { host, port, family };
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
