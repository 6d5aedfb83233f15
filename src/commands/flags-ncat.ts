// ncat's flags (issue 13, items 4-10): one-way sessions, shaping what we send, traffic files, the source address, the
// port scan (-z) and the UDP datagram size. Their rows, spread into FLAGS; their choices are in docs/cli.md.
import { UsageError } from '../core/outcome.js';
import { parseBytes } from '../core/parse.js';
import { bool, duration, NET, row, STDIO, text, UDP, type CommandName } from './flag-row.js';

/** The commands that connect: they can choose where from, and scan. */
const CLIENTS: readonly CommandName[] = ['tcp-client', 'udp connect'];

/** Largest UDP payload over IPv4; the default is socat's buffer (nc reads 16 KiB). */
export const DATAGRAM_DEFAULT = 8192;
const DATAGRAM_MAX = 65507;

/** A whole number in [min, max], or a usage error naming the flag. */
const count = (raw: unknown, name: string, min: number, max: number): number | undefined => {
  const value = text(raw);
  if (value === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(value)) throw new UsageError(`${name} ${value}: not a whole number`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${name} ${value}: out of range (${min}..${max})`);
  return n;
};

/** A file for a traffic dump: a path, or `-` for stderr where the flag allows it. */
const dumpFile = (dash: boolean) => (raw: unknown, name: string): string | undefined => {
  const value = text(raw);
  if (value === undefined) return undefined;
  if (value === '') throw new UsageError(`${name}: needs a file name`);
  if (value === '-' && !dash) throw new UsageError(`${name} -: give a file (stdout carries the received bytes)`);
  return value;
};

export const NCAT_FLAGS = [
  // One-way sessions: relay rules and options of the stdio endpoint (src/core/local.ts).
  row({ key: 'sendOnly', long: 'send-only', kind: 'boolean', commands: NET, modes: STDIO, conflicts: ['recvOnly'], describe: 'only send: received bytes are read and dropped, never written to stdout (UDP: exit at stdin EOF)', parse: bool }),
  row({ key: 'recvOnly', long: 'recv-only', kind: 'boolean', commands: NET, modes: STDIO, conflicts: ['quitAfter', 'shutdown', 'linger', 'lines', 'crlf', 'delay', 'datagramSize'], describe: 'only receive: stdin is never read and never causes a FIN (for a sender that stops at our FIN)', parse: bool }),
  // Shaping what we send (src/core/shape.ts).
  row({ key: 'crlf', long: 'crlf', kind: 'boolean', commands: NET, modes: STDIO, describe: 'send LF as CRLF (a CRLF already there stays)', parse: bool }),
  row({ key: 'delay', long: 'delay', kind: 'value', value: 'SECS', commands: NET, modes: STDIO, describe: 'wait SECS between the lines we send', parse: duration }),
  // Traffic files: taps (src/taps/traffic.ts).
  row({ key: 'hexDump', long: 'hex-dump', short: 'x', kind: 'value', value: 'FILE', commands: NET, describe: 'write the traffic both ways to FILE as a hex dump (hexdump -C lines, > sent, < received); - for stderr', parse: dumpFile(true) }),
  row({ key: 'output', long: 'output', short: 'o', kind: 'value', value: 'FILE', commands: NET, describe: 'write every byte both ways, in order, to FILE', parse: dumpFile(false) }),
  row({ key: 'appendOutput', long: 'append-output', kind: 'boolean', commands: NET, describe: 'append to the -x/-o files instead of truncating them', parse: bool }),
  // Where a client connects from (src/transports/tcp.ts, udp.ts).
  row({ key: 'source', long: 'source', short: 's', kind: 'value', value: 'ADDR', commands: CLIENTS, describe: 'connect from ADDR, an address of this machine', parse: text }),
  row({ key: 'sourcePort', long: 'source-port', short: 'p', kind: 'value', value: 'PORT', commands: CLIENTS, describe: 'connect from local port PORT', parse: (raw, name) => count(raw, name, 1, 65535) }),
  // The port scan: a mode (src/modes/scan.ts).
  row({ key: 'z', long: 'z', kind: 'boolean', commands: CLIENTS, selects: 'scan', conflicts: ['hexDump', 'output', 'appendOutput', 'idleTimeout'], describe: 'scan: connect only, print "HOST PORT open" per open port (PORTS: 80, 8000-8010, 22,80); exit 1 if none', parse: bool }),
  row({ key: 'scanConcurrency', long: 'scan-concurrency', kind: 'value', value: 'N', commands: CLIENTS, modes: ['scan'], describe: 'ports tried at once by -z (default 100)', parse: (raw, name) => count(raw, name, 1, 10000) }),
  // UDP framing of stdin (src/core/framing.ts).
  row({ key: 'datagramSize', long: 'datagram-size', kind: 'value', value: 'BYTES', commands: UDP, modes: STDIO, conflicts: ['lines'], describe: `UDP: send stdin in datagrams of at most BYTES (default ${DATAGRAM_DEFAULT}, at most ${DATAGRAM_MAX})`, parse: (raw, name) => parseBytes(name, text(raw), 1, DATAGRAM_MAX) ?? DATAGRAM_DEFAULT }),
] as const;
