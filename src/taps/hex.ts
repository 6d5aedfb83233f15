// -x's lines: `hexdump -C` with a direction marker in front, written into one Buffer per chunk (no string per byte:
// a bulk transfer formats hundreds of MB).
//   > 00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a  |GET / HTTP/1.0..|

const DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** Each byte's two hex digits, and how it shows on the right: printable ASCII as itself, else '.' (hexdump's %_p). */
const HIGH = new Uint8Array(256);
const LOW = new Uint8Array(256);
const SHOWN = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  HIGH[b] = DIGITS[b >> 4] as number;
  LOW[b] = DIGITS[b & 15] as number;
  SHOWN[b] = b >= 0x20 && b < 0x7f ? b : 0x2e;
}
/** Bytes of one full line after the marker and the offset: 2 spaces, 16 "xx " with one more space after 8, " |", 16, "|\n". */
const BODY = 2 + 16 * 3 + 1 + 2 + 16 + 2;
const SPACE = 0x20;

/**
 * The lines of `chunk`, the stream's bytes from `offset` on, each line starting with `marker` ('>' or '<') and the
 * offset of its first byte (8 hex digits, more past 4 GiB). Every byte is shown: no `*` for repeated lines.
 */
export function hexLines(marker: string, offset: number, chunk: Buffer): Buffer {
  const n = chunk.length;
  const width = Math.max(8, (offset + n).toString(16).length);
  const out = Buffer.allocUnsafe(Math.ceil(n / 16) * (2 + width + BODY));
  const mark = marker.charCodeAt(0);
  let o = 0;
  for (let start = 0; start < n; start += 16) {
    out[o] = mark;
    out[o + 1] = SPACE;
    o += 2;
    let at = offset + start;
    for (let d = o + width - 1; d >= o; d--) {
      out[d] = DIGITS[at % 16] as number;
      at = Math.floor(at / 16);
    }
    o += width;
    out[o] = SPACE;
    out[o + 1] = SPACE;
    o += 2;
    const end = Math.min(start + 16, n);
    // The bytes, then the padding of a short last line: two loops, so no read goes past the chunk (V8 deoptimises
    // an out-of-bounds typed-array read) and the byte loop tests no column against the line's end.
    let i = start;
    for (; i < end; i++) {
      if (i === start + 8) out[o++] = SPACE;
      const b = chunk[i] as number;
      out[o] = HIGH[b] as number;
      out[o + 1] = LOW[b] as number;
      out[o + 2] = SPACE;
      o += 3;
    }
    for (; i < start + 16; i++) {
      if (i === start + 8) out[o++] = SPACE;
      out[o] = SPACE;
      out[o + 1] = SPACE;
      out[o + 2] = SPACE;
      o += 3;
    }
    out[o] = SPACE;
    out[o + 1] = 0x7c;
    o += 2;
    for (let i = start; i < end; i++) out[o++] = SHOWN[chunk[i] as number] as number;
    out[o] = 0x7c;
    out[o + 1] = 0x0a;
    o += 2;
  }
  return out.subarray(0, o);
}
