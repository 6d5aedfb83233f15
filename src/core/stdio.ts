// stdin/stdout as an endpoint: received bytes out with backpressure, a quiet end when stdout's reader goes (EPIPE)
// and a failure for any other write error, stdin read only on demand (paused, never buffered, while the sink is full).
import { fstatSync, read } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { isatty } from 'node:tty';
import { causeOf, codeOf } from '../mona/errors.js';
import { churn } from '../mona/reclaim.js';
import type { Endpoint, EndpointEvents, Failure } from './endpoint.js';
import { datagramCutter } from './framing.js';
import { shapeInput, type Shaping } from './shape.js';
import type { Input, InputHandlers } from './input.js';

export interface Stdio {
  /** Write received bytes; false means "wait for onDrain". After stdout closed, bytes are dropped. */
  write(chunk: Buffer): boolean;
  onDrain(fn: () => void): void;
  /**
   * Once, when stdout can take no more: its reader went away (`| head -c 10`: EPIPE, `error` undefined, a quiet end)
   * or a write failed (`> /dev/full`: the error, a failure).
   */
  onClosed(fn: (error: Error | undefined) => void): void;
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
  let failure: Error | undefined;
  const counts = { received: 0, sent: 0 };
  const closedListeners: Array<(error: Error | undefined) => void> = [];
  // Only EPIPE means "the reader left"; any other write error (ENOSPC, EIO) is a failure, never a silent end.
  const close = (err?: Error): void => {
    if (closed) return;
    closed = true;
    if (err && codeOf(err) !== 'EPIPE') failure = err;
    for (const fn of closedListeners.splice(0)) fn(failure);
  };
  // process.stdout is made on first use (a refused connect never needs it: a few ms at start-up).
  let out: NodeJS.WriteStream | undefined;
  const stdout = (): NodeJS.WriteStream => {
    if (!out) {
      out = output ?? process.stdout;
      out.on('error', close);
      out.on('close', () => close());
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
      if (closed) queueMicrotask(() => fn(failure));
      else closedListeners.push(fn);
    },
    get pending() { return out?.writableLength ?? 0; },
    read: (handlers, maxRead) => {
      if (input) return readInput(input, handlers, counts);
      const kind = stdinKind();
      if (kind === 'directory') return failedInput(handlers, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
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

// A closed fd 0 (`<&-`) reads as an empty stdin, as in nc; any other read error is one.
const CLOSED_STDIN = new Set(['EBADF']);

/** A stdin that cannot be read at all: the error, once reading starts. */
function failedInput(handlers: InputHandlers, err: Error): Input {
  queueMicrotask(() => handlers.error(err));
  return { pause: () => undefined, resume: () => undefined, stop: () => undefined };
}

/** Bytes asked of a regular file in one read: fewer, larger reads than a stream's 64 KiB (bulk `< file`). */
export const FILE_CHUNK = 1024 * 1024;

/** What fd 0 is: a regular file (or /dev/null: reads never block), a pipe or socket, a terminal, or a directory. */
function stdinKind(): 'file' | 'stream' | 'tty' | 'directory' {
  try {
    const st = fstatSync(0);
    if (st.isDirectory()) return 'directory';
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
      if (err && !CLOSED_STDIN.has(err.code ?? '')) {
        ended = true;
        handlers.error(err);
        return;
      }
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
  input.on('error', (err: NodeJS.ErrnoException) => {
    if (CLOSED_STDIN.has(err.code ?? '')) return end();
    if (ended || stopped) return;
    ended = true;
    handlers.error(err);
  });
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

export interface StdioEndpointOptions {
  /**
   * The other side takes datagrams of at most `max` bytes: stdin is read in reads of at most `max` (or cut at
   * newlines with `lines`), and the datagrams received in one event-loop turn reach stdout in one write.
   */
  datagrams?: { max: number; lines: boolean } | undefined;
  /** false (--recv-only): stdin is never read; the endpoint's input ends at once (the relay rules say what follows). */
  input?: boolean | undefined;
  /** false (--send-only): received bytes are dropped, never written to stdout. */
  output?: boolean | undefined;
  /** What we send is reshaped before framing: LF -> CRLF, a pause between lines (--crlf, --delay). */
  shape?: Shaping | undefined;
}

/** The reader of an endpoint that never reads stdin. */
const NO_INPUT: Input = { pause: () => undefined, resume: () => undefined, stop: () => undefined };

/** stdin (its data and EOF) and stdout (writes with backpressure) as one endpoint; stdin is opened on first resume(). */
export function stdioEndpoint(stdio: Stdio, options: StdioEndpointOptions = {}): Endpoint {
  const datagrams = options.datagrams;
  // Only a datagram sink cuts stdin: a stream takes each read whole (cut in 65,507-byte pieces, each 1 MiB read of a
  // bulk sender went out in 17 writes).
  const cutter = datagrams && datagramCutter(datagrams.lines, datagrams.max);
  let on: EndpointEvents | undefined;
  let input: Input | undefined;
  let over = false;
  let waiting = false;
  // Datagrams of this turn, written together at its end: one syscall, not one per datagram.
  let batch: Buffer[] = [];
  let held = 0;
  const release = (): void => {
    if (batch.length) stdio.write(batch.length === 1 ? batch[0] as Buffer : Buffer.concat(batch, held));
    batch = [];
    held = 0;
  };
  const finish = (failure?: Failure): void => {
    if (over) return;
    over = true;
    release();
    input?.stop();
    on?.closed(failure);
  };
  const failed = (what: string, err: Error): Failure => ({ reason: 'io', message: `${what}: ${causeOf(err)}`, code: codeOf(err) });
  const read = (handlers: InputHandlers): Input => stdio.read(handlers, datagrams?.max);
  const start = (): Input => {
    if (options.input === false) {
      queueMicrotask(() => { if (!over) on?.end(); });
      return NO_INPUT;
    }
    return (options.shape ? shapeInput(read, options.shape) : read)(handlers);
  };
  const handlers: InputHandlers = {
    data(chunk) {
      if (!cutter) {
        on?.data(chunk);
        return;
      }
      let pieces: Buffer[];
      try {
        pieces = cutter.cut(chunk);
      } catch (err) {
        finish({ reason: 'usage', message: (err as Error).message });
        return;
      }
      for (const piece of pieces) on?.data(piece);
    },
    end() {
      for (const piece of cutter ? cutter.rest() : []) on?.data(piece);
      on?.end();
    },
    error: (err) => finish(failed('stdin', err)),
  };

  return {
    label: 'stdout',
    idleText: 'traffic on stdin or stdout',
    datagram: false,
    lossy: false,
    attach(events) {
      on = events;
      stdio.onClosed((err) => finish(err ? failed('stdout', err) : undefined));
    },
    write(chunk) {
      if (options.output === false) return true;
      if (datagrams) {
        if (!batch.length) setImmediate(release);
        batch.push(chunk);
        held += chunk.length;
        return true;
      }
      if (stdio.write(chunk)) return true;
      if (!waiting) {
        waiting = true;
        stdio.onDrain(() => {
          waiting = false;
          on?.drain();
        });
      }
      return false;
    },
    get writable() { return !over; },
    end: () => undefined,
    close: () => finish(),
    pause: () => input?.pause(),
    resume() {
      if (over) return;
      if (input) input.resume();
      else input = start();
    },
    get queued() { return stdio.pending + held; },
    get bytesOut() { return stdio.received; },
    idleTime: 0,
  };
}
