// Reading a script or a module it loads: a regular file of bounded size, never a device or a FIFO read forever.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../core/outcome.js';

/** The largest script (or module) mona-nc reads: real scripts are kilobytes; a symlink to /dev/zero is not one. */
export const MAX_SCRIPT_BYTES = 16 * 1024 * 1024;

/**
 * The bytes of a script file. Not a regular file, or over MAX_SCRIPT_BYTES: a UsageError (exit 2). Read through
 * one descriptor, so the check and the read see the same file, and never more than the cap even if it grows meanwhile.
 */
export function readSource(path: string): Buffer {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just after).
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UsageError(`${path}: not a regular file (a script is a file)`);
    if (st.size > MAX_SCRIPT_BYTES) throw new UsageError(`${path}: ${st.size} bytes, over the 16 MiB a script may have`);
    const buffer = Buffer.allocUnsafe(Math.min(st.size + 1, MAX_SCRIPT_BYTES + 1));
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    if (length > MAX_SCRIPT_BYTES) throw new UsageError(`${path}: over the 16 MiB a script may have`);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
