// -x/--hex-dump and -o/--output: every peer's traffic to a file, both ways, in the order it passed. A tap: the data path
// does not change. Files are written synchronously, so a slow disk slows the transfer and never grows memory; a file
// that cannot be opened fails the command before any connection, one that fails later fails each peer it records.
import { openSync, writeSync } from 'node:fs';
import type { Endpoint, Failure } from '../core/endpoint.js';
import { UsageError } from '../core/outcome.js';
import { causeOf, codeOf, MonaError } from '../mona/errors.js';
import { hexLines } from './hex.js';
import { observe } from './observe.js';

export interface TrafficSettings {
  readonly hexDump?: string | undefined;
  readonly output?: string | undefined;
  readonly appendOutput?: boolean | undefined;
  readonly logFormat?: string | undefined;
}

/** One dump file (or stderr), shared by every peer; after a write error it writes no more and reports the error. */
interface Sink {
  write(bytes: Buffer): void;
  readonly failure: Failure | undefined;
  /** The peer whose line was written last (-x names a peer when the lines switch to another). */
  last: Endpoint | undefined;
}

function openSink(flag: string, file: string, append: boolean): Sink {
  if (file === '-') {
    return { write: (bytes) => { process.stderr.write(bytes); }, failure: undefined, last: undefined };
  }
  let fd: number;
  try {
    // The traffic may hold secrets: a new file is the user's alone (as the temporary files are).
    fd = openSync(file, append ? 'a' : 'w', 0o600);
  } catch (err) {
    // A file that cannot be opened is a local I/O failure (exit reason io), whatever its errno.
    throw new MonaError(`${flag} ${file}: ${causeOf(err)}`, 'EIO');
  }
  let failure: Failure | undefined;
  return {
    write(bytes) {
      if (failure) return;
      try {
        for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
      } catch (err) {
        failure = { reason: 'io', message: `${flag} ${file}: ${causeOf(err)}`, code: codeOf(err) };
      }
    },
    get failure() { return failure; },
    last: undefined,
  };
}

/** Open the files the flags name; returns the tap that records one peer into them. */
export function openTraffic(s: TrafficSettings): (peer: Endpoint) => Endpoint {
  if (s.hexDump === undefined && s.output === undefined) throw new UsageError('--append-output needs -x FILE or -o FILE');
  if (s.hexDump === '-' && s.logFormat === 'json') throw new UsageError('cannot use -x - with --log-format json (hex lines are not JSON): give -x FILE');
  const append = s.appendOutput ?? false;
  const hex = s.hexDump === undefined ? undefined : openSink('-x', s.hexDump, append);
  const raw = s.output === undefined ? undefined : openSink('-o', s.output, append);
  return (peer) => record(peer, hex, raw);
}

function record(peer: Endpoint, hex: Sink | undefined, raw: Sink | undefined): Endpoint {
  const offsets = { '>': 0, '<': 0 };
  let failure: Failure | undefined;
  const dump = (marker: '>' | '<', chunk: Buffer): void => {
    if (failure) return;
    raw?.write(chunk);
    if (hex) {
      if (hex.last !== peer) hex.write(Buffer.from(`# ${peer.label}\n`));
      hex.last = peer;
      hex.write(hexLines(marker, offsets[marker], chunk));
    }
    offsets[marker] += chunk.length;
    failure = hex?.failure ?? raw?.failure;
    // The dump is broken: this peer cannot be recorded any more, so it is closed, with the error as its end.
    if (failure) peer.close('local', false);
  };
  return observe(peer, {
    in: (chunk) => dump('<', chunk),
    out: (chunk) => dump('>', chunk),
    closed: () => failure,
  });
}
