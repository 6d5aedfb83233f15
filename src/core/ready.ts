// Readiness without sleeps: once a listener listens, its real address and a newline go to --ready-file (a temporary
// file renamed into place, so a reader never sees half a line; removed at exit, whatever the exit) and to
// --ready-fd (an inherited descriptor, closed after the line: `read` in the shell gets its EOF).
import { closeSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { causeOf, MonaError } from '../mona/errors.js';

export interface ReadyOptions {
  readonly readyFile?: string | undefined;
  readonly readyFd?: number | undefined;
}

const written = new Set<string>();
// Every way out of the process goes through process.exit (signals included) or an uncaught error: both emit 'exit'.
let hooked = false;
const removeAll = (): void => {
  for (const path of written) rmSync(path, { force: true });
};

/** Tell whoever waits that `address` listens; a failure to tell throws: the session fails (exit 1, reason io). */
export function announce(address: string, o: ReadyOptions): void {
  const line = `${address}\n`;
  if (o.readyFile !== undefined) {
    const path = o.readyFile;
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    try {
      if (!hooked) process.on('exit', removeAll);
      hooked = true;
      written.add(temp);
      writeFileSync(temp, line, { flag: 'wx' });
      renameSync(temp, path);
      written.delete(temp);
      written.add(path);
    } catch (err) {
      rmSync(temp, { force: true });
      written.delete(temp);
      throw new MonaError(`--ready-file ${path}: ${causeOf(err)}`, 'EIO');
    }
  }
  if (o.readyFd !== undefined) {
    try {
      writeSync(o.readyFd, line);
      closeSync(o.readyFd);
    } catch (err) {
      throw new MonaError(`--ready-fd ${o.readyFd}: ${causeOf(err)}`, 'EIO');
    }
  }
}
