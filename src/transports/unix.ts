// unix: a stream socket at a path (-U), through the tcp row's TCPClient and TCPServer (a Unix connection is still a
// TCPClient). "@name" is a Linux abstract name; the server's socket file is handled in mona/unix.ts.
import { UsageError } from '../core/outcome.js';
import type { Address } from './contract.js';

/** -U's address: one path, no port. */
export function unixPath(text: string, port: string | undefined): Address {
  if (port !== undefined) throw new UsageError(`-U takes one path, not ${text} ${port}`);
  if (text === '' || text === '@') throw new UsageError('-U: the socket path is empty');
  if (Buffer.byteLength(text) > 107) throw new UsageError(`${text}: too long for a Unix socket path (107 bytes at most)`);
  return { kind: 'unix', path: text };
}
