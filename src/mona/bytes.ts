// What send() accepts: Buffers and byte arrays as they are, strings as UTF-8, numbers as their text; and how big a datagram can be.

/** The largest UDP payload over IPv4; larger datagrams are refused, never truncated. */
export const MAX_DATAGRAM = 65507;

/** The bytes to send, or undefined for "nothing to send" (other types, as Mona does). */
export function toBytes(data: unknown): Buffer | undefined {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof Uint8Array) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (typeof data === 'number' || typeof data === 'bigint') return Buffer.from(String(data), 'latin1');
  return undefined;
}
