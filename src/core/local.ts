// The local side of every mode that reads stdin and writes stdout (pipe, fan-out, a broker): the stdio endpoint with
// the stdio flags applied, and the relay rules the one-way flags imply. A mode passes its settings through.
import type { Endpoint } from './endpoint.js';
import { framing } from './framing.js';
import type { RelayRules } from './relay.js';
import { stdioEndpoint, type Stdio } from './stdio.js';

export interface LocalSettings {
  readonly shutdown: boolean;
  readonly lines?: boolean | undefined;
  /** UDP: the largest datagram stdin is cut into (--datagram-size). */
  readonly datagramSize?: number | undefined;
  readonly sendOnly?: boolean | undefined;
  readonly recvOnly?: boolean | undefined;
  readonly crlf?: boolean | undefined;
  /** ms between lines sent. */
  readonly delay?: number | undefined;
}

/** stdin/stdout for a peer that takes datagrams or a stream, as the flags say. */
export function localEndpoint(stdio: Stdio, datagram: boolean, s: LocalSettings): Endpoint {
  const shaping = s.crlf || s.delay ? { crlf: s.crlf, delay: s.delay } : undefined;
  return stdioEndpoint(stdio, { ...framing(datagram, s.lines, s.datagramSize), input: !s.recvOnly, output: !s.sendOnly, shape: shaping });
}

/**
 * --recv-only: stdin never ends the sending side (no FIN because of it: ours answers the peer's, once every input
 * is over). --send-only: a datagram session is over at stdin EOF (nothing can come that we want); a TCP one still
 * waits for the peer's FIN after ours (closing a socket the peer still writes to resets it, and the reset can drop
 * the tail of what we sent), reading and dropping what it sends meanwhile; -q bounds that wait.
 */
export function oneWayRules(s: LocalSettings, datagram: boolean): Pick<RelayRules, 'shutdown' | 'closeAtEof'> {
  return { shutdown: s.shutdown && !s.recvOnly, closeAtEof: s.sendOnly && datagram };
}
