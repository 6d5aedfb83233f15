// Who may connect (--allow, --deny and their files): each entry an address, a CIDR range (IPv4 or IPv6) or a host
// name, matched with Node's own net.BlockList (names are resolved once, at start, as ncat does).
import { BlockList, isIP } from 'node:net';
import { describeError } from '../mona/errors.js';
import { UsageError } from './outcome.js';

export type AccessEntry =
  | { readonly kind: 'address'; readonly address: string; readonly family: 'ipv4' | 'ipv6' }
  | { readonly kind: 'range'; readonly address: string; readonly prefix: number; readonly family: 'ipv4' | 'ipv6' }
  | { readonly kind: 'name'; readonly name: string };

// RFC 1123 labels (underscores too: they are common in internal names); a name with no letter is a bad IPv4 address.
const HOST_NAME = /^(?=.{1,253}\.?$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

const familyOf = (address: string): 'ipv4' | 'ipv6' | undefined => ({ 4: 'ipv4', 6: 'ipv6' } as const)[isIP(address) as 4 | 6];

/** One entry, or a usage error that names it and says why. */
function parseEntry(entry: string, flag: string): AccessEntry {
  const bad = (why: string): UsageError => new UsageError(`${flag} ${entry}: ${why}`);
  const [base = '', prefix, extra] = entry.split('/');
  const address = base.replace(/^\[(.*)\]$/, '$1');
  const family = familyOf(address);
  if (prefix !== undefined) {
    if (extra !== undefined || !family) throw bad('not a CIDR range (ADDRESS/BITS, as 10.0.0.0/8 or fd00::/8)');
    const max = family === 'ipv4' ? 32 : 128;
    if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) throw bad(`the prefix length must be 0..${max}`);
    return { kind: 'range', address, prefix: Number(prefix), family };
  }
  if (family) return { kind: 'address', address, family };
  if (/^[\d.]+$/.test(entry) || entry.includes(':')) throw bad('not an IP address');
  if (!HOST_NAME.test(entry)) throw bad('not an address, a CIDR range or a host name');
  return { kind: 'name', name: entry };
}

/** One value of --allow/--deny (or one line of their files): comma-separated entries. */
export function parseAccessEntries(value: string, flag: string): AccessEntry[] {
  const entries = value.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) throw new UsageError(`${flag} ${JSON.stringify(value)}: an empty entry`);
  return entries.map((e) => parseEntry(e, flag));
}

/** The entries of an --allowfile/--denyfile: one a line (or comma-separated), `#` to the end of a line is a comment. */
export function parseAccessFile(content: string, flag: string, file: string): AccessEntry[] {
  return content.split('\n').flatMap((line, i) => {
    const value = (line.split('#')[0] ?? '').trim();
    if (value === '') return [];
    if (/\s/.test(value)) throw new UsageError(`${flag} ${file} line ${i + 1}: ${JSON.stringify(value)}: one entry a line`);
    return parseAccessEntries(value, `${flag} ${file} line ${i + 1}:`);
  });
}

/** A BlockList holding every entry, host names resolved to all their addresses. */
async function blockList(entries: readonly AccessEntry[], flag: string): Promise<BlockList> {
  const list = new BlockList();
  for (const e of entries) {
    if (e.kind === 'address') list.addAddress(e.address, e.family);
    else if (e.kind === 'range') list.addSubnet(e.address, e.prefix, e.family);
    else {
      let found: Array<{ address: string; family: number }>;
      try {
        // The resolver loads only for a name: the flag table parses entries at every start.
        found = await (await import('node:dns/promises')).lookup(e.name, { all: true });
      } catch (err) {
        throw describeError(`Unable to resolve ${flag}`, e.name, err);
      }
      for (const a of found) list.addAddress(a.address, a.family === 6 ? 'ipv6' : 'ipv4');
    }
  }
  return list;
}

/** Why a peer at `host` may not connect, or undefined when it may. */
export type Admit = (host: string) => string | undefined;

/** The rule of --allow and --deny: a peer must match an --allow entry when there is one, and no --deny entry. */
export async function admission(allow: readonly AccessEntry[], deny: readonly AccessEntry[]): Promise<Admit | undefined> {
  if (allow.length === 0 && deny.length === 0) return undefined;
  const allowed = allow.length ? await blockList(allow, '--allow') : undefined;
  const denied = deny.length ? await blockList(deny, '--deny') : undefined;
  return (host) => {
    const family = familyOf(host);
    if (!family) return 'not an IP address';
    if (denied?.check(host, family)) return 'matches --deny';
    if (allowed && !allowed.check(host, family)) return 'not in --allow';
    return undefined;
  };
}
