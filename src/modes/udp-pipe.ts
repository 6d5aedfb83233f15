// stdin/stdout <-> UDP: each stdin read (or line) is one datagram; received datagrams go to stdout.
import { MAX_DATAGRAM, type UDPSocket } from '../mona/index.js';
import type { Logger } from '../log.js';
import { DONE, type Context, type Outcome } from '../commands/run-command.js';
import { accepted, closed } from './events.js';
import { QUEUE_LIMIT, watchIdle } from './clients.js';
import type { Input } from './stdio.js';

/** Datagrams waiting for a slow stdout beyond this are dropped (UDP has no flow control), with a WARN. */
const OUTPUT_LIMIT = 4 * 1024 * 1024;

interface PeerStats { id: number; since: number; bytesIn: number; bytesOut: number }

export interface Peers {
  /** Count a datagram from `address`; an `accepted` event the first time. */
  heard(address: string, bytes: number): void;
  sent(address: string, bytes: number): void;
  readonly addresses: string[];
  /** One `closed` event per peer. */
  closeAll(reason: 'local' | 'timeout' | 'error'): void;
}

/** The senders a UDP socket has heard: UDP has no connections, so each peer address stands for one. */
export function udpPeers(log: Logger, socket: UDPSocket, known?: string): Peers {
  const peers = new Map<string, PeerStats>();
  let nextId = 1;
  // Datagrams come in runs from one sender: the last one's stats are at hand without a Map lookup.
  let lastAddress: string | undefined;
  let lastStats: PeerStats | undefined;
  const add = (address: string, announce: boolean): PeerStats => {
    if (address === lastAddress && lastStats) return lastStats;
    let stats = peers.get(address);
    if (!stats) {
      stats = { id: nextId++, since: Date.now(), bytesIn: 0, bytesOut: 0 };
      peers.set(address, stats);
      if (announce) accepted(log, socket.address, address, stats.id);
    }
    lastAddress = address;
    lastStats = stats;
    return stats;
  };
  if (known) add(known, false);
  return {
    heard: (address, bytes) => { add(address, true).bytesIn += bytes; },
    sent: (address, bytes) => { add(address, true).bytesOut += bytes; },
    get addresses() { return [...peers.keys()]; },
    closeAll(reason) {
      for (const [peer, s] of peers) closed(log, { peer, id: s.id, bytesIn: s.bytesIn, bytesOut: s.bytesOut, since: s.since, reason });
      peers.clear();
      lastAddress = lastStats = undefined;
    },
  };
}

/** The message of a UDP idle timeout. */
export const udpIdle = (socket: UDPSocket, ms: number | undefined): string =>
  `Idle timeout: no datagram on ${String(socket.address)} for ${(ms ?? 0) / 1000} s`;

/** Cut stdin into datagrams: each read is one (reads are at most 65507 bytes), or one per line with --lines. */
export function datagramCutter(lines: boolean): { cut(chunk: Buffer): Buffer[]; rest(): Buffer[] } {
  let partial = Buffer.alloc(0);
  if (!lines) return { cut: (chunk) => [chunk], rest: () => [] };
  return {
    cut(chunk) {
      const data = partial.length ? Buffer.concat([partial, chunk]) : chunk;
      const out: Buffer[] = [];
      let start = 0;
      for (let nl = data.indexOf(10); nl >= 0; nl = data.indexOf(10, start)) {
        out.push(data.subarray(start, nl + 1));
        start = nl + 1;
      }
      partial = Buffer.from(data.subarray(start));
      if (partial.length > MAX_DATAGRAM) throw new Error(`--lines: a line of over ${MAX_DATAGRAM} bytes cannot be one datagram`);
      return out;
    },
    rest: () => (partial.length ? [partial] : []),
  };
}

export interface UdpPipeOptions {
  /** Who gets stdin: the connected peer ('connected'), the first sender ('first'), or every sender ('all'). */
  peers: 'connected' | 'first' | 'all';
  lines: boolean;
  quitAfter?: number | undefined;
  idleTimeout?: number | undefined;
}

export function udpPipe(ctx: Context, socket: UDPSocket, opts: UdpPipeOptions): Promise<Outcome> {
  const { log, stdio } = ctx;
  const connectedPeer = opts.peers === 'connected' ? socket.peerAddress?.value : undefined;
  const peers = udpPeers(log, socket, connectedPeer);
  const cutter = datagramCutter(opts.lines);
  const warned = new Set<string>();
  let first: string | undefined = connectedPeer;
  let lastActivity = Date.now();
  let input: Input | undefined;
  let dropped = 0;
  let quit: NodeJS.Timeout | undefined;

  return new Promise((resolve) => {
    // The datagrams of one event-loop turn go to stdout in one write: one syscall, not one per datagram.
    let batch: Buffer[] = [];
    let held = 0;
    const release = (): void => {
      if (batch.length) stdio.write(batch.length === 1 ? batch[0] as Buffer : Buffer.concat(batch, held));
      batch = [];
      held = 0;
    };
    const hold = (data: Buffer): void => {
      if (!batch.length) setImmediate(release);
      batch.push(data);
      held += data.length;
    };
    let decided = false;
    const end = (outcome: Outcome, reason: 'local' | 'timeout' | 'error'): void => {
      if (decided) return;
      decided = true;
      release();
      input?.stop();
      cancelIdle();
      clearTimeout(quit);
      if (dropped) log.log('WARN', `${dropped} datagrams dropped: stdout did not keep up`);
      peers.closeAll(reason);
      socket.close();
      resolve(outcome);
    };
    const send = (datagrams: Buffer[]): void => {
      lastActivity = Date.now();
      const targets = opts.peers === 'all' ? peers.addresses : first ? [first] : [];
      for (const d of datagrams) {
        for (const address of targets) {
          const error = opts.peers === 'connected' ? socket.send(d) : socket.send(d, address);
          if (error) log.log('WARN', error);
          else peers.sent(address, d.length);
        }
      }
      if (socket.queueing >= QUEUE_LIMIT) input?.pause();
    };
    const targetsText = (): string => (opts.peers === 'all' ? peers.addresses.join(', ') : first ?? 'no peer yet');
    const startInput = (): Input => stdio.read({
      data(chunk) {
        try {
          send(cutter.cut(chunk));
        } catch (err) {
          end({ code: 2, reason: 'usage', error: `${(err as Error).message} (to ${targetsText()})` }, 'error');
        }
      },
      end() {
        send(cutter.rest());
        if (opts.quitAfter !== undefined) quit = setTimeout(() => end(DONE, 'local'), opts.quitAfter);
      },
    }, MAX_DATAGRAM);

    socket.onPacket = (data, address) => {
      lastActivity = Date.now();
      if (opts.peers === 'first') {
        first ??= address;
        if (address !== first) {
          if (!warned.has(address)) log.log('WARN', `dropped datagrams from ${address}: the peer is ${first} (use -k to hear everyone)`);
          warned.add(address);
          return;
        }
      }
      peers.heard(address, data.length);
      input ??= startInput();
      if (stdio.pending + held > OUTPUT_LIMIT) dropped++;
      else hold(data);
    };
    socket.onFlush = () => input?.resume();
    socket.onError = (message, code) => {
      if (opts.peers === 'connected' && code === 'ECONNREFUSED') end({ code: 1, reason: 'refused', error: message }, 'error');
      else log.log('WARN', message);
    };
    const cancelIdle = watchIdle(() => Date.now() - lastActivity, opts.idleTimeout, () => {
      end({ code: 1, reason: 'timeout', error: udpIdle(socket, opts.idleTimeout) }, 'timeout');
    });
    if (opts.peers === 'connected') input = startInput();
    stdio.onClosed(() => end(DONE, 'local'));
    ctx.onSignal((outcome) => end(outcome, 'local'));
  });
}
