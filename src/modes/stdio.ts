// stdin/stdout for the modes: received bytes out with backpressure, a quiet end when stdout's reader goes,
// stdin read only on demand (and paused, never buffered, while the socket's queue is full).
import { fstatSync, read } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { isatty } from 'node:tty';
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
}

export interface Stdio {
  /** Write received bytes; false means "wait for onDrain". After stdout closed, bytes are dropped. */
  write(chunk: Buffer): boolean;
  onDrain(fn: () => void): void;
  /** Once, if stdout's reader goes away (`| head -c 10`): the session ends quietly, exit 0. */
  onClosed(fn: () => void): void;
  /** Bytes written to stdout and not yet taken by its reader. */
  readonly pending: number;
  /** Start reading stdin; call once. With `maxRead`, no read is longer (UDP: one read, one datagram). */
  read(handlers: InputHandlers, maxRead?: number): Input;
  /** Resolves when everything written has reached stdout (or stdout is gone). */
  flush(): Promise<void>;
  /** Bytes written to stdout (received) and read from stdin (to send): what --progress shows. */
  readonly received: number;
  readonly sent: number;
}

const EMPTY = Buffer.alloc(0);

// stdin is opened only when a mode reads it (a few ms at start-up that a refused connect does not need).
export function createStdio(output?: NodeJS.WriteStream, input?: NodeJS.ReadStream): Stdio {
  let closed = false;
  const counts = { received: 0, sent: 0 };
  const closedListeners: Array<() => void> = [];
  const close = (): void => {
    if (closed) return;
    closed = true;
    for (const fn of closedListeners.splice(0)) fn();
  };
  // process.stdout is made on first use (a refused connect never needs it: a few ms at start-up).
  let out: NodeJS.WriteStream | undefined;
  const stdout = (): NodeJS.WriteStream => {
    if (!out) {
      out = output ?? process.stdout;
      // EPIPE and friends: the reader is gone. Nothing more can be delivered; the mode ends the session.
      out.on('error', close);
      out.on('close', close);
    }
    return out;
  };

  return {
    write: (chunk) => {
      if (closed) return true;
      counts.received += chunk.length;
      return stdout().write(chunk);
    },
    onDrain: (fn) => { stdout().once('drain', fn); },
    onClosed: (fn) => {
      stdout();
      if (closed) queueMicrotask(fn);
      else closedListeners.push(fn);
    },
    get pending() { return out?.writableLength ?? 0; },
    read: (handlers, maxRead) => {
      if (input) return readInput(input, handlers, counts);
      const kind = stdinKind();
      if (kind === 'file') return readFile(0, handlers, counts, maxRead ?? FILE_CHUNK);
      return readInput(kind === 'stream' && maxRead ? boundedStream(maxRead) : process.stdin, handlers, counts);
    },
    flush: () => new Promise((resolve) => {
      if (closed || !out || out.writableLength === 0) return resolve();
      out.write(EMPTY, () => resolve());
      out.once('close', resolve);
    }),
    get received() { return counts.received; },
    get sent() { return counts.sent; },
  };
}

/** Bytes asked of a regular file in one read: fewer, larger reads than a stream's 64 KiB (bulk `< file`). */
export const FILE_CHUNK = 1024 * 1024;

/** What fd 0 is: a regular file (or /dev/null: reads never block), a pipe or socket, or a terminal. */
function stdinKind(): 'file' | 'stream' | 'tty' {
  try {
    const st = fstatSync(0);
    if (st.isFile() || (st.isCharacterDevice() && !isatty(0))) return 'file';
    return st.isFIFO() || st.isSocket() ? 'stream' : 'tty';
  } catch {
    return 'file';
  }
}

/**
 * A pipe or socket on fd 0 read into a `max`-byte buffer (UDP: one read, one datagram; process.stdin reads 64 KiB).
 * Not the thread pool: a read blocked there would hold up process.exit().
 */
function boundedStream(max: number): Readable {
  const buffer = Buffer.allocUnsafe(max);
  // net.Socket takes `onread` in its constructor too (Node's types only list it for connect()).
  const options = {
    fd: 0, readable: true, writable: false,
    onread: { buffer, callback: (n: number): boolean => { socket.emit('data', Buffer.from(buffer.subarray(0, n))); return !socket.isPaused(); } },
  };
  const socket: Socket = new Socket(options as ConstructorParameters<typeof Socket>[0]);
  return socket;
}

/**
 * stdin redirected from a regular file: `chunk`-byte reads at the file's current offset (shared with whoever else
 * reads it, as nc's read(2) would), one read in flight. A read that completes while paused is still delivered (at
 * most one chunk beyond the pause), which keeps the next chunk ready when the socket drains.
 */
function readFile(fd: number, handlers: InputHandlers, counts: { sent: number }, chunk: number): Input {
  let ended = false;
  let stopped = false;
  let paused = false;
  let reading = false;
  const next = (): void => {
    if (paused || stopped || ended || reading) return;
    reading = true;
    const buffer = Buffer.allocUnsafe(chunk);
    read(fd, buffer, 0, chunk, null, (err, n) => {
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
      counts.sent += n;
      handlers.data(n === chunk ? buffer : buffer.subarray(0, n));
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
  };
}

function readInput(input: Readable, handlers: InputHandlers, counts: { sent: number }): Input {
  let ended = false;
  let stopped = false;
  const end = (): void => {
    if (ended || stopped) return;
    ended = true;
    handlers.end();
  };
  input.on('data', (chunk: Buffer | string) => {
    if (stopped) return;
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    churn(data.length);
    counts.sent += data.length;
    handlers.data(data);
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
  };
}
