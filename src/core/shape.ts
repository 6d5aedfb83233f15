// What we send, reshaped between stdin and the framing: --crlf (LF -> CRLF, a CRLF stays) and --delay (one line, then
// a pause). stdin is paused while lines wait their turn, so memory holds at most one read.
import type { Input, InputHandlers } from './input.js';

export interface Shaping {
  /** LF becomes CRLF; an LF already after a CR (even across reads) is left alone. */
  readonly crlf?: boolean | undefined;
  /** Milliseconds between two lines sent (a read without a newline goes as one piece, and waits its turn too). */
  readonly delay?: number | undefined;
}

type Read = (handlers: InputHandlers) => Input;

/** A stdin reader whose data comes reshaped. */
export function shapeInput(read: Read, shaping: Shaping): Read {
  return (handlers) => {
    const convert = shaping.crlf ? crlf() : (chunk: Buffer): Buffer => chunk;
    if (!shaping.delay) return read({ ...handlers, data: (chunk) => handlers.data(convert(chunk)) });
    return paced(read, handlers, convert, shaping.delay);
  };
}

const CR = 13;
const LF = 10;

/** LF -> CRLF with the last byte of the previous read remembered (a CR at its end pairs with an LF at the next start). */
export function crlf(): (chunk: Buffer) => Buffer {
  let lastCR = false;
  return (chunk) => {
    const before = lastCR;
    if (chunk.length) lastCR = chunk[chunk.length - 1] === CR;
    const bare = (i: number): boolean => !(i === 0 ? before : chunk[i - 1] === CR);
    let count = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) if (bare(i)) count++;
    if (count === 0) return chunk;
    const out = Buffer.allocUnsafe(chunk.length + count);
    let from = 0;
    let to = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      if (!bare(i)) continue;
      to += chunk.copy(out, to, from, i);
      out[to++] = CR;
      from = i;
    }
    chunk.copy(out, to, from);
    return out;
  };
}

/** Lines of a read (newline kept); the tail without a newline is a piece of its own. */
function lines(chunk: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let nl = chunk.indexOf(LF); nl >= 0 && nl < chunk.length - 1; nl = chunk.indexOf(LF, start)) {
    out.push(chunk.subarray(start, nl + 1));
    start = nl + 1;
  }
  out.push(start ? chunk.subarray(start) : chunk);
  return out;
}

/** One piece at a time, `delay` ms apart; stdin is paused while pieces wait, its EOF passed on after the last one. */
function paced(read: Read, handlers: InputHandlers, convert: (chunk: Buffer) => Buffer, delay: number): Input {
  const queue: Buffer[] = [];
  let last = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let paused = false;
  let eof = false;
  let stopped = false;
  const pump = (): void => {
    timer = undefined;
    while (queue.length && !paused && !stopped) {
      const wait = last + delay - Date.now();
      if (wait > 0) {
        timer = setTimeout(pump, wait);
        return;
      }
      last = Date.now();
      handlers.data(queue.shift() as Buffer);
    }
    if (queue.length || paused || stopped) return;
    if (eof) {
      stopped = true;
      handlers.end();
    } else {
      input.resume();
    }
  };
  const input: Input = read({
    data(chunk) {
      if (!chunk.length) return;
      queue.push(...lines(convert(chunk)));
      input.pause();
      if (!timer) pump();
    },
    end() {
      eof = true;
      if (!timer) pump();
    },
    error: (err) => handlers.error(err),
  });
  return {
    pause() {
      paused = true;
      input.pause();
    },
    resume() {
      paused = false;
      if (!timer) pump();
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      queue.length = 0;
      input.stop();
    },
  };
}
