// stdin cut into datagrams for a datagram sink: each read is one (reads are bounded to a datagram), or one per line.
import { MAX_DATAGRAM } from '../mona/bytes.js';

/** Cut stdin into datagrams: each read as it is, or one per line (newline kept) with `lines`, at most `max` bytes. */
export function datagramCutter(lines: boolean, max = MAX_DATAGRAM): { cut(chunk: Buffer): Buffer[]; rest(): Buffer[] } {
  let partial = Buffer.alloc(0);
  if (!lines) return { cut: (chunk) => [chunk], rest: () => [] };
  return {
    cut(chunk) {
      const data = partial.length ? Buffer.concat([partial, chunk]) : chunk;
      const out: Buffer[] = [];
      let start = 0;
      for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
        out.push(data.subarray(start, nl + 1));
        start = nl + 1;
      }
      partial = Buffer.from(data.subarray(start));
      if (partial.length > max) throw new Error(`--lines: a line of over ${max} bytes cannot be one datagram`);
      return out;
    },
    rest: () => (partial.length ? [partial] : []),
  };
}

/** How stdin is read for a sink: datagrams of at most MAX_DATAGRAM bytes (one per line with `lines`), or a stream. */
export function framing(datagram: boolean, lines: boolean | undefined): { datagrams?: { max: number; lines: boolean } } {
  return datagram ? { datagrams: { max: MAX_DATAGRAM, lines: lines ?? false } } : {};
}
