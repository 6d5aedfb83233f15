// The flag table: one row per flag (names, type, default, the commands and modes it applies to, conflicts). yargs'
// options, the one check() in nc's voice, the man page test and completion all come from it. A flag the chosen mode
// does not use is a usage error, never silently ignored.
import type { Argv } from 'yargs';
import { isLevelName, type LevelName, type LoggerOptions } from '../log.js';
import { UsageError } from '../core/outcome.js';
import { parseBytes } from '../core/parse.js';
import { rewrite, type Compat } from './compat.js';
import { TESTING_FLAGS } from './flags-testing.js';
import { ALL, bool, duration, NET, oneOf, row, SERVERS, STDIO, TCP, text, UDP, type CommandName, type Flag, type ModeName } from './flag-row.js';
import { NCAT_FLAGS } from './flags-ncat.js';
import { NCAT_MODE_FLAGS } from './flags-ncat-modes.js';
import { PROXY_FLAGS } from './flags-proxy.js';
import { TLS_FLAGS } from './flags-tls.js';
import { UNIX_FLAGS } from './flags-unix.js';

/** The modes of each command, the one used when no selector flag is given first. */
export const MODES: Readonly<Record<CommandName, readonly ModeName[]>> = {
  'tcp-client': ['pipe', 'scan', 'exec'],
  'tcp-server': ['pipe', 'fan-out', 'echo', 'http-proxy', 'exec', 'broker', 'chat'],
  'udp connect': ['pipe', 'scan', 'exec'],
  'udp bind': ['pipe', 'fan-out', 'echo', 'exec', 'broker'],
  run: ['script'],
  replay: ['replay'],
};

const MiB = 1024 * 1024;

/** Why a mode refuses a flag, said after the conflict. */
const WHY: Partial<Record<ModeName, string>> = {
  echo: '--echo does not use stdin or stdout',
  'http-proxy': 'an HTTP proxy does not use stdin or stdout',
  exec: 'the child has the connection, not stdin or stdout',
};

// Row groups of other concerns are spread in here (`...TLS_FLAGS`), each from its own flags-*.ts.
export const FLAGS = [
  // Logging: every command.
  row({ key: 'verbose', long: 'verbose', short: 'v', kind: 'count', commands: ALL, describe: 'more logs: -v INFO (lifecycle), -vv DEBUG, -vvv TRACE and stack traces', parse: (raw) => Number(raw ?? 0) }),
  row({ key: 'quiet', long: 'quiet', kind: 'boolean', commands: ALL, conflicts: ['verbose'], describe: 'only ERROR and worse (no short form: -q is --quit-after)', parse: bool }),
  row({ key: 'logLevel', long: 'log-level', kind: 'value', value: 'LEVEL', commands: ALL, conflicts: ['quiet', 'verbose'], describe: 'FATAL, CRITIC, ERROR, WARN, NOTE (default), INFO, DEBUG or TRACE', parse: text }),
  row({ key: 'logFormat', long: 'log-format', kind: 'value', value: 'FORMAT', commands: ALL, describe: 'text lines, or JSON lines with lifecycle events: text or json', parse: (raw) => oneOf('--log-format', text(raw), ['text', 'json'] as const) }),
  // Addresses and timing: the network commands.
  row({ key: '4', long: '4', kind: 'boolean', commands: [...NET, 'replay'], conflicts: ['6'], describe: 'IPv4 only', parse: bool }),
  row({ key: '6', long: '6', kind: 'boolean', commands: [...NET, 'replay'], describe: 'IPv6 only', parse: bool }),
  row({ key: 'wait', long: 'wait', short: 'w', kind: 'value', value: 'SECS', commands: ['tcp-client', 'udp connect', 'replay'], describe: 'connect timeout, SECS (or 500ms, 2m); with -z, the wait for each port', parse: duration }),
  row({ key: 'idleTimeout', long: 'idle-timeout', short: 'i', kind: 'value', value: 'SECS', commands: [...NET, 'replay'], describe: 'give up after SECS without traffic: exit 1 (with -k or --echo, that peer is closed instead)', parse: duration }),
  // The session: how stdin and the peer's EOF end it.
  row({ key: 'shutdown', long: 'shutdown', kind: 'boolean', commands: TCP, modes: ['pipe', 'fan-out'], describe: 'half-close (send FIN) at stdin EOF (default); --no-shutdown keeps the write side open', parse: (raw) => raw !== false }),
  row({ key: 'quitAfter', long: 'quit-after', short: 'q', kind: 'value', value: 'SECS', commands: NET, modes: STDIO, describe: 'exit SECS after stdin EOF (exit 0)', parse: duration }),
  row({ key: 'linger', long: 'linger', kind: 'value', value: 'SECS', commands: TCP, modes: ['pipe'], describe: 'after the peer\'s FIN, keep sending stdin until it has been idle SECS (default 0.5)', parse: (raw, name) => duration(raw, name) ?? 500 }),
  row({ key: 'progress', long: 'progress', kind: 'boolean', commands: NET, modes: STDIO, describe: 'a live line on stderr: bytes in and out, rate, elapsed (stderr a terminal, stdout not)', parse: bool }),
  // Before the server modes: a selector earlier in the table wins (--proxy-type http implies -k; `-k -e CMD` is exec
  // for each client), ncat's modes (exec, broker, chat) and access control.
  ...PROXY_FLAGS,
  ...NCAT_MODE_FLAGS,
  // Server modes.
  row({ key: 'echo', long: 'echo', kind: 'boolean', commands: SERVERS, selects: 'echo', describe: 'send every peer its own data back (implies -k; stdin and stdout are not used)', parse: bool }),
  row({ key: 'keepOpen', long: 'keep-open', short: 'k', kind: 'boolean', commands: SERVERS, selects: 'fan-out', describe: 'many peers at once: stdin goes to all of them, all of them to stdout', parse: bool }),
  // UDP.
  row({ key: 'lines', long: 'lines', kind: 'boolean', commands: UDP, modes: STDIO, describe: 'one datagram per stdin line (newline included) instead of one per read', parse: bool }),
  row({ key: 'broadcast', long: 'broadcast', short: 'b', kind: 'boolean', commands: UDP, describe: 'allow sending to broadcast addresses', parse: bool }),
  // Scripts.
  row({ key: 'onData', long: 'on-data', kind: 'value', value: 'RULE', commands: ['run'], describe: "how onData's return value reads: rest (default, as documented) or consumed (MonaServer 1.x)", parse: (raw) => oneOf('--on-data', text(raw), ['rest', 'consumed'] as const) ?? 'rest' }),
  // A script's limits (why these defaults: docs/scripts.md).
  row({ key: 'handlerTimeout', long: 'handler-timeout', kind: 'value', value: 'SECS', commands: ['run'], describe: 'stop a Lua handler that runs longer than SECS with an ERROR, the script goes on (default 5s; 0: never)', parse: (raw, name) => duration(raw, name) ?? 5000 }),
  row({ key: 'sendCap', long: 'send-cap', kind: 'value', value: 'BYTES', commands: ['run'], describe: 'close a socket whose send queue passes BYTES with an ERROR (default 64M)', parse: (raw, name) => parseBytes(name, text(raw), 1024) ?? 64 * MiB }),
  // The Lua runtime starts with 16 MiB of WebAssembly memory and cannot address more than 2 GiB.
  row({ key: 'scriptMemory', long: 'script-memory', kind: 'value', value: 'BYTES', commands: ['run'], describe: 'cap the Lua heap at BYTES: past it a handler fails with "not enough memory" (default 512M)', parse: (raw, name) => parseBytes(name, text(raw), 32 * MiB, 2048 * MiB) ?? 512 * MiB }),
  ...TESTING_FLAGS,
  ...NCAT_FLAGS,
  ...TLS_FLAGS,
  ...UNIX_FLAGS,
] as const;

type Row = (typeof FLAGS)[number];
/** Every flag's parsed value, by key. */
export type Settings = { readonly [R in Row as R['key']]: ReturnType<R['parse']> } & {
  readonly family: 4 | 6 | undefined;
  readonly mode: ModeName;
} & Compat;

type Args = Readonly<Record<string, unknown>>;

const given = (f: Flag, argv: Args): boolean => argv[f.key] !== undefined && !(f.kind === 'count' && !argv[f.key]);
/** A selector picks its mode when given: a switch set, or a value (`-e CMD`). */
const selecting = (f: Flag, argv: Args): boolean => f.selects !== undefined && argv[f.key] !== undefined && argv[f.key] !== false;

/**
 * yargs keeps every value of a repeated flag (so that `list` rows get them all); every other flag takes its last
 * value, as getopt does in nc and ncat (`-w 1 -w 2` waits 2 s).
 */
function lastValues(argv: Args): Args {
  const out: Record<string, unknown> = { ...argv };
  for (const f of FLAGS as readonly Flag[]) {
    const value = out[f.key];
    if (f.kind !== 'list' && Array.isArray(value)) out[f.key] = value.at(-1);
  }
  return out;
}

/** How the user wrote a flag: its short form if it has one, --no-X for a negated boolean. */
export const shown = (f: Flag, argv?: Args): string => {
  if (f.kind === 'boolean' && argv?.[f.key] === false && f.key === 'shutdown') return `--no-${f.long}`;
  return f.short ? `-${f.short}` : f.long.length === 1 ? `-${f.long}` : `--${f.long}`;
};

/** The mode a command line asks for: the first selector given, else the command's first mode. */
function modeOf(command: CommandName, argv: Args): ModeName {
  const modes = MODES[command];
  const selected = FLAGS.find((f: Flag) => f.selects !== undefined && modes.includes(f.selects) && selecting(f, argv));
  return selected?.selects ?? modes[0] ?? 'pipe';
}

/**
 * The one check, as nc's conflict block after getopt: a flag of another command, two flags that conflict, a flag
 * the mode does not use. One usage error naming both; returns the mode.
 */
export function check(command: CommandName, raw: Args): ModeName {
  const argv = lastValues(raw);
  const flags: readonly Flag[] = FLAGS;
  const present = flags.filter((f) => given(f, argv));
  for (const f of present) if (!f.commands.includes(command)) throw new UsageError(`cannot use ${shown(f, argv)} with ${command}`);
  for (const f of present) {
    const other = present.find((g) => f.conflicts?.includes(g.key));
    if (other) throw new UsageError(`cannot use ${shown(f, argv)} and ${shown(other, argv)}`);
    if (f.needs && !present.some((g) => f.needs?.includes(g.key))) {
      throw new UsageError(`cannot use ${shown(f, argv)} without ${flags.filter((g) => f.needs?.includes(g.key)).map((g) => shown(g)).join(', ')}`);
    }
  }
  const mode = modeOf(command, argv);
  const selector = flags.find((f) => f.selects === mode && selecting(f, argv));
  for (const f of present) {
    const modes = f.modes;
    if (f.selects || !modes || modes.includes(mode)) continue;
    const why = WHY[mode] ? ` (${WHY[mode]})` : '';
    if (selector) throw new UsageError(`cannot use ${shown(selector)} and ${shown(f, argv)}${why}`);
    const needs = flags.filter((s) => s.selects !== undefined && modes.includes(s.selects) && s.commands.includes(command)).map((s) => shown(s));
    throw new UsageError(`cannot use ${shown(f, argv)} without ${needs.join(' or ')}`);
  }
  return mode;
}

/** Check a command line and parse every flag into its settings (usage errors thrown). A --compat preset rewrites
 * the command line first (compat.ts): the rest never knows. */
export function readSettings(command: CommandName, input: Args): Settings {
  const { argv, overrides } = rewrite(command, lastValues(input));
  const mode = check(command, argv);
  const settings: Record<string, unknown> = { mode };
  for (const f of FLAGS as readonly Flag[]) settings[f.key] = f.parse(argv[f.key], shown(f, argv));
  settings.family = settings[4] ? 4 : settings[6] ? 6 : undefined;
  return { ...settings, ...overrides } as Settings;
}

/** The table's flags as yargs options: every flag on every command (so check() can name a misplaced one), shown in
 * the help of the commands it belongs to. `global` rows (every command) go on the root. */
export function withFlags<T>(y: Argv<T>, command: CommandName | 'root'): Argv<T> {
  for (const f of FLAGS as readonly Flag[]) {
    const everywhere = f.commands.length === ALL.length;
    if (everywhere !== (command === 'root')) continue;
    y = y.option(f.long, {
      ...(f.short ? { alias: f.short } : {}),
      // A list is a string given many times (not yargs' array, which would swallow the positionals after it).
      type: f.kind === 'value' || f.kind === 'list' ? 'string' : f.kind,
      describe: f.describe,
      hidden: command !== 'root' && !f.commands.includes(command),
    });
  }
  return y;
}

/** The logger settings of the log flags (their conflicts are check()'s). */
export function logOptions(s: { verbose?: number | undefined; quiet?: boolean | undefined; logLevel?: string | undefined; logFormat?: string | undefined }): LoggerOptions {
  const verbose = s.verbose ?? 0;
  let level: LevelName = s.quiet ? 'ERROR' : (['NOTE', 'INFO', 'DEBUG', 'TRACE'] as const)[Math.min(verbose, 3)] ?? 'TRACE';
  if (s.logLevel !== undefined) {
    const name = s.logLevel.toUpperCase();
    if (!isLevelName(name)) throw new UsageError(`log level ${s.logLevel}: not one of FATAL, CRITIC, ERROR, WARN, NOTE, INFO, DEBUG, TRACE`);
    level = name;
  }
  return { level, format: s.logFormat === 'json' ? 'json' : 'text', stacks: verbose >= 3 };
}
