// mona-nc tcp-client <target> [port]: the row's connect (tcp, tls or unix, maybe through a proxy), then the pipe mode
// (stdin -> peer, peer -> stdout).
import type { Command } from './command.js';
import { streamTransport } from './transport.js';
import { tapPeer } from './taps.js';

export const tcpClient: Command = {
  name: 'tcp-client',
  aliases: ['connect'],
  describe: 'connect to a TCP server: stdin -> peer, peer -> stdout',
  positionals: [
    { name: 'target', required: true, describe: 'host:port, [ipv6]:port, a host followed by a port, or with -U a path' },
    { name: 'port', required: false, describe: 'the port, when <target> is a bare host' },
  ],
  examples: [
    ['$0 tcp-client 127.0.0.1:1234 < request > reply', 'send a file, save the reply'],
    ['$0 connect localhost 80', 'the same with a separate port'],
  ],
  async run(session, s, args) {
    const row = streamTransport('tcp-client', s);
    const peer = tapPeer(await row.connect(session, row.target(args.target ?? '', args.port, s), s), session, s);
    // The mode loads once connected: a refused connect never pays for it.
    return (await import('../modes/pipe.js')).pipe(session, peer, s);
  },
};
