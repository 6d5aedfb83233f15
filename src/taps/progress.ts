// --progress: one live line on a terminal's stderr (bytes each way, rate, elapsed), redrawn at most 10 times a
// second and erased at the end. It only reads byte counters, so no mode knows about it.
import type { LogSink } from '../log.js';

/** What the line shows: bytes received (written to stdout) and bytes read from stdin to send. */
export interface Counters {
  readonly received: number;
  readonly sent: number;
}

export interface Progress {
  /** A log sink for the same stream: each log line replaces the live line, which comes back at the next redraw. */
  readonly sink: LogSink & { isTTY: boolean };
  /** Erase the line for good. */
  stop(): void;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 0 B, 999 B, 1.5 KiB, 12.3 MiB, 1.00 GiB: three significant digits from KiB up. */
export function formatBytes(n: number): string {
  let unit = 0;
  while (n >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(n)} B`;
  return `${n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)} ${UNITS[unit]}`;
}

/** 0:07, 12:34, 1:02:03. */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (v: number): string => String(v).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor(s / 60) % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** The text of the line; `rate` is bytes per second both ways together. */
export function formatLine(counters: Counters, rate: number, elapsedMs: number): string {
  return `in ${formatBytes(counters.received)}  out ${formatBytes(counters.sent)}  ${formatBytes(rate)}/s  ${formatElapsed(elapsedMs)}`;
}

// Redraws per second at most, and the window the rate is measured over.
const INTERVAL_MS = 100;
const RATE_WINDOW_MS = 1000;
const ERASE = '\r\u001b[K';

export function startProgress(stream: NodeJS.WriteStream, counters: Counters, now: () => number = Date.now): Progress {
  const start = now();
  const samples: Array<{ at: number; total: number }> = [];
  let shown = '';
  let stopped = false;

  const draw = (): void => {
    const at = now();
    const total = counters.received + counters.sent;
    samples.push({ at, total });
    while (samples.length > 2 && at - (samples[1]?.at ?? at) >= RATE_WINDOW_MS) samples.shift();
    const first = samples[0] ?? { at, total };
    const rate = at > first.at ? ((total - first.total) * 1000) / (at - first.at) : 0;
    // Never wider than the terminal: a wrapped line could not be erased with \r.
    const text = formatLine(counters, rate, at - start).slice(0, Math.max(0, (stream.columns || 80) - 1));
    if (text === shown) return;
    stream.write(`${ERASE}${text}`);
    shown = text;
  };
  const timer = setInterval(draw, INTERVAL_MS);
  timer.unref();
  draw();

  return {
    sink: {
      isTTY: true,
      write(line: string) {
        if (stopped || !shown) return stream.write(line);
        shown = '';
        return stream.write(`${ERASE}${line}`);
      },
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (shown) stream.write(ERASE);
      shown = '';
    },
  };
}
