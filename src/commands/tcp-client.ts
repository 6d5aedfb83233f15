// mona-nc tcp-client <target> [port]: the row's connect (tcp, tls or unix, maybe through a proxy), then the pipe mode
// (stdin -> peer, peer -> stdout).
import type { Command } from './command.js';
import { TRANSPORTS } from '../transports/index.js';
import { streamTransport } from './transport.js';
import { tapPeer } from './taps.js';

export const tcpClient: Command = {
  name: 'tcp-client',
  aliases: ['connect'],
  describe: 'connect to a TCP server: stdin -> peer, peer -> stdout',
  positionals: [
    { name: 'target', required: true, describe: 'host:port, [ipv6]:port, a host followed by a port, or with -U a path' },
    { name: 'port', required: false, describe: 'the port, when <target> is a bare host (with -z: PORTS, as 22,80,8000-8010)' },
  ],
  examples: [
    ['$0 tcp-client 127.0.0.1:1234 < request > reply', 'send a file, save the reply'],
    ['$0 connect localhost 80', 'the same with a separate port'],
    ['$0 tcp-client 127.0.0.1 1-1024 -z', 'which ports are open'],
  ],
  async run(session, s, args) {
    // -z: a connect-only scan, always plain TCP (no handshake, no proxy).
    if (s.mode === 'scan') return (await import('./scan-target.js')).scanPorts(session, TRANSPORTS.tcp, args.target ?? '', args.port, s);
    const row = streamTransport('tcp-client', s);
    const peer = tapPeer(await row.connect(session, row.target(args.target ?? '', args.port, s), s), session, s);
    // The mode loads once connected: a refused connect never pays for it.
    return s.mode === 'exec' ? (await import('../modes/exec.js')).execPeer(session, peer, s) : (await import('../modes/pipe.js')).pipe(session, peer, s);
  },
};
