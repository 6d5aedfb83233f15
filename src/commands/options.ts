// Shared flags and their parsers: one place that turns argv text into ports, addresses, seconds and log settings.
import type { Argv } from 'yargs';
import { isLevelName, type LevelName, type LoggerOptions } from '../log.js';
import { isIPv6 } from 'node:net';
import { splitHostPort } from '../mona/address.js';
import { UsageError } from './usage.js';

export interface LogArgs {
  verbose?: number | undefined;
  quiet?: boolean | undefined;
  logLevel?: string | undefined;
  logFormat?: string | undefined;
}

export interface FamilyArgs { 4?: boolean | undefined; 6?: boolean | undefined }
export interface WaitArgs { wait?: string | undefined }
export interface IdleArgs { idleTimeout?: string | undefined }
export interface ProgressArgs { progress?: boolean | undefined }
export interface SessionArgs { shutdown?: boolean | undefined; quitAfter?: string | undefined; linger?: string | undefined }

/** Logging flags, on every command. */
export const withLogOptions = <T>(y: Argv<T>): Argv<T & LogArgs> => y
  .option('verbose', { alias: 'v', type: 'count', describe: 'more logs: -v INFO (lifecycle), -vv DEBUG, -vvv TRACE and stack traces' })
  .option('quiet', { type: 'boolean', describe: 'only ERROR and worse (no short form: -q is --quit-after)' })
  .option('log-level', { type: 'string', describe: 'FATAL, CRITIC, ERROR, WARN, NOTE (default), INFO, DEBUG or TRACE' })
  .option('log-format', { type: 'string', choices: ['text', 'json'], describe: 'text lines, or JSON lines with lifecycle events' }) as Argv<T & LogArgs>;

export const withFamily = <T>(y: Argv<T>): Argv<T & FamilyArgs> => y
  .option('4', { type: 'boolean', describe: 'IPv4 only' })
  .option('6', { type: 'boolean', describe: 'IPv6 only' }) as Argv<T & FamilyArgs>;

export const withWait = <T>(y: Argv<T>): Argv<T & WaitArgs> => y
  .option('wait', { alias: 'w', type: 'string', describe: 'connect timeout, SECS (or 500ms, 2m)' }) as Argv<T & WaitArgs>;

export const withIdle = <T>(y: Argv<T>, what = 'traffic'): Argv<T & IdleArgs> => y
  .option('idle-timeout', { alias: 'i', type: 'string', describe: `give up after SECS without ${what}: exit 1 (a -k or --echo TCP server closes that client instead)` }) as Argv<T & IdleArgs>;

export const withSession = <T>(y: Argv<T>): Argv<T & SessionArgs> => y
  .option('shutdown', { type: 'boolean', default: true, describe: 'half-close (send FIN) at stdin EOF; --no-shutdown keeps the write side open' })
  .option('quit-after', { alias: 'q', type: 'string', describe: 'exit SECS after stdin EOF (exit 0)' })
  .option('linger', { type: 'string', describe: 'after the peer\'s FIN, keep sending stdin until it has been idle SECS (default 0.5)' }) as Argv<T & SessionArgs>;

/** --progress, on the commands that move stdin/stdout through a socket. */
export const withProgress = <T>(y: Argv<T>): Argv<T & ProgressArgs> => y
  .option('progress', { type: 'boolean', describe: 'a live line on stderr: bytes in and out, rate, elapsed (stderr a terminal, stdout not)' }) as Argv<T & ProgressArgs>;

/** The logger settings of the flags; a usage error for conflicts. */
export function logOptions(argv: LogArgs): LoggerOptions {
  const verbose = argv.verbose ?? 0;
  if (argv.quiet && verbose > 0) throw new UsageError('cannot use --quiet and -v');
  if (argv.logLevel !== undefined && (argv.quiet || verbose > 0)) throw new UsageError(`cannot use --log-level and ${argv.quiet ? '--quiet' : '-v'}`);
  let level: LevelName = argv.quiet ? 'ERROR' : (['NOTE', 'INFO', 'DEBUG', 'TRACE'] as const)[Math.min(verbose, 3)] ?? 'TRACE';
  if (argv.logLevel !== undefined) {
    const name = argv.logLevel.toUpperCase();
    if (!isLevelName(name)) throw new UsageError(`log level ${argv.logLevel}: not one of FATAL, CRITIC, ERROR, WARN, NOTE, INFO, DEBUG, TRACE`);
    level = name;
  }
  return { level, format: argv.logFormat === 'json' ? 'json' : 'text', stacks: verbose >= 3 };
}

/** One port parser: integers 0..65535 (1..65535 for a target), "port 70000: too large". */
export function parsePort(text: unknown, { allowZero }: { allowZero: boolean }): number {
  const s = String(text).trim();
  if (!/^\d+$/.test(s)) throw new UsageError(`port ${String(text)}: not a number`);
  const port = Number(s);
  if (port > 65535) throw new UsageError(`port ${s}: too large`);
  if (port === 0 && !allowZero) throw new UsageError(`port ${s}: too small (a target port is 1..65535)`);
  return port;
}

/** Seconds as given to -w/-i/-q/--linger: "2", "0.5", "500ms", "2s", "1m"; returned in milliseconds. */
export function parseSeconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new UsageError(`${flag} ${text}: not a duration (SECS, or with ms/s/m/h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

export interface HostPort { host: string; port: number }

/** With a separate port, the host must not carry one too ("127.0.0.1:80 81"); a bare IPv6 literal is fine. */
const hostOnly = (text: string, what: string): string => {
  const host = text.replace(/^\[(.*)\]$/, '$1');
  if (host.includes(':') && !isIPv6(host)) throw new UsageError(`${text}: give ${what}:port or ${what} port, not both`);
  return checkHost(host, what);
};

const checkHost = (host: string, what: string): string => {
  if (host === '' || /[\s/]/.test(host)) throw new UsageError(`${what} ${host === '' ? '(empty)' : host}: not a host name or address`);
  return host;
};

/** A target: "host:port", "[v6]:port", or host and a separate port. */
export function parseTarget(target: string, port: unknown): HostPort {
  if (port !== undefined) return { host: hostOnly(target, 'host'), port: parsePort(port, { allowZero: false }) };
  const split = splitHostPort(target);
  if (split.port === undefined) throw new UsageError(`${target}: missing port (give host:port, [v6]:port or host port)`);
  return { host: checkHost(split.host, 'host'), port: parsePort(split.port, { allowZero: false }) };
}

/** A listen address: "1234" (all interfaces: host undefined), "127.0.0.1:1234", "[::1]:1234", or host and port. */
export function parseListen(first: string, second: unknown): { host: string | undefined; port: number } {
  if (second !== undefined) return { host: hostOnly(first, 'address'), port: parsePort(second, { allowZero: true }) };
  if (/^\s*\d+\s*$/.test(first)) return { host: undefined, port: parsePort(first, { allowZero: true }) };
  const split = splitHostPort(first);
  if (split.port === undefined) throw new UsageError(`${first}: missing port (give PORT, host:port, [v6]:port or host port)`);
  return { host: split.host === '' ? undefined : checkHost(split.host, 'address'), port: parsePort(split.port, { allowZero: true }) };
}

/** -4/-6 as a family; both is a usage error. */
export function familyOf(argv: FamilyArgs): 4 | 6 | undefined {
  if (argv[4] && argv[6]) throw new UsageError('cannot use -4 and -6');
  return argv[4] ? 4 : argv[6] ? 6 : undefined;
}

/** The session flags as milliseconds and booleans. */
export function pipeOptions(argv: SessionArgs & IdleArgs): { shutdown: boolean; quitAfter: number | undefined; linger: number; idleTimeout: number | undefined } {
  return {
    shutdown: argv.shutdown !== false,
    quitAfter: parseSeconds('-q', argv.quitAfter),
    linger: parseSeconds('--linger', argv.linger) ?? 500,
    idleTimeout: parseSeconds('-i', argv.idleTimeout),
  };
}
