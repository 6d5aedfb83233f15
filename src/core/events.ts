// The lifecycle events of cli.md, written the same way by every transport and mode (JSON fields + a text line).
import type { SocketAddress } from '../mona/index.js';
import type { EventFields, Extra, Logger } from '../log.js';

type CloseReason = EventFields['closed']['reason'];

const text = (address: SocketAddress | string | undefined): string => (address === undefined ? 'unknown' : String(address));

export function listening(log: Logger, address: SocketAddress, transport: EventFields['listening']['transport']): void {
  log.event('listening', { address: address.value, transport }, `listening on ${address.value}`);
}

export function connected(log: Logger, local: SocketAddress | undefined, peer: SocketAddress | undefined): void {
  log.event('connected', { local: text(local), peer: text(peer) }, `connected to ${text(peer)} from ${text(local)}`);
}

export function accepted(log: Logger, local: SocketAddress | string | undefined, peer: SocketAddress | string | undefined, id: number): void {
  log.event('accepted', { local: text(local), peer: text(peer), id }, `accepted #${id} from ${text(peer)} on ${text(local)}`);
}

export function eof(log: Logger, peer: SocketAddress | string | undefined, direction: 'in' | 'out'): void {
  const message = direction === 'in' ? `${text(peer)} finished sending (EOF received)` : `finished sending to ${text(peer)} (EOF sent)`;
  log.event('eof', { peer: text(peer), direction }, message);
}

export interface ClosedFacts {
  peer: SocketAddress | string | undefined;
  id: number;
  bytesIn: number;
  bytesOut: number;
  since: number;
  reason: CloseReason;
  /** Fields taps add (after the fixed ones, which they cannot replace). */
  extra?: Extra | undefined;
}

export function closed(log: Logger, facts: ClosedFacts): void {
  const ms = Date.now() - facts.since;
  const peer = text(facts.peer);
  log.event('closed', { ...facts.extra, peer, id: facts.id, bytesIn: facts.bytesIn, bytesOut: facts.bytesOut, ms, reason: facts.reason },
    `closed #${facts.id} ${peer} (${facts.reason}): ${facts.bytesOut} bytes sent, ${facts.bytesIn} bytes received in ${(ms / 1000).toFixed(2)} seconds`);
}


/** The fields of a connection's annotators (taps), merged, for its `closed` event. */
export function extraOf(annotators: ReadonlyArray<() => Extra>): Extra | undefined {
  return annotators.length ? Object.assign({}, ...annotators.map((fields) => fields())) as Extra : undefined;
}
