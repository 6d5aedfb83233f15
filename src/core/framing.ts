// stdin cut into datagrams for a datagram sink: reads of at most --datagram-size bytes, each one datagram (a longer
// chunk is split), or one datagram per line with --lines.
import { MAX_DATAGRAM } from '../mona/bytes.js';

/** Cut stdin into datagrams: pieces of at most `max` bytes, or one per line (newline kept) with `lines`. */
export function datagramCutter(lines: boolean, max = MAX_DATAGRAM): { cut(chunk: Buffer): Buffer[]; rest(): Buffer[] } {
  let partial: Buffer = Buffer.alloc(0);
  if (!lines) return { cut: (chunk) => (chunk.length <= max ? [chunk] : split(chunk, max)), rest: () => [] };
  return {
    cut(chunk) {
      const { out, rest } = completeLines(partial, chunk);
      partial = rest;
      if (partial.length > max) throw new Error(`--lines: a line of over ${max} bytes cannot be one datagram`);
      return out;
    },
    rest: () => (partial.length ? [partial] : []),
  };
}

/**
 * The complete lines (newline kept) of `partial` followed by `chunk`, and what follows the last newline (a copy: the
 * chunk's memory is not held).
 */
export function completeLines(partial: Buffer, chunk: Buffer): { out: Buffer[]; rest: Buffer } {
  const data = partial.length ? Buffer.concat([partial, chunk]) : chunk;
  const out: Buffer[] = [];
  let start = 0;
  for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
    out.push(data.subarray(start, nl + 1));
    start = nl + 1;
  }
  return { out, rest: Buffer.from(data.subarray(start)) };
}

/** A chunk in pieces of `max` bytes (a terminal's read, or a read made before the size was known). */
function split(chunk: Buffer, max: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < chunk.length; at += max) out.push(chunk.subarray(at, at + max));
  return out;
}

/**
 * How stdin is read for a sink: datagrams of at most `size` bytes (default MAX_DATAGRAM), or one per line with
 * `lines` (a line may take a whole datagram, MAX_DATAGRAM: --datagram-size does not apply), or a stream.
 */
export function framing(datagram: boolean, lines: boolean | undefined, size?: number): { datagrams?: { max: number; lines: boolean } } {
  if (!datagram) return {};
  return { datagrams: { max: lines ? MAX_DATAGRAM : size ?? MAX_DATAGRAM, lines: lines ?? false } };
}
