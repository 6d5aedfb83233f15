// stdin/stdout for the modes: received bytes out with backpressure, a quiet end when stdout's reader goes,
// stdin read only on demand (and paused, never buffered, while the socket's queue is full).
import { fstatSync, read } from 'node:fs';
import { churn } from '../mona/reclaim.js';

export interface InputHandlers {
  data(chunk: Buffer): void;
  end(): void;
}

export interface Input {
  pause(): void;
  resume(): void;
  /** Stop reading for good (the session is over or lingered out). */
  stop(): void;
  readonly ended: boolean;
}

export interface Stdio {
  /** Write received bytes; false means "wait for onDrain". After stdout closed, bytes are dropped. */
  write(chunk: Buffer): boolean;
  onDrain(fn: () => void): void;
  /** Once, if stdout's reader goes away (`| head -c 10`): the session ends quietly, exit 0. */
  onClosed(fn: () => void): void;
  readonly closed: boolean;
  /** Bytes written to stdout and not yet taken by its reader. */
  readonly pending: number;
  /** Start reading stdin; call once. */
  read(handlers: InputHandlers): Input;
  /** Resolves when everything written has reached stdout (or stdout is gone). */
  flush(): Promise<void>;
}

const EMPTY = Buffer.alloc(0);

export function createStdio(out: NodeJS.WriteStream = process.stdout, input: NodeJS.ReadStream = process.stdin): Stdio {
  let closed = false;
  const closedListeners: Array<() => void> = [];
  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const fn of closedListeners.splice(0)) fn();
  };
  // EPIPE and friends: the reader is gone. Nothing more can be delivered; the mode ends the session.
  out.on('error', close);
  out.on('close', close);

  return {
    write: (chunk) => (closed ? true : out.write(chunk)),
    onDrain: (fn) => { out.once('drain', fn); },
    onClosed: (fn) => { if (closed) queueMicrotask(fn); else closedListeners.push(fn); },
    get closed() { return closed; },
    get pending() { return out.writableLength; },
    read: (handlers) => (isFile(input) ? readFile(0, handlers) : readInput(input, handlers)),
    flush: () => new Promise((resolve) => {
      if (closed || out.writableLength === 0) return resolve();
      out.write(EMPTY, () => resolve());
      out.once('close', resolve);
    }),
  };
}

/** Bytes asked of a regular file in one read: fewer, larger reads than a stream's 64 KiB (bulk `< file`). */
export const FILE_CHUNK = 1024 * 1024;

const isFile = (input: NodeJS.ReadStream): boolean => {
  try {
    return input === process.stdin ? fstatSync(0).isFile() : false;
  } catch {
    return false;
  }
};

/**
 * stdin redirected from a regular file: 1 MiB reads at the file's current offset (shared with whoever else reads
 * it, as nc's read(2) would), one read in flight. A read that completes while paused is still delivered (at most
 * one chunk beyond the pause), which keeps the next chunk ready when the socket drains.
 */
function readFile(fd: number, handlers: InputHandlers): Input {
  let ended = false;
  let stopped = false;
  let paused = false;
  let reading = false;
  const next = (): void => {
    if (paused || stopped || ended || reading) return;
    reading = true;
    const buffer = Buffer.allocUnsafe(FILE_CHUNK);
    read(fd, buffer, 0, FILE_CHUNK, null, (err, n) => {
      reading = false;
      if (stopped || ended) return;
      if (err || n === 0) {
        ended = true;
        handlers.end();
        return;
      }
      // Ask for the next chunk before handing this one on: the read overlaps the socket write.
      next();
      churn(n);
      handlers.data(n === FILE_CHUNK ? buffer : buffer.subarray(0, n));
    });
  };
  queueMicrotask(next);
  return {
    pause: () => { paused = true; },
    resume: () => {
      paused = false;
      next();
    },
    stop: () => { stopped = true; },
    get ended() { return ended; },
  };
}

function readInput(input: NodeJS.ReadStream, handlers: InputHandlers): Input {
  let ended = false;
  let stopped = false;
  const end = (): void => {
    if (ended || stopped) return;
    ended = true;
    handlers.end();
  };
  input.on('data', (chunk: Buffer | string) => {
    if (stopped) return;
    churn(chunk.length);
    handlers.data(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  });
  input.on('end', end);
  // A stdin that cannot be read (EBADF, EISDIR...) is an empty one.
  input.on('error', end);
  return {
    pause: () => { if (!stopped) input.pause(); },
    resume: () => { if (!stopped && !ended) input.resume(); },
    stop: () => {
      if (stopped) return;
      stopped = true;
      input.pause();
      input.destroy();
    },
    get ended() { return ended; },
  };
}
