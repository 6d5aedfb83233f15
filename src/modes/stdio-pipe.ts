// stdin/stdout <-> one TCP peer: nc's readwrite(), with backpressure both ways and cli.md's half-close rules.
import type { TCPClient } from '../mona/index.js';
import { closeReasonOf, reasonOf } from '../mona/errors.js';
import { DONE, type Context, type Outcome } from '../commands/run-command.js';
import { closed, eof } from './events.js';
import { flushThenClose, QUEUE_LIMIT, watchIdle } from './clients.js';

export interface PipeOptions {
  /** The connection's number in events (1 for a client). */
  id: number;
  /** Half-close (FIN) at stdin EOF. */
  shutdown: boolean;
  /** Milliseconds after stdin EOF before a normal exit. */
  quitAfter?: number | undefined;
  /** Milliseconds stdin may stay idle after the peer's FIN before we finish too. */
  linger: number;
  /** Milliseconds without traffic before giving up (exit 1). */
  idleTimeout?: number | undefined;
}

// After the peer's FIN, a write that fails means the peer closed fully: the unsent rest is a WARN, not a failure.
const WRITE_FAILURES = new Set(['EPIPE', 'ECONNRESET']);

export function pipeTcp(ctx: Context, client: TCPClient, opts: PipeOptions): Promise<Outcome> {
  const { log, stdio } = ctx;
  const since = Date.now();
  const peer = client.peerAddress;
  let decided: Outcome | undefined;
  let localReason: 'local' | 'timeout' | undefined;
  let inputDone = false;
  let finSent = false;
  let blocked = false;
  let inputPaused = false;
  let sent = 0;
  let linger: NodeJS.Timeout | undefined;
  let quit: NodeJS.Timeout | undefined;

  return new Promise((resolve) => {
    const sendFin = (): void => {
      if (finSent) return;
      finSent = true;
      client.disconnect();
      eof(log, peer, 'out');
    };
    // We end the session ourselves (signal, -q, -i, stdout gone): the outcome is ours, the close follows.
    const end = (outcome: Outcome, reason: 'local' | 'timeout', flush: boolean): void => {
      if (decided) return;
      decided = outcome;
      localReason = reason;
      input.stop();
      if (flush) flushThenClose(client);
      else client.close();
    };
    const finishInput = (): void => {
      input.stop();
      inputDone = true;
      sendFin();
    };
    const armLinger = (): void => {
      clearTimeout(linger);
      linger = setTimeout(finishInput, opts.linger);
    };

    const input = stdio.read({
      data(chunk) {
        sent += chunk.length;
        client.send(chunk);
        // The linger measures an idle stdin, never one we paused: a slow reader must not cut stdin short.
        if (client.queueing >= QUEUE_LIMIT) {
          inputPaused = true;
          input.pause();
          clearTimeout(linger);
        } else if (client.peerEnded) armLinger();
      },
      end() {
        inputDone = true;
        clearTimeout(linger);
        if (opts.shutdown || client.peerEnded) sendFin();
        if (opts.quitAfter !== undefined) {
          quit = setTimeout(() => {
            if (client.queueing > 0) log.log('WARN', `${client.queueing} bytes not sent to ${String(peer)}: -q expired`);
            end(DONE, 'local', false);
          }, opts.quitAfter);
        }
      },
    });
    const cancelIdle = watchIdle(() => client.idleTime, opts.idleTimeout, () => {
      end({ code: 1, reason: 'timeout', error: `Idle timeout: no traffic with ${String(peer)} for ${(opts.idleTimeout ?? 0) / 1000} s` }, 'timeout', false);
    });

    // Exit conditions first: the session is over when the connection is.
    client.onDisconnection = function (_peer, error) {
      clearTimeout(linger);
      clearTimeout(quit);
      cancelIdle();
      input.stop();
      const code = this.errorCode;
      closed(log, { peer, id: opts.id, bytesIn: this.bytesIn, bytesOut: this.bytesOut, since, reason: localReason ?? closeReasonOf(code) });
      if (decided) return resolve(decided);
      if (!error) return resolve(DONE);
      if (this.peerEnded && code && WRITE_FAILURES.has(code)) {
        log.log('WARN', `${sent - this.bytesOut} bytes not sent: `, error);
        return resolve(DONE);
      }
      resolve({ code: 1, reason: reasonOf({ code }, 'reset'), error });
    };
    client.onData = function (data) {
      if (!stdio.write(data) && !blocked) {
        blocked = true;
        this.pause();
        stdio.onDrain(() => {
          blocked = false;
          client.resume();
        });
      }
      return 0;
    };
    client.onFlush = () => {
      inputPaused = false;
      input.resume();
      if (client.peerEnded && !inputDone) armLinger();
    };
    // The peer's FIN: keep sending while stdin flows (--linger), or finish now if stdin is already done.
    client.onEnd = () => {
      eof(log, peer, 'in');
      if (inputDone) sendFin();
      else if (!inputPaused) armLinger();
    };
    stdio.onClosed(() => end(DONE, 'local', false));
    ctx.onSignal((outcome) => end(outcome, 'local', true));
  });
}
