// -x's lines: `hexdump -C` with a direction marker in front, written into one Buffer per chunk (no string per byte:
// a bulk transfer formats hundreds of MB).
//   > 00000000  47 45 54 20 2f 20 48 54  54 50 2f 31 2e 30 0d 0a  |GET / HTTP/1.0..|

const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Bytes of one full line after the marker and the offset: 2 spaces, 16 "xx " with one more space after 8, "|", 16, "|\n". */
const BODY = 2 + 16 * 3 + 1 + 1 + 1 + 16 + 2;

/** Printable ASCII shows as itself, anything else as '.' (hexdump -C's %_p). */
const printable = (b: number): number => (b >= 0x20 && b < 0x7f ? b : 0x2e);

/**
 * The lines of `chunk`, the stream's bytes from `offset` on, each line starting with `marker` ('>' or '<') and the
 * offset of its first byte (8 hex digits, more past 4 GiB). Every byte is shown: no `*` for repeated lines.
 */
export function hexLines(marker: string, offset: number, chunk: Buffer): Buffer {
  const width = Math.max(8, (offset + chunk.length).toString(16).length);
  const lineLength = 2 + width + BODY;
  const lines = Math.ceil(chunk.length / 16);
  const out = Buffer.allocUnsafe(lines * lineLength);
  const mark = marker.charCodeAt(0);
  let o = 0;
  for (let start = 0; start < chunk.length; start += 16) {
    out[o++] = mark;
    out[o++] = 0x20;
    let at = offset + start;
    for (let d = width - 1; d >= 0; d--) {
      out[o + d] = HEX[at % 16] as number;
      at = Math.floor(at / 16);
    }
    o += width;
    out[o++] = 0x20;
    out[o++] = 0x20;
    const end = Math.min(start + 16, chunk.length);
    for (let i = 0; i < 16; i++) {
      if (i === 8) out[o++] = 0x20;
      if (start + i < end) {
        const b = chunk[start + i] as number;
        out[o++] = HEX[b >> 4] as number;
        out[o++] = HEX[b & 15] as number;
      } else {
        out[o++] = 0x20;
        out[o++] = 0x20;
      }
      out[o++] = 0x20;
    }
    out[o++] = 0x20;
    out[o++] = 0x7c;
    for (let i = start; i < end; i++) out[o++] = printable(chunk[i] as number);
    out[o++] = 0x7c;
    out[o++] = 0x0a;
  }
  return out.subarray(0, o);
}
