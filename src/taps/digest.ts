// --digest, --expect-bytes, --expect-sha256: the bytes and SHA-256 of each direction of a connection as the wire had
// them (this tap wraps the peer first, under the shaping ones), told at its close; the expectations are the run's
// verdict, judged once the mode has returned (so a -k or --echo server fails too, and -q cannot hide a mismatch).
import { createHash } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Endpoint } from '../core/endpoint.js';
import type { Outcome } from '../core/outcome.js';
import { observe } from './observe.js';

export interface DigestOptions {
  /** Log the digests (NOTE) and add sha256In/sha256Out to the closed event. */
  readonly digest: boolean;
  readonly expectBytes?: number | undefined;
  readonly expectSha256?: string | undefined;
}

/** The run's mismatches so far (one process, one run). */
const mismatches: string[] = [];

export function digestTap(peer: Endpoint, log: Logger, o: DigestOptions): Endpoint {
  const hashing = o.digest || o.expectSha256 !== undefined;
  const hashIn = hashing ? createHash('sha256') : undefined;
  const hashOut = hashing ? createHash('sha256') : undefined;
  let bytesIn = 0;
  let bytesOut = 0;
  let sums: { in: string; out: string } | undefined;
  const final = (): { in: string; out: string } => (sums ??= { in: hashIn?.digest('hex') ?? '', out: hashOut?.digest('hex') ?? '' });
  if (o.digest) peer.annotate?.(() => ({ sha256In: final().in, sha256Out: final().out }));
  return observe(peer, {
    in(chunk) {
      bytesIn += chunk.length;
      hashIn?.update(chunk);
    },
    out(chunk) {
      bytesOut += chunk.length;
      hashOut?.update(chunk);
    },
    closed() {
      const sum = final();
      if (o.digest) log.log('NOTE', `digest ${peer.label}: in ${bytesIn} bytes sha256 ${sum.in}, out ${bytesOut} bytes sha256 ${sum.out}`);
      judge(peer.label, bytesIn, sum.in, o);
    },
  });
}

function judge(label: string, bytesIn: number, sha256In: string, o: DigestOptions): void {
  if (o.expectBytes === undefined && o.expectSha256 === undefined) return;
  if (o.expectBytes !== undefined && bytesIn !== o.expectBytes) {
    mismatches.push(`received ${bytesIn} bytes from ${label}, expected ${o.expectBytes} (--expect-bytes)`);
  } else if (o.expectSha256 !== undefined && sha256In !== o.expectSha256) {
    mismatches.push(`received ${bytesIn} bytes from ${label} with SHA-256 ${sha256In}, expected ${o.expectSha256} (--expect-sha256)`);
  }
}

/**
 * The session's outcome once the mode returned: a clean end with a mismatch is the failure `mismatch`; a failure or a signal that ended the run first stays what it was.
 */
export function judged(outcome: Outcome, o: DigestOptions): Outcome {
  if (outcome.reason !== 'done' || (o.expectBytes === undefined && o.expectSha256 === undefined)) return outcome;
  const [first, ...more] = mismatches;
  if (first) return { reason: 'mismatch', error: more.length ? `${first} (and ${more.length} more connections)` : first };
  return outcome;
}
