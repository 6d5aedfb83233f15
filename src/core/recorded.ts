// A recorded conversation as an endpoint (replay): its data = the played side's recorded chunks, each once the other
// side's chunks before it in the recording have come (by count) and after its recorded gap (none with --fast);
// write = the other side's bytes, counted off the recording (compared with --strict: a difference closes it with a
// failure whose message is the diff); end() = the other side's EOF. The relay does not know it is not a socket.
import type { Endpoint, EndpointEvents, Failure } from './endpoint.js';
import type { Script } from './recording.js';

export interface PlayOptions {
  /** Send at once instead of keeping the recorded gaps. */
  readonly fast: boolean;
  /** Compare the other side's bytes with the recording. */
  readonly strict: boolean;
}

/** `bytes` around `at` as a short quoted excerpt, for a one-line diff. */
function excerpt(bytes: Buffer, at: number): string {
  const from = Math.max(0, at - 8);
  const text = JSON.stringify(bytes.subarray(from, at + 24).toString('latin1'));
  return `${from > 0 ? '...' : ''}${text}${at + 24 < bytes.length ? '...' : ''}`;
}

export function recordedEndpoint(script: Script, label: string, o: PlayOptions): Endpoint {
  const { moves, expected } = script;
  const datagram = script.transport === 'udp';
  let on: EndpointEvents | undefined;
  // Our next move; the other side's next expected chunk and how much of it has come.
  let move = 0;
  let next = 0;
  let matched = 0;
  let consumed = 0;
  // When the last move (or the expected chunk it waited for) happened, in the recording's time.
  let lastAt = 0;
  let paused = true;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let peerEnded = false;
  let over = false;
  let lastIO = Date.now();

  const close = (failure?: Failure): void => {
    if (over) return;
    over = true;
    clearTimeout(timer);
    on?.closed(failure);
  };
  const mismatch = (message: string): void => close({ reason: 'mismatch', message: `replay ${label}: ${message}` });

  const short = (): void => mismatch(`the peer finished after ${consumed} bytes, ${expected.slice(next).reduce((n, e) => n + e.data.length, 0) - matched} bytes short of the recording`);

  /** Played through: our EOF; a datagram conversation is over once the replies came, a stream once the peer's EOF did. */
  const settle = (): void => {
    if (over || move < moves.length) return;
    if (!ended) {
      ended = true;
      on?.end();
    }
    if (peerEnded && next < expected.length && o.strict) return short();
    if (datagram ? next >= expected.length : peerEnded) close();
  };

  // Make every move that may go now: the chunks it waits for have come, its gap has passed, the relay is not paused.
  const play = (): void => {
    while (!over && !paused && !timer && move < moves.length) {
      const m = moves[move];
      if (!m) break;
      if (next < m.needs) {
        if (!peerEnded) return;
        if (o.strict) return short();
      }
      const since = Math.max(lastAt, expected[m.needs - 1]?.at ?? 0);
      const gap = o.fast ? 0 : m.at - since;
      if (gap > 0) {
        timer = setTimeout(() => {
          timer = undefined;
          lastAt = m.at;
          go(m);
          play();
        }, gap);
        return;
      }
      lastAt = Math.max(lastAt, m.at);
      go(m);
    }
    settle();
  };

  const go = (m: Script['moves'][number]): void => {
    move++;
    lastIO = Date.now();
    if (m.kind === 'send') on?.data(m.data);
    else if (!ended && !datagram) {
      ended = true;
      on?.end();
    }
  };

  const receive = (chunk: Buffer): void => {
    let at = 0;
    while (at < chunk.length && !over) {
      const e = expected[next];
      if (!e) {
        // Bytes the recording does not have: a difference under --strict, else not waited for.
        if (o.strict) mismatch(`${chunk.length - at} bytes from the peer past the end of the recording: ${excerpt(chunk, at)}`);
        return;
      }
      const n = Math.min(e.data.length - matched, chunk.length - at);
      if (o.strict) {
        const want = e.data.subarray(matched, matched + n);
        const got = chunk.subarray(at, at + n);
        if (!want.equals(got)) {
          let i = 0;
          while (want[i] === got[i]) i++;
          return mismatch(`the peer's bytes differ from the recording at byte ${consumed + i}: expected ${excerpt(e.data, matched + i)}, got ${excerpt(chunk, at + i)}`);
        }
      }
      matched += n;
      consumed += n;
      at += n;
      if (matched === e.data.length) {
        matched = 0;
        next++;
      }
    }
  };

  return {
    label: `recording ${label}`,
    idleText: `progress in the recording ${label}`,
    datagram,
    lossy: false,
    attach(events) { on = events; },
    write(chunk) {
      if (over) return true;
      lastIO = Date.now();
      receive(chunk);
      play();
      return true;
    },
    get writable() { return !over; },
    end() {
      peerEnded = true;
      play();
    },
    close() { close(); },
    pause() { paused = true; },
    resume() {
      paused = false;
      play();
    },
    queued: 0,
    get bytesOut() { return consumed; },
    get idleTime() { return Date.now() - lastIO; },
  };
}
