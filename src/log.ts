// MonaServer's log levels for the CLI, the library and scripts: text or JSON lines on stderr, lifecycle events.
// Colours come from Node's util.styleText, not chalk: chalk's ESM `import process from 'node:process'` makes Node 20
// open process.stdin (fd 0 turns non-blocking) in every process that logs.
import { styleText } from 'node:util';

export const LEVELS = ['FATAL', 'CRITIC', 'ERROR', 'WARN', 'NOTE', 'INFO', 'DEBUG', 'TRACE'] as const;
export type LevelName = (typeof LEVELS)[number];
/** 1 (FATAL) .. 8 (TRACE), MonaServer's numbering. */
export const levelNumber = (name: LevelName): number => LEVELS.indexOf(name) + 1;
export const isLevelName = (text: string): text is LevelName => (LEVELS as readonly string[]).includes(text);

export type LogFormat = 'text' | 'json';

/** Fields a tap adds to an event (--digest's sha256In, sha256Out). */
export type Extra = Readonly<Record<string, string | number>>;

/** The lifecycle moments of cli.md, each with its fixed fields. */
export interface EventFields {
  listening: { address: string; transport: 'tcp' | 'udp' | 'tls' | 'unix' };
  connected: { local: string; peer: string };
  accepted: { local: string; peer: string; id: number };
  eof: { peer: string; direction: 'in' | 'out' };
  closed: { peer: string; id: number; bytesIn: number; bytesOut: number; ms: number; reason: 'eof' | 'reset' | 'timeout' | 'error' | 'local' } & Extra;
  exit: { code: number; reason: string };
}
export type EventName = keyof EventFields;

export interface LogSink { write(line: string): unknown }

export interface LoggerOptions {
  level?: LevelName;
  format?: LogFormat;
  /** Colour the level names; default: `wantsColor(sink.isTTY)`. */
  color?: boolean;
  sink?: LogSink & { isTTY?: boolean };
  /** Print stack traces of logged errors (the CLI's -vvv). */
  stacks?: boolean;
}

type Style = Extract<Parameters<typeof styleText>[0], string>;
const COLORS: Record<LevelName, Style[]> = {
  FATAL: ['bgRed', 'white', 'bold'], CRITIC: ['red', 'bold'], ERROR: ['red'], WARN: ['yellow'],
  NOTE: ['green'], INFO: ['cyan'], DEBUG: ['gray'], TRACE: ['gray', 'dim'],
};
// We decide about colour ourselves (wantsColor: stderr, not stdout), so styleText must not look at stdout.
const paint = (level: LevelName): string => styleText(COLORS[level], level, { validateStream: false });

// Where each event goes in text format: listening is a NOTE, the other moments are INFO.
const EVENT_LEVEL: Record<EventName, LevelName> = {
  listening: 'NOTE', connected: 'INFO', accepted: 'INFO', eof: 'INFO', closed: 'INFO', exit: 'INFO',
};

/** C's %.14g, which MonaServer uses for numbers in log arguments: 14 significant digits, no trailing zeros. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa = '0', exp = '0'] = n.toExponential(13).split('e');
  const e = Number(exp);
  if (e < -4 || e >= 14) return `${mantissa.replace(/\.?0+$/, '')}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  const fixed = n.toFixed(Math.max(0, 13 - e));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** Join log arguments as MonaServer does: no separator, nil -> (null), booleans -> (true)/(false). */
export function joinArgs(args: readonly unknown[], stacks = false): string {
  return args.map((a) => {
    if (a === undefined || a === null) return '(null)';
    if (typeof a === 'boolean') return `(${a})`;
    if (typeof a === 'number') return formatNumber(a);
    if (typeof a === 'string') return a;
    if (Buffer.isBuffer(a)) return a.toString('latin1');
    if (a instanceof Error) return stacks && a.stack ? a.stack : a.message;
    return String(a);
  }).join('');
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const clock = (d: Date): string => `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;

export interface Logger {
  readonly level: LevelName;
  readonly format: LogFormat;
  enabled(level: LevelName): boolean;
  log(level: LevelName, ...args: unknown[]): void;
  /** A lifecycle event: always written in JSON format, at its level in text format. */
  event<E extends EventName>(name: E, fields: EventFields[E], message: string): void;
}

/**
 * Whether text logs are coloured: FORCE_COLOR forces it (except `0` and `false`, which refuse it), as in Node and
 * chalk; otherwise only on a terminal, never with NO_COLOR set and not empty, nor with TERM=dumb (a terminal that
 * cannot show escapes: Emacs' shell, some CI logs).
 */
export function wantsColor(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return isTTY && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const sink = options.sink ?? process.stderr;
  const format = options.format ?? 'text';
  const threshold = levelNumber(options.level ?? 'NOTE');
  const color = options.color ?? wantsColor(Boolean((sink as { isTTY?: boolean }).isTTY));
  const stacks = options.stacks ?? false;

  const write = (level: LevelName, message: string, extra?: object): void => {
    const now = new Date();
    if (format === 'json') sink.write(`${JSON.stringify({ time: now.toISOString(), level, message, ...extra })}\n`);
    else sink.write(`${clock(now)} ${color ? paint(level) : level} ${message}\n`);
  };
  const enabled = (level: LevelName): boolean => levelNumber(level) <= threshold;
  return {
    level: LEVELS[threshold - 1] ?? 'NOTE',
    format,
    enabled,
    log(level, ...args) { if (enabled(level)) write(level, joinArgs(args, stacks)); },
    event(name, fields, message) {
      const level = EVENT_LEVEL[name];
      if (format === 'json') write(level, message, { event: name, ...fields });
      else if (enabled(level)) write(level, message);
    },
  };
}

let current: Logger | undefined;
/** The process-wide logger used by the sockets, the log functions below and the CLI. */
export const logger = (): Logger => (current ??= createLogger());
/** Replace the process-wide logger (the CLI does it once from its flags). */
export function configureLog(options: LoggerOptions): Logger {
  current = createLogger(options);
  return current;
}

/* The log functions of Mona scripts: several arguments are concatenated, as MonaServer does. */
export const FATAL = (...args: unknown[]): void => logger().log('FATAL', ...args);
export const CRITIC = (...args: unknown[]): void => logger().log('CRITIC', ...args);
export const ERROR = (...args: unknown[]): void => logger().log('ERROR', ...args);
export const WARN = (...args: unknown[]): void => logger().log('WARN', ...args);
export const NOTE = (...args: unknown[]): void => logger().log('NOTE', ...args);
export const INFO = (...args: unknown[]): void => logger().log('INFO', ...args);
export const DEBUG = (...args: unknown[]): void => logger().log('DEBUG', ...args);
export const TRACE = (...args: unknown[]): void => logger().log('TRACE', ...args);
