// mona-nc tcp-server [address] <port>: the row's listener (tcp, tls or unix), then a mode: the first client piped to
// stdio, many with -k (fan-out), --echo, or an HTTP proxy.
import type { Command } from './command.js';
import { LISTEN_POSITIONALS, serve } from './serve.js';
import { streamTransport } from './transport.js';

export const tcpServer: Command = {
  name: 'tcp-server',
  aliases: ['listen'],
  describe: 'listen for TCP clients: one client by default, many with -k, --echo to echo them',
  positionals: LISTEN_POSITIONALS,
  examples: [
    ['$0 tcp-server 1234 --echo', 'an echo server on every interface'],
    ['$0 tcp-server 127.0.0.1:0 > upload.bin', 'receive one upload on a free port (read it from stderr)'],
  ],
  run: (session, s, args) => serve(session, streamTransport('tcp-server', s), args, s),
};
