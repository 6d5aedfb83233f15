// The tap table: which taps the flags ask for, applied to every peer a command connects or accepts, before any mode
// sees it (so no mode knows them). A new tap is a file in src/taps/ and a row here.
import type { Endpoint, Listener } from '../core/endpoint.js';
import type { Session } from '../core/session.js';
import type { Settings } from './flags.js';

interface Tap {
  /** Whether the flags ask for it. */
  readonly wanted: (s: Settings) => boolean;
  /** Before any connection: load the tap, open its files (a failure ends the command before it connects or listens). */
  readonly open?: (s: Settings) => Promise<void>;
  /** Wrap one peer (each peer of a listener gets its own). */
  readonly wrap: (peer: Endpoint, session: Session, s: Settings) => Endpoint;
}

let traffic: ((peer: Endpoint) => Endpoint) | undefined;

const TAPS: readonly Tap[] = [
  {
    wanted: (s) => s.hexDump !== undefined || s.output !== undefined || s.appendOutput === true,
    open: async (s) => { traffic = (await import('../taps/traffic.js')).openTraffic(s); },
    wrap: (peer) => (traffic ? traffic(peer) : peer),
  },
];

/** Open every tap the flags ask for (called once, before the command connects or listens). */
export async function openTaps(s: Settings): Promise<void> {
  for (const tap of TAPS) if (tap.wanted(s)) await tap.open?.(s);
}

/** A peer with every tap its flags ask for. */
export function tapPeer(peer: Endpoint, session: Session, s: Settings): Endpoint {
  return TAPS.reduce((e, tap) => (tap.wanted(s) ? tap.wrap(e, session, s) : e), peer);
}

/** A listener whose peers come tapped. */
export function tapListener(listener: Listener, session: Session, s: Settings): Listener {
  if (!TAPS.some((tap) => tap.wanted(s))) return listener;
  return { ...listener, take: (fn) => listener.take(fn && ((peer) => fn(tapPeer(peer, session, s)))) };
}
