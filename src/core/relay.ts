// THE relay: nc's readwrite() for any two endpoints, both directions, backpressure both ways, exit conditions first.
// Pipe = relay(peer, stdio); echo = relay(peer, peer); fan-out = relay(many clients as one, stdio).
import type { Logger } from '../log.js';
import type { CloseReason, Endpoint, Failure } from './endpoint.js';
import { DONE, type Outcome } from './outcome.js';
import { after, watchIdle, type Timer } from './timers.js';

export interface RelayRules {
  /** Half-close `net` when `local`'s input ends (TCP FIN at stdin EOF); without it, only once both inputs ended. */
  shutdown: boolean;
  /** After `net`'s EOF, `local`'s input goes on while it flows: it is finished once idle this long (ms). */
  linger?: number | undefined;
  /** After `local`'s EOF, the session ends this much later (ms): a normal end. */
  quitAfter?: number | undefined;
  /** No traffic on `net` this long (ms): the session fails with 'timeout'. */
  idleTimeout?: number | undefined;
  /** At `local`'s EOF the session is over once what is queued for `net` is out (--send-only over UDP). */
  closeAtEof?: boolean | undefined;
  /** -q expiring fails with 'timeout' instead of ending normally (ncat's -q). */
  quitFails?: boolean | undefined;
  /** -i expiring ends normally instead of failing (OpenBSD nc's -w). */
  idleIsEnd?: boolean | undefined;
}

export interface Relay {
  /** The outcome, once every endpoint has closed. */
  readonly done: Promise<Outcome>;
  /** End the session now with `outcome` (a signal); `flush` sends what is queued first. */
  stop(outcome: Outcome, flush: boolean): void;
}

/** Bytes waiting in a sink beyond which a lossy source's datagrams are dropped and counted (it cannot be paused). */
const DROP_LIMIT = 4 * 1024 * 1024;

// After the peer's EOF, a write that fails means the peer closed fully: the unsent rest is a WARN, not a failure.
const WRITE_FAILURES = new Set(['EPIPE', 'ECONNRESET']);

type In = 'open' | 'paused' | 'ended';

/** One direction, as a pair of nc's pollfds: reading `from` (in) and writing `to` (out). */
interface Flow {
  readonly from: Endpoint;
  readonly to: Endpoint;
  in: In;
  out: 'open' | 'ended';
  /** Bytes handed to `to`. */
  sent: number;
  /** EOF on `from` half-closes `to` at once (else only when every input has ended). */
  readonly endsTo: boolean;
}

export function relay(log: Logger, net: Endpoint, local: Endpoint, rules: RelayRules): Relay {
  // nc's four pollfds as two flows: local in -> net out (up), net in -> local out (down). An echo is one flow.
  const down: Flow = { from: net, to: local, in: 'paused', out: 'open', sent: 0, endsTo: true };
  const up: Flow | undefined = net === local ? undefined : { from: local, to: net, in: 'paused', out: 'open', sent: 0, endsTo: rules.shutdown };
  const flows = up ? [up, down] : [down];
  const endpoints = up ? [net, local] : [net];
  const intoNet = up ?? down;
  const closed = new Set<Endpoint>();
  let outcome: Outcome | undefined;
  let finished = false;
  let localEof = false;
  let dropped = 0;
  let linger: Timer | undefined;
  let quit: Timer | undefined;
  let resolve!: (outcome: Outcome) => void;
  const done = new Promise<Outcome>((r) => { resolve = r; });

  // After every event: exit conditions first, then the half-close rules, then the timers they arm.
  const settle = (): void => {
    if (finished) return;
    if (endpoints.every((e) => closed.has(e))) return finish();
    if (outcome) return;
    const allIn = flows.every((f) => f.in === 'ended');
    for (const f of flows) {
      if (f.in === 'ended' && f.out === 'open' && (f.endsTo || allIn)) {
        f.out = 'ended';
        f.to.end();
      }
    }
    if (!up) return;
    if (localEof && rules.closeAtEof) return decide(DONE, true, 'local');
    // --linger: after net's EOF, local input that stays idle (not paused by us) this long is finished.
    const lingering = rules.linger !== undefined && down.in === 'ended' && up.in === 'open';
    if (lingering && !linger) linger = after(rules.linger ?? 0, finishInput);
    else if (!lingering && linger) {
      linger.cancel();
      linger = undefined;
    }
    // -q: the session ends this long after local's own EOF.
    if (localEof && rules.quitAfter !== undefined && !quit) quit = after(rules.quitAfter, quitNow);
  };

  const finish = (): void => {
    finished = true;
    stopTimers();
    if (dropped) log.log('WARN', `${dropped} datagrams dropped: ${down.to.label} did not keep up`);
    resolve(outcome ?? DONE);
  };

  // The session ends by our decision: the outcome is ours, what is left closes (and reports `closed`).
  const decide = (decision: Outcome, flush: boolean, reason: CloseReason): void => {
    if (outcome || finished) return;
    outcome = decision;
    stopTimers();
    for (const e of endpoints) if (!closed.has(e)) e.close(reason, flush);
    settle();
  };

  // An endpoint is over: its failure (or a clean end) is the outcome, unless one was decided; the other follows.
  const onClosed = (e: Endpoint, failure: Failure | undefined): void => {
    if (closed.has(e)) return;
    closed.add(e);
    if (!outcome) {
      outcome = failure ? judge(e, failure) : DONE;
      stopTimers();
      for (const other of endpoints) if (!closed.has(other)) other.close('local', false);
    }
    settle();
  };

  const judge = (e: Endpoint, failure: Failure): Outcome => {
    if (e === net && down.in === 'ended' && failure.code !== undefined && WRITE_FAILURES.has(failure.code)) {
      log.log('WARN', `${intoNet.sent - net.bytesOut} bytes not sent: `, failure.message);
      return DONE;
    }
    return { reason: failure.reason, error: failure.message };
  };

  const forward = (f: Flow, chunk: Buffer): void => {
    if (f.in === 'ended') return;
    if (f.from.lossy && f.to.queued > DROP_LIMIT) {
      dropped++;
      return;
    }
    f.sent += chunk.length;
    if (!f.to.write(chunk)) pause(f);
    else if (f === up && linger) linger.refresh();
  };

  const pause = (f: Flow): void => {
    if (f.in !== 'open') return;
    f.in = 'paused';
    f.from.pause();
    if (f === up) settle();
  };

  const resume = (f: Flow): void => {
    if (f.in !== 'paused') return;
    f.in = 'open';
    f.from.resume();
    if (f === up) settle();
  };

  const ended = (f: Flow): void => {
    if (f.in === 'ended') return;
    f.in = 'ended';
    if (f === up) localEof = true;
    settle();
  };

  // --linger ran out: local input is finished (as at its EOF, without arming -q).
  const finishInput = (): void => {
    linger = undefined;
    if (!up || up.in === 'ended') return;
    up.in = 'ended';
    local.pause();
    settle();
  };

  const quitNow = (): void => {
    if (net.queued > 0) log.log('WARN', `${net.queued} bytes not sent to ${net.label}: -q expired`);
    decide(rules.quitFails ? { reason: 'timeout', error: `Idle timeout expired: ${(rules.quitAfter ?? 0) / 1000} s after the end of stdin` } : DONE, false, 'local');
  };

  const cancelIdle = watchIdle(() => net.idleTime, rules.idleTimeout, () => {
    decide(rules.idleIsEnd ? DONE : { reason: 'timeout', error: `Idle timeout: no ${net.idleText} for ${(rules.idleTimeout ?? 0) / 1000} s` }, false, 'timeout');
  });

  function stopTimers(): void {
    linger?.cancel();
    quit?.cancel();
    linger = quit = undefined;
    cancelIdle();
  }

  const flowFrom = (e: Endpoint): Flow => (up && e === local ? up : down);
  const flowInto = (e: Endpoint): Flow => (up && e === net ? up : down);
  for (const e of endpoints) {
    const from = flowFrom(e);
    const into = flowInto(e);
    e.attach({
      data: (chunk) => forward(from, chunk),
      end: () => ended(from),
      drain: () => resume(into),
      closed: (failure) => onClosed(e, failure),
    });
  }
  resume(down);
  // Local input is read only once the net side can take it (many clients as one, with none yet, cannot).
  if (up && net.writable) resume(up);

  return { done, stop: (decision, flush) => decide(decision, flush, 'local') };
}
