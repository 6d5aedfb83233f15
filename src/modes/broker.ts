// --broker: every client's data goes to every other client (never back to itself) and to stdout; stdin goes to every
// client. --chat shapes it: each line prefixed <user@ADDR:PORT>, control characters escaped, joins and leaves
// announced. relay(room, stdio), where the room is the listener's peers as one endpoint that also passes data
// between them. A slow client paces everyone (nothing is dropped); one that takes nothing for STALL_MS while over
// its queue mark is dropped with a WARN, so it cannot stall the others for ever.
import { isUtf8 } from 'node:buffer';
import type { Logger } from '../log.js';
import { hubOf, type Endpoint, type EndpointEvents, type Listener } from '../core/endpoint.js';
import type { Outcome } from '../core/outcome.js';
import { relay } from '../core/relay.js';
import type { Session } from '../core/session.js';
import { completeLines } from '../core/framing.js';
import { localEndpoint, oneWayRules, type LocalSettings } from '../core/local.js';
import { after, watchIdle, type Timer } from '../core/timers.js';

export interface BrokerSettings extends Omit<LocalSettings, 'shutdown'> {
  quitAfter?: number | undefined;
  idleTimeout?: number | undefined;
}

/** A client over its queue mark that takes nothing for this long is dropped (the others wait for it until then). */
export const STALL_MS = 5000;
/** Datagrams waiting for a UDP peer beyond which more are dropped and counted (UDP cannot be paused). */
const DROP_LIMIT = 4 * 1024 * 1024;
/** --chat: a line longer than this is cut (each piece gets its prefix). */
const MAX_LINE = 64 * 1024;

export function broker(session: Session, listener: Listener, s: BrokerSettings): Promise<Outcome> {
  return serveRoom(session, listener, s, false);
}

export function chat(session: Session, listener: Listener, s: BrokerSettings): Promise<Outcome> {
  return serveRoom(session, listener, s, true);
}

function serveRoom(session: Session, listener: Listener, s: BrokerSettings, talk: boolean): Promise<Outcome> {
  // --recv-only: stdin is not read; --send-only: nothing to stdout (the clients still hear each other).
  const local = localEndpoint(session.stdio, listener.datagram, { ...s, shutdown: true });
  // stdin's EOF reaches the room at once (room.end(): --chat's last line), and sends the clients no FIN.
  const rules = { ...oneWayRules({ ...s, shutdown: true }, listener.datagram), quitAfter: s.quitAfter };
  const r = relay(session.log, room(session.log, listener, s.idleTimeout, talk), local, rules);
  session.onSignal((outcome) => r.stop(outcome, true));
  return r.done;
}

interface Member {
  /** --chat: how the others see it, "<user@127.0.0.1:41234>". */
  readonly name: string;
  readonly lines: Lines;
  stall?: Timer | undefined;
  cancelIdle(): void;
}

/** The listener's peers as one endpoint: its data is every client's (for stdout), a write goes to every client. */
function room(log: Logger, listener: Listener, idleTimeout: number | undefined, talk: boolean): Endpoint {
  const members = new Map<Endpoint, Member>();
  const full = new Set<Endpoint>();
  const stdinLines = lines();
  let on: EndpointEvents | undefined;
  let paused = true;
  let flowing = false;
  let closing = false;
  let over = false;
  let dropped = 0;

  const writable = (): boolean => !closing && members.size > 0 && full.size === 0;
  // Every client is read while stdout and every client can take more; one full client pauses them all.
  const update = (): void => {
    const want = !paused && full.size === 0;
    if (want === flowing) return;
    flowing = want;
    for (const peer of members.keys()) {
      if (want) peer.resume();
      else peer.pause();
    }
  };

  const stalled = (peer: Endpoint): void => {
    log.log('WARN', `dropped ${peer.label}: it took nothing for ${STALL_MS / 1000} s with ${peer.queued} bytes queued (a slow client paces the others up to this)`);
    peer.close('local', false);
  };

  const deliver = (peer: Endpoint, member: Member, chunk: Buffer): void => {
    if (peer.lossy) {
      if (peer.queued > DROP_LIMIT) dropped++;
      else peer.write(chunk);
    } else if (!peer.write(chunk) && !full.has(peer)) {
      full.add(peer);
      member.stall = after(STALL_MS, () => stalled(peer));
      update();
    }
  };
  /** Bytes to every member but `from`. */
  const send = (from: Endpoint | undefined, chunk: Buffer): void => {
    for (const [peer, member] of members) if (peer !== from) deliver(peer, member, chunk);
  };

  /** What `from` said (undefined: stdin), to the others, and a client's to stdout. */
  const said = (from: Endpoint | undefined, chunk: Buffer): void => {
    const member = from && members.get(from);
    const shaped = talk ? (member?.lines ?? stdinLines).cut(chunk).map((line) => Buffer.concat([Buffer.from(`${member?.name ?? '<server>'} `), escapeControls(line)])) : [chunk];
    for (const piece of shaped) {
      send(from, piece);
      if (from) on?.data(piece);
    }
  };
  /** What the room itself says (--chat's joins and leaves): every member but `from`, and stdout. */
  const announce = (from: Endpoint | undefined, text: string): void => {
    const chunk = Buffer.from(text);
    send(from, chunk);
    on?.data(chunk);
  };

  const drained = (peer: Endpoint): void => {
    if (!full.delete(peer)) return;
    members.get(peer)?.stall?.cancel();
    update();
    if (writable()) on?.drain();
  };

  const finish = (): void => {
    if (over || !closing || members.size > 0) return;
    over = true;
    if (dropped) log.log('WARN', `${dropped} datagrams dropped: a peer did not keep up`);
    on?.closed();
  };

  const add = (peer: Endpoint): void => {
    const name = `<user@${peer.label}>`;
    const member: Member = { name, lines: lines(), cancelIdle: watchIdle(() => peer.idleTime, idleTimeout, () => peer.close('timeout', false)) };
    const here = [...members.values()].map((m) => m.name);
    members.set(peer, member);
    peer.attach({
      data: (chunk) => said(peer, chunk),
      // Its FIN: what it started is said, and ours follows once what is queued for it is out.
      end() {
        if (talk) for (const line of member.lines.rest()) said(peer, line);
        peer.end();
      },
      drain: () => drained(peer),
      closed(failure) {
        member.cancelIdle();
        member.stall?.cancel();
        members.delete(peer);
        full.delete(peer);
        // A failing client is a WARN, never the server's failure.
        if (failure) log.log('WARN', failure.message);
        if (talk && !closing) announce(undefined, `<announce> ${name} is disconnected.\n`);
        update();
        if (closing) finish();
        else if (writable()) on?.drain();
      },
    });
    if (talk) {
      // As ncat: everyone (the newcomer too) hears who came, the newcomer who was there.
      announce(undefined, `<announce> ${peer.label} is connected as ${name}.\n`);
      deliver(peer, member, Buffer.from(`<announce> already connected: ${here.length ? here.join(', ') : 'nobody'}.\n`));
    }
    if (flowing) peer.resume();
    if (writable()) on?.drain();
  };

  return {
    ...hubOf(listener),
    attach(events) {
      on = events;
      listener.take((peer) => (closing ? peer.close('local', false) : add(peer)));
    },
    write(chunk) {
      said(undefined, chunk);
      return writable();
    },
    get writable() { return writable(); },
    // stdin's EOF: its last line is said (--chat), and the clients still talk to each other.
    end() {
      if (talk) for (const line of stdinLines.rest()) said(undefined, line);
    },
    close(reason, flush) {
      if (closing) return;
      closing = true;
      listener.close();
      for (const peer of [...members.keys()]) peer.close(reason, flush);
      finish();
    },
    pause() {
      paused = true;
      update();
    },
    resume() {
      paused = false;
      update();
    },
    get queued() {
      let most = 0;
      for (const peer of members.keys()) most = Math.max(most, peer.queued);
      return most;
    },
    get bytesOut() {
      let sum = 0;
      for (const peer of members.keys()) sum += peer.bytesOut;
      return sum;
    },
    idleTime: 0,
  };
}

interface Lines {
  /** The complete lines in `chunk` (with what came before it), newline kept. */
  cut(chunk: Buffer): Buffer[];
  /** What is left at EOF, as a line. */
  rest(): Buffer[];
}

/** --chat's lines: complete lines as they come; a line over MAX_LINE is cut, and one left at EOF ends there. */
function lines(): Lines {
  let partial: Buffer = Buffer.alloc(0);
  const NL = Buffer.from('\n');
  return {
    cut(chunk) {
      const { out, rest } = completeLines(partial, chunk);
      let start = 0;
      while (rest.length - start > MAX_LINE) {
        out.push(Buffer.concat([rest.subarray(start, start + MAX_LINE), NL]));
        start += MAX_LINE;
      }
      partial = start ? Buffer.from(rest.subarray(start)) : rest;
      return out;
    },
    rest() {
      const last = partial;
      partial = Buffer.alloc(0);
      return last.length ? [Buffer.concat([last, NL])] : [];
    },
  };
}

/** How many bytes the UTF-8 sequence at `i` has, when it is a valid one of 2 to 4 bytes (0 otherwise). */
function utf8At(line: Buffer, i: number): number {
  const lead = line[i] ?? 0;
  const n = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
  return n && i + n <= line.length && isUtf8(line.subarray(i, i + n)) ? n : 0;
}

/**
 * A chat line with its control characters as \ooo (ncat's escape): C0 controls but tab and the final CRLF or LF, DEL,
 * C1 controls and bytes that are not UTF-8. Nobody can move another's cursor, clear the screen or forge a prefix;
 * UTF-8 text stays as it is (ncat escapes every byte over 0x7e).
 */
export function escapeControls(line: Buffer): Buffer {
  const parts: Buffer[] = [];
  const escape = (b: number): Buffer => Buffer.from(`\\${b.toString(8).padStart(3, '0')}`);
  let start = 0;
  for (let i = 0; i < line.length; i++) {
    const b = line[i] ?? 0;
    if ((b >= 0x20 && b < 0x7f) || b === 0x09) continue;
    if (b === 0x0a && i === line.length - 1) continue;
    if (b === 0x0d && i === line.length - 2 && line[i + 1] === 0x0a) continue;
    if (b >= 0x80) {
      const n = utf8At(line, i);
      // U+0080..U+009F (C1) is 0xC2 0x80..0x9F in UTF-8.
      if (n && !(b === 0xc2 && (line[i + 1] ?? 0) <= 0x9f)) {
        i += n - 1;
        continue;
      }
    }
    parts.push(line.subarray(start, i), escape(b));
    start = i + 1;
  }
  if (start === 0) return line;
  parts.push(line.subarray(start));
  return Buffer.concat(parts);
}
