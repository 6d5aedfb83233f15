// "All interfaces" for a listener: dual-stack [::] where the system has IPv6, else 0.0.0.0.
import type { SocketAddress } from '../mona/index.js';
import { codeOf } from '../mona/errors.js';
import { wildcards } from './options.js';

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
