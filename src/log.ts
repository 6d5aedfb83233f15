// MonaServer's log levels for the CLI, the library and scripts: text or JSON lines on stderr, lifecycle events.
import { Chalk, type ChalkInstance } from 'chalk';

export const LEVELS = ['FATAL', 'CRITIC', 'ERROR', 'WARN', 'NOTE', 'INFO', 'DEBUG', 'TRACE'] as const;
export type LevelName = (typeof LEVELS)[number];
/** 1 (FATAL) .. 8 (TRACE), MonaServer's numbering. */
export const levelNumber = (name: LevelName): number => LEVELS.indexOf(name) + 1;
export const isLevelName = (text: string): text is LevelName => (LEVELS as readonly string[]).includes(text);

export type LogFormat = 'text' | 'json';

/** The lifecycle moments of cli.md, each with its fixed fields. */
export interface EventFields {
  listening: { address: string; transport: 'tcp' | 'udp' };
  connected: { local: string; peer: string };
  accepted: { local: string; peer: string; id: number };
  eof: { peer: string; direction: 'in' | 'out' };
  closed: { peer: string; id: number; bytesIn: number; bytesOut: number; ms: number; reason: 'eof' | 'reset' | 'timeout' | 'error' | 'local' };
  exit: { code: number; reason: string };
}
export type EventName = keyof EventFields;

export interface LogSink { write(line: string): unknown }

export interface LoggerOptions {
  level?: LevelName;
  format?: LogFormat;
  /** Colour the level names; default: the sink is a TTY and NO_COLOR is unset or empty. */
  color?: boolean;
  sink?: LogSink & { isTTY?: boolean };
  /** Print stack traces of logged errors (the CLI's -vvv). */
  stacks?: boolean;
}

const COLORS: Record<LevelName, (c: ChalkInstance) => ChalkInstance> = {
  FATAL: (c) => c.bgRed.white.bold, CRITIC: (c) => c.red.bold, ERROR: (c) => c.red, WARN: (c) => c.yellow,
  NOTE: (c) => c.green, INFO: (c) => c.cyan, DEBUG: (c) => c.gray, TRACE: (c) => c.gray.dim,
};

// Where each event goes in text format: listening is a NOTE, the other moments are INFO.
const EVENT_LEVEL: Record<EventName, LevelName> = {
  listening: 'NOTE', connected: 'INFO', accepted: 'INFO', eof: 'INFO', closed: 'INFO', exit: 'INFO',
};

/** MonaServer's %.14g for numbers in log arguments. */
function formatNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
  const fixed = n.toPrecision(14);
  return fixed.includes('e') ? fixed.replace(/\.?0+e/, 'e') : fixed.replace(/\.?0+$/, '');
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

export function createLogger(options: LoggerOptions = {}): Logger {
  const sink = options.sink ?? process.stderr;
  const format = options.format ?? 'text';
  const threshold = levelNumber(options.level ?? 'NOTE');
  const noColor = (process.env.NO_COLOR ?? '') !== '';
  const color = options.color ?? (Boolean((sink as { isTTY?: boolean }).isTTY) && !noColor);
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const stacks = options.stacks ?? false;

  const write = (level: LevelName, message: string, extra?: object): void => {
    const now = new Date();
    if (format === 'json') sink.write(`${JSON.stringify({ time: now.toISOString(), level, message, ...extra })}\n`);
    else sink.write(`${clock(now)} ${color ? COLORS[level](chalk)(level) : level} ${message}\n`);
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
