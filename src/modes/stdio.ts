// stdin/stdout for the modes: received bytes out with backpressure, a quiet end when stdout's reader goes,
// stdin read only on demand (and paused, never buffered, while the socket's queue is full).
import { createReadStream, fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { isatty } from 'node:tty';

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
export function createStdio(out: NodeJS.WriteStream = process.stdout, input?: NodeJS.ReadStream): Stdio {
  let closed = false;
  const counts = { received: 0, sent: 0 };
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
    write: (chunk) => {
      if (closed) return true;
      counts.received += chunk.length;
      return out.write(chunk);
    },
    onDrain: (fn) => { out.once('drain', fn); },
    onClosed: (fn) => { if (closed) queueMicrotask(fn); else closedListeners.push(fn); },
    get pending() { return out.writableLength; },
    read: (handlers, maxRead) => readInput(input ?? (maxRead ? boundedStdin(maxRead) : process.stdin), handlers, counts),
    flush: () => new Promise((resolve) => {
      if (closed || out.writableLength === 0) return resolve();
      out.write(EMPTY, () => resolve());
      out.once('close', resolve);
    }),
    get received() { return counts.received; },
    get sent() { return counts.sent; },
  };
}

/**
 * stdin in reads of at most `max` bytes. process.stdin reads a pipe 64 KiB at a time, so pipes and sockets get a socket
 * of our own on fd 0 reading into a `max`-byte buffer; files (which never block) an fs stream; a terminal gives
 * lines anyway. Never the thread pool on a pipe: a blocked read there would hold up process.exit().
 */
function boundedStdin(max: number): Readable {
  let kind: 'file' | 'stream' | 'tty' = 'tty';
  try {
    const st = fstatSync(0);
    if (st.isFIFO() || st.isSocket()) kind = 'stream';
    else if (!isatty(0)) kind = 'file';
  } catch { kind = 'file'; }
  if (kind === 'file') return createReadStream('', { fd: 0, highWaterMark: max, autoClose: false });
  if (kind === 'tty') return process.stdin;
  const buffer = Buffer.allocUnsafe(max);
  // net.Socket takes `onread` in its constructor too (Node's types only list it for connect()).
  const options = {
    fd: 0, readable: true, writable: false,
    onread: { buffer, callback: (n: number): boolean => { socket.emit('data', Buffer.from(buffer.subarray(0, n))); return !socket.isPaused(); } },
  };
  const socket: Socket = new Socket(options as ConstructorParameters<typeof Socket>[0]);
  return socket;
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
