// Capture the process-wide logger (each ava test file runs in its own process).
import { configureLog } from '../../src/log.js';

export function captureLog(): string[] {
  const lines: string[] = [];
  configureLog({ level: 'TRACE', color: false, sink: { write: (line: string) => { lines.push(line.replace(/^\S+ /, '').trimEnd()); } } });
  return lines;
}

/** Resolve once `check()` is true, polling every 5 ms; reject after `ms`. */
export function until(check: () => boolean, ms = 5000, what = 'a condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (check()) return resolve();
      if (Date.now() - started > ms) return reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}
