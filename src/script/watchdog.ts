// A thread that still hears SIGINT/SIGTERM while a script's handler holds the main thread (JS `for(;;){}`): it tells
// the Lua watchdog at once (which aborts the handler), and ends the process if the main thread stays stuck.
import { Worker } from 'node:worker_threads';
import { logger } from '../log.js';

// Node runs signal listeners on the main thread's event loop, which an endless handler never gives back; a worker
// has its own loop, and libuv delivers a signal to every loop watching it. Worker threads get no process.on(signal),
// so the worker uses the signal handle process.on itself is built on (process.binding('signal_wrap')).
const WORKER = String.raw`
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const shared = new BigInt64Array(workerData.shared);
process.noDeprecation = true;
const { Signal } = process.binding('signal_wrap');
const pad = (n, w = 2) => String(n).padStart(w, '0');
const end = (name) => {
  const message = 'a handler held the main thread after ' + name + ': killed (a script handler that never returns?)';
  const now = new Date();
  const line = workerData.format === 'json'
    ? JSON.stringify({ time: now.toISOString(), level: 'ERROR', message })
    : pad(now.getHours()) + ':' + pad(now.getMinutes()) + ':' + pad(now.getSeconds()) + '.' + pad(now.getMilliseconds(), 3) + ' ERROR ' + message;
  try { writeSync(2, line + '\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
};
for (const [name, number] of workerData.signals) {
  const handle = new Signal();
  handle.onsignal = () => {
    Atomics.add(shared, 0, 1n);
    const since = Date.now();
    // The main thread beats every 250 ms while its loop turns: stuck for a second after the signal, it will not
    // handle it; past the grace, it did not.
    const check = setInterval(() => {
      const now = Date.now();
      const stuck = now - Number(Atomics.load(shared, 1)) > 1000 && now - since >= 1000;
      if (stuck || now - since > workerData.graceMs + 500) end(name);
    }, 100);
  };
  handle.start(number);
}
`;

let shared: BigInt64Array | undefined;

/**
 * Start the signal watch (once per process): `graceMs` is how long the CLI gives a clean close after a signal, `format`
 * the log format of the one ERROR line written when the process has to be killed. Without the binding (a future
 * Node), nothing happens: signals then wait for the handler, as before.
 */
export function watchSignals(graceMs: number, format: 'text' | 'json'): void {
  if (shared) return;
  shared = new BigInt64Array(new SharedArrayBuffer(16));
  const beat = (): void => { if (shared) Atomics.store(shared, 1, BigInt(Date.now())); };
  beat();
  setInterval(beat, 250).unref();
  try {
    // A small heap: the worker only waits for signals (and stays bounded if it ever did more).
    const worker = new Worker(WORKER, { eval: true, workerData: { shared: shared.buffer, graceMs, format, signals: [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]] }, stdout: false, stderr: false, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1, stackSizeMb: 1 } });
    worker.on('error', (err) => logger().log('DEBUG', 'signal watch: ', err.message));
    worker.unref();
  } catch {
    // No worker threads here: the watch is a safety net, not a feature.
  }
}

/** Signals received so far (0 before any): a Lua handler running when this changes is aborted. */
export const signalsSeen = (): number => (shared ? Number(Atomics.load(shared, 0)) : 0);
