// The flags for people who test other programs (issue 15): integrity, readiness, fault injection, record and replay,
// compatibility presets. Rows only: the taps they ask for are in commands/taps.ts, the replay command in replay.ts.
import { UsageError } from '../core/outcome.js';
import { parseBytes } from '../core/parse.js';
import { bool, duration, NET, oneOf, row, SERVERS, TCP, text, UDP, type CommandName } from './flag-row.js';

/** The commands whose peers are tapped: the network commands and replay. */
const TAPPED: readonly CommandName[] = [...NET, 'replay'];
/** Where a listener is made: the servers, and replay --listen. */
const LISTENERS: readonly CommandName[] = [...SERVERS, 'replay'];

/** A byte count: 1000, 64k, 1M (K, M, G are powers of 1024). */
const bytes = (min: number) => (raw: unknown, name: string): number | undefined => parseBytes(name, text(raw), min);

/** A probability, 0..1. */
function probability(raw: unknown, name: string): number | undefined {
  const value = text(raw);
  if (value === undefined) return undefined;
  if (!/^\s*(\d+(\.\d+)?|\.\d+)\s*$/.test(value) || Number(value) > 1) throw new UsageError(`${name} ${value}: not a probability (0 to 1)`);
  return Number(value);
}

/** An unsigned 32-bit integer. */
function seed(raw: unknown, name: string): number | undefined {
  const value = text(raw);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new UsageError(`${name} ${value}: not a seed (an integer, 0 to 4294967295)`);
  return Number(value);
}

/** A SHA-256 as 64 hex digits, any case. */
function sha256(raw: unknown, name: string): string | undefined {
  const value = text(raw);
  if (value === undefined) return undefined;
  if (!/^[0-9a-f]{64}$/i.test(value.trim())) throw new UsageError(`${name} ${value}: not a SHA-256 (64 hex digits)`);
  return value.trim().toLowerCase();
}

/** An inherited file descriptor: 3 and up (0, 1, 2 are stdin, stdout, stderr: stdout carries received bytes only). */
function fd(raw: unknown, name: string): number | undefined {
  const value = text(raw);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${name} ${value}: not a file descriptor number`);
  if (Number(value) < 3) throw new UsageError(`${name} ${value}: 0, 1 and 2 are stdin, stdout and stderr (give 3 or more)`);
  return Number(value);
}

/** A non-empty path. */
function path(raw: unknown, name: string): string | undefined {
  const value = text(raw);
  if (value === '') throw new UsageError(`${name}: empty path`);
  return value;
}

/** The TCP faults: each one alone is enough to shape a connection. */
export const TCP_FAULTS = ['chunk', 'writeDelay', 'rstAfter', 'finAfter', 'stallAfter'] as const;
/** The UDP faults. */
export const UDP_FAULTS = ['drop', 'dup', 'reorder'] as const;

export const TESTING_FLAGS = [
  // Integrity (src/taps/digest.ts).
  row({ key: 'digest', long: 'digest', kind: 'boolean', commands: TAPPED, describe: 'at each close, a NOTE with the bytes and SHA-256 of each direction (sha256In/sha256Out in JSON closed events)', parse: bool }),
  row({ key: 'expectBytes', long: 'expect-bytes', kind: 'value', value: 'N', commands: TAPPED, describe: 'fail (exit 1, reason mismatch) unless each connection received exactly N bytes', parse: bytes(0) }),
  row({ key: 'expectSha256', long: 'expect-sha256', kind: 'value', value: 'HEX', commands: TAPPED, describe: 'fail (exit 1, reason mismatch) unless what each connection received has this SHA-256', parse: sha256 }),
  // Readiness (src/core/ready.ts).
  row({ key: 'readyFile', long: 'ready-file', kind: 'value', value: 'PATH', commands: LISTENERS, conflicts: ['connect'], describe: 'once listening, write the real address and a newline to PATH (atomically); removed at exit', parse: path }),
  row({ key: 'readyFd', long: 'ready-fd', kind: 'value', value: 'N', commands: LISTENERS, conflicts: ['connect'], describe: 'once listening, write the real address and a newline to the inherited file descriptor N, then close it', parse: fd }),
  // Faults (src/taps/faults.ts, src/taps/datagram-faults.ts).
  row({ key: 'chunk', long: 'chunk', kind: 'value', value: 'N', commands: TCP, describe: 'fault: write at most N bytes at a time', parse: bytes(1) }),
  row({ key: 'writeDelay', long: 'write-delay', kind: 'value', value: 'SECS', commands: TCP, describe: 'fault: pause SECS between writes (with --chunk: between chunks)', parse: duration }),
  row({ key: 'rstAfter', long: 'rst-after', kind: 'value', value: 'N', commands: TCP, conflicts: ['finAfter', 'stallAfter'], describe: 'fault: after N bytes, abort the connection with a TCP reset', parse: bytes(0) }),
  row({ key: 'finAfter', long: 'fin-after', kind: 'value', value: 'N', commands: TCP, conflicts: ['stallAfter'], describe: 'fault: after N bytes, half-close (out: send FIN; in: take it as the peer\'s EOF)', parse: bytes(0) }),
  row({ key: 'stallAfter', long: 'stall-after', kind: 'value', value: 'N', commands: TCP, describe: 'fault: after N bytes, stop sending and reading; the connection stays open', parse: bytes(0) }),
  row({ key: 'drop', long: 'drop', kind: 'value', value: 'P', commands: UDP, describe: 'fault: drop each datagram with probability P (0..1)', parse: probability }),
  row({ key: 'dup', long: 'dup', kind: 'value', value: 'P', commands: UDP, describe: 'fault: send each datagram twice with probability P', parse: probability }),
  row({ key: 'reorder', long: 'reorder', kind: 'value', value: 'P', commands: UDP, describe: 'fault: hold a datagram back behind the next one with probability P', parse: probability }),
  row({ key: 'seed', long: 'seed', kind: 'value', value: 'N', commands: UDP, needs: UDP_FAULTS, describe: 'the seed of --drop/--dup/--reorder, to repeat a run exactly (default: random, logged at INFO)', parse: seed }),
  row({ key: 'faultDir', long: 'fault-dir', kind: 'value', value: 'DIR', commands: NET, needs: [...TCP_FAULTS, ...UDP_FAULTS], describe: 'the direction faults apply to: out (default: what we send), in (what we receive) or both', parse: (raw) => oneOf('--fault-dir', text(raw), ['in', 'out', 'both'] as const) }),
  // Record (src/taps/record.ts) and replay (src/commands/replay.ts).
  row({ key: 'record', long: 'record', kind: 'value', value: 'FILE', commands: NET, describe: 'write every chunk each way, with its time and direction, and each open and close to FILE (JSON lines)', parse: path }),
  row({ key: 'connect', long: 'connect', kind: 'value', value: 'TARGET', commands: ['replay'], conflicts: ['listen'], describe: 'replay as the client: connect to TARGET and play the recorded client', parse: text }),
  row({ key: 'listen', long: 'listen', kind: 'value', value: 'ADDR', commands: ['replay'], describe: 'replay as the server: listen on ADDR (PORT, host:port, [v6]:port) and play the recorded server', parse: text }),
  row({ key: 'fast', long: 'fast', kind: 'boolean', commands: ['replay'], describe: 'do not keep the recorded timing: send as soon as the other side\'s bytes are in', parse: bool }),
  row({ key: 'strict', long: 'strict', kind: 'boolean', commands: ['replay'], describe: 'compare the other side\'s bytes with the recording: a difference fails (exit 1) with a diff', parse: bool }),
  // Compatibility presets (src/commands/compat.ts).
  row({ key: 'compat', long: 'compat', kind: 'value', value: 'NC', commands: NET, describe: 'read stdin EOF, -k, -q, -w and -i as that netcat does: ncat, openbsd or traditional', parse: (raw) => oneOf('--compat', text(raw), ['ncat', 'openbsd', 'traditional'] as const) }),
] as const;
