// tcp-server -k: many clients at once; stdin goes to every client (as ncat does), every client to stdout.
import type { TCPClient, TCPServer } from '../mona/index.js';
import { DONE, type Context, type Outcome } from '../commands/run-command.js';
import { accepted, eof } from './events.js';
import { flushThenClose, QUEUE_LIMIT, watchClient } from './clients.js';
import type { Input } from './stdio.js';

export interface FanOutOptions {
  shutdown: boolean;
  quitAfter?: number | undefined;
  idleTimeout?: number | undefined;
}

export function fanOut(ctx: Context, server: TCPServer, opts: FanOutOptions): Promise<Outcome> {
  const { log, stdio } = ctx;
  const clients = new Set<TCPClient>();
  const paused = new Set<TCPClient>();
  let nextId = 1;
  let input: Input | undefined;
  let inputDone = false;
  let decided: Outcome | undefined;

  return new Promise((resolve) => {
    const settleIfDone = (): void => {
      if (decided && clients.size === 0) resolve(decided);
    };
    const end = (outcome: Outcome, flush: boolean): void => {
      if (decided) return;
      decided = outcome;
      server.stop();
      input?.stop();
      for (const client of clients) if (flush) flushThenClose(client); else client.close();
      settleIfDone();
    };
    // stdin flows only while some client can take it: no client, or one with a full queue, pauses it.
    const flow = (): void => {
      if (!input) return;
      const full = clients.size === 0 || [...clients].some((c) => c.queueing >= QUEUE_LIMIT);
      if (full) input.pause();
      else input.resume();
    };
    const startInput = (): Input => stdio.read({
      data(chunk) {
        for (const client of clients) client.send(chunk);
        flow();
      },
      end() {
        inputDone = true;
        if (opts.shutdown) for (const client of clients) { client.disconnect(); eof(log, client.peerAddress, 'out'); }
        if (opts.quitAfter !== undefined) setTimeout(() => end(DONE, false), opts.quitAfter);
      },
    });

    server.onConnection = (client) => {
      const id = nextId++;
      accepted(log, client.address, client.peerAddress, id);
      clients.add(client);
      client.onData = function (data) {
        if (!stdio.write(data) && !paused.has(this)) {
          paused.add(this);
          this.pause();
          if (paused.size === 1) stdio.onDrain(() => { for (const c of paused) c.resume(); paused.clear(); });
        }
        return 0;
      };
      client.onFlush = flow;
      // The client's FIN: ours follows once what is queued for it is out (as MonaServer closes on the peer's close).
      client.onEnd = function () {
        eof(log, this.peerAddress, 'in');
        this.disconnect();
        eof(log, this.peerAddress, 'out');
      };
      watchClient(log, client, id, opts.idleTimeout, () => {
        clients.delete(client);
        paused.delete(client);
        flow();
        settleIfDone();
      });
      if (inputDone && opts.shutdown) {
        client.disconnect();
        eof(log, client.peerAddress, 'out');
      }
      input ??= startInput();
      flow();
    };
    stdio.onClosed(() => end(DONE, false));
    ctx.onSignal((outcome) => end(outcome, true));
  });
}
