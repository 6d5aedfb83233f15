// --echo: every client's bytes (TCP) or datagrams (UDP) go back to their sender; stdin is not read.
import type { TCPClient, TCPServer, UDPSocket } from '../mona/index.js';
import type { Context, Outcome } from '../commands/run-command.js';
import { accepted, eof } from './events.js';
import { flushThenClose, QUEUE_LIMIT, watchClient, watchIdle } from './clients.js';
import { udpIdle, udpPeers } from './udp-pipe.js';

export function echoTcp(ctx: Context, server: TCPServer, opts: { idleTimeout?: number | undefined }): Promise<Outcome> {
  const clients = new Set<TCPClient>();
  let nextId = 1;
  return new Promise((resolve) => {
    let decided: Outcome | undefined;
    server.onConnection = (client) => {
      const id = nextId++;
      accepted(ctx.log, client.address, client.peerAddress, id);
      // The seed's echo sample, with backpressure: a client that does not read is paused, not buffered.
      client.onData = function (data) {
        this.send(data);
        if (this.queueing >= QUEUE_LIMIT) this.pause();
        return 0;
      };
      client.onFlush = function () { this.resume(); };
      client.onEnd = function () {
        eof(ctx.log, this.peerAddress, 'in');
        this.disconnect();
        eof(ctx.log, this.peerAddress, 'out');
      };
      clients.add(client);
      watchClient(ctx.log, client, id, opts.idleTimeout, () => {
        clients.delete(client);
        if (decided && clients.size === 0) resolve(decided);
      });
    };
    ctx.onSignal((outcome) => {
      decided = outcome;
      server.stop();
      if (clients.size === 0) return resolve(outcome);
      for (const client of clients) flushThenClose(client);
    });
  });
}

export function echoUdp(ctx: Context, socket: UDPSocket, opts: { idleTimeout?: number | undefined }): Promise<Outcome> {
  const peers = udpPeers(ctx.log, socket);
  let last = Date.now();
  return new Promise((resolve) => {
    const end = (outcome: Outcome, reason: 'local' | 'timeout'): void => {
      cancelIdle();
      peers.closeAll(reason);
      socket.close();
      resolve(outcome);
    };
    socket.onPacket = function (data, address) {
      last = Date.now();
      peers.heard(address, data.length);
      if (this.send(data, address) === undefined) peers.sent(address, data.length);
    };
    const cancelIdle = watchIdle(() => Date.now() - last, opts.idleTimeout, () => {
      end({ code: 1, reason: 'timeout', error: udpIdle(socket, opts.idleTimeout) }, 'timeout');
    });
    ctx.onSignal((outcome) => end(outcome, 'local'));
  });
}
