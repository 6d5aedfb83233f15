// The tap table: which taps the flags ask for, applied to every peer a command connects or accepts, before any mode
// sees it (so no mode knows them). A new tap is a file in src/taps/ and a row here. Rows wrap in table order: the
// first row is the innermost (it sees the wire: digest, record), the last the outermost (faults shape what the
// relay gives and gets). A tap whose verdict decides the run has `judge`, applied once the mode has returned.
import { randomInt } from 'node:crypto';
import type { Endpoint, Listener } from '../core/endpoint.js';
import type { Outcome } from '../core/outcome.js';
import type { Session } from '../core/session.js';
import { datagramFaultTap } from '../taps/datagram-faults.js';
import { digestTap, judged } from '../taps/digest.js';
import { faultTap } from '../taps/faults.js';
import { recorder, type Recorder } from '../taps/record.js';
import type { Settings } from './flags.js';

/** What the taps of one run share: the record file, the faults' seed. */
interface Run {
  readonly session: Session;
  readonly role: 'client' | 'server';
  readonly recorder: Recorder | undefined;
  readonly seed: number;
}

interface Tap {
  /** Whether the flags ask for it. */
  readonly wanted: (s: Settings) => boolean;
  /** Wrap one peer (each peer of a listener gets its own). */
  readonly wrap: (peer: Endpoint, run: Run, s: Settings) => Endpoint;
  /** The run's outcome once the mode returned, as this tap judges it. */
  readonly judge?: (outcome: Outcome, s: Settings) => Outcome;
}

const TAPS: readonly Tap[] = [
  {
    wanted: (s) => s.digest === true || s.expectBytes !== undefined || s.expectSha256 !== undefined,
    wrap: (peer, run, s) => digestTap(peer, run.session.log, { digest: s.digest === true, expectBytes: s.expectBytes, expectSha256: s.expectSha256 }),
    judge: (outcome, s) => judged(outcome, { digest: s.digest === true, expectBytes: s.expectBytes, expectSha256: s.expectSha256 }),
  },
  {
    wanted: (s) => s.record !== undefined,
    wrap: (peer, run) => run.recorder?.tap(peer, peer.datagram ? 'udp' : 'tcp', run.role) ?? peer,
  },
  {
    wanted: (s) => [s.chunk, s.writeDelay, s.rstAfter, s.finAfter, s.stallAfter, s.lineDelay].some((v) => v !== undefined),
    wrap: (peer, run, s) => faultTap(peer, run.session.log, s),
  },
  {
    wanted: (s) => [s.drop, s.dup, s.reorder].some((v) => v !== undefined),
    wrap: (peer, run, s) => datagramFaultTap(peer, run.session.log, s, run.seed),
  },
];

let run: Run | undefined;
/** The run's shared parts, made once: the record file opened (a failure throws), the seed chosen and logged. */
function runOf(session: Session, s: Settings, role: 'client' | 'server'): Run {
  if (run) return run;
  const seed = s.seed ?? randomInt(0, 2 ** 32 - 1);
  if (s.drop !== undefined || s.dup !== undefined || s.reorder !== undefined) session.log.log('INFO', `seed ${seed}`);
  run = { session, role, recorder: s.record === undefined ? undefined : recorder(s.record), seed };
  return run;
}

const wanted = (s: Settings): Tap[] => TAPS.filter((tap) => tap.wanted(s));

/** A peer with every tap its flags ask for (`role`: whether we connected to it or accepted it). */
export function tapPeer(peer: Endpoint, session: Session, s: Settings, role: 'client' | 'server' = 'client'): Endpoint {
  const taps = wanted(s);
  if (!taps.length) return peer;
  const shared = runOf(session, s, role);
  return taps.reduce((e, tap) => tap.wrap(e, shared, s), peer);
}

/** A listener whose peers come tapped. */
export function tapListener(listener: Listener, session: Session, s: Settings): Listener {
  if (!wanted(s).length) return listener;
  runOf(session, s, 'server');
  return { ...listener, take: (fn) => listener.take(fn && ((peer) => fn(tapPeer(peer, session, s, 'server')))) };
}

/** The run's outcome as the taps judge it, once the mode has returned (run-command.ts). */
export function judge(outcome: Outcome, s: Settings): Outcome {
  return wanted(s).reduce((o, tap) => (tap.judge ? tap.judge(o, s) : o), outcome);
}
