// The value parsers of the command line, one message shape each ("port 70000: too large"): usage errors, exit 2.
import { UsageError } from './outcome.js';

/** One port parser: integers 0..65535 (1..65535 for a target), "port 70000: too large". */
export function parsePort(text: unknown, { allowZero }: { allowZero: boolean }): number {
  const s = String(text);
  if (!/^\d+$/.test(s)) throw new UsageError(`port ${/^\S+$/.test(s) ? s : JSON.stringify(s)}: not a number`);
  const port = Number(s);
  if (port > 65535) throw new UsageError(`port ${s}: too large`);
  if (port === 0 && !allowZero) throw new UsageError(`port ${s}: too small (a target port is 1..65535)`);
  return port;
}

/** Longest duration a flag takes (about 285,000 years): past it, "not a duration". Timers chain past Node's limit. */
const MAX_DURATION_MS = Number.MAX_SAFE_INTEGER;

/** Seconds as given to -w/-i/-q/--linger: "2", "0.5", "500ms", "2s", "1m", "1h"; returned in milliseconds. */
export function parseSeconds(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new UsageError(`${flag} ${text}: not a duration (SECS, or with ms/s/m/h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  const ms = Math.round(Number(m[1]) * unit);
  if (ms > MAX_DURATION_MS) throw new UsageError(`${flag} ${text}: too long`);
  return ms;
}

const MiB = 1024 * 1024;

/** A size in bytes: "65536", "64k", "64M", "1G" (K, M, G are powers of 1024; a trailing "iB" or "B" is allowed). */
export function parseBytes(flag: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmg])(?:i?b)?|b)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`${flag} ${text}: not a size (BYTES, or with K, M, G)`);
  const unit = { k: 1024, m: MiB, g: 1024 * MiB }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < min) throw new UsageError(`${flag} ${text}: too small (at least ${min} bytes)`);
  if (bytes > max) throw new UsageError(`${flag} ${text}: too large (at most ${max} bytes)`);
  return bytes;
}
