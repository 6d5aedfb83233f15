// --record FILE: every chunk each way with its time and direction, and each connection's open, EOFs and close, as
// JSON lines (core/recording.ts) that `mona-nc replay` plays back. Written synchronously: the file is complete
// whenever the process exits, however it exits.
import { closeSync, openSync, writeSync } from 'node:fs';
import type { Endpoint } from '../core/endpoint.js';
import type { RecordLine } from '../core/recording.js';
import { causeOf, MonaError } from '../mona/errors.js';
import { observe } from './observe.js';

export interface Recorder {
  /** Tap one connection (`role`: whether we are its client or its server). */
  tap(peer: Endpoint, transport: 'tcp' | 'udp', role: 'client' | 'server'): Endpoint;
}

/** Open FILE (truncated, private: it holds the traffic) for the whole run. */
export function recorder(file: string): Recorder {
  let fd: number;
  try {
    fd = openSync(file, 'w', 0o600);
  } catch (err) {
    throw new MonaError(`--record ${file}: ${causeOf(err)}`, 'EIO');
  }
  process.on('exit', () => closeSync(fd));
  const start = performance.now();
  let nextId = 1;
  const write = (line: RecordLine): void => {
    writeSync(fd, `${JSON.stringify(line)}\n`);
  };
  const t = (): number => Math.round((performance.now() - start) * 1000) / 1000;
  return {
    tap(peer, transport, role) {
      const id = nextId++;
      let finished = false;
      // A data line by hand: JSON.stringify would scan the base64 (a third of the bulk cost) for nothing to escape.
      const data = (dir: 'in' | 'out', chunk: Buffer): void => {
        writeSync(fd, `{"t":${t()},"type":"data","id":${id},"dir":"${dir}","data":"${chunk.toString('base64')}"}\n`);
      };
      write({ t: t(), type: 'open', id, transport, role, peer: peer.label });
      return observe(peer, {
        in: (chunk) => data('in', chunk),
        out: (chunk) => data('out', chunk),
        end: () => write({ t: t(), type: 'eof', id, dir: 'in' }),
        finish() {
          // UDP has no EOF to record.
          if (finished || peer.datagram) return;
          finished = true;
          write({ t: t(), type: 'eof', id, dir: 'out' });
        },
        closed: (failure) => write({ t: t(), type: 'close', id, ...(failure ? { reason: failure.reason } : {}) }),
      });
    },
  };
}
