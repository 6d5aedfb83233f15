// mona-nc udp connect|bind: the udp row's connected socket piped to stdio, or its bound socket with a mode (the first
// sender piped to stdio, every sender with -k, or --echo).
import { TRANSPORTS } from '../transports/index.js';
import type { Command } from './command.js';
import { LISTEN_POSITIONALS, serve } from './serve.js';
import { tapPeer } from './taps.js';

export const udpConnect: Command = {
  name: 'udp connect',
  aliases: [],
  describe: 'a connected UDP socket: stdin -> datagrams, datagrams -> stdout',
  positionals: [
    { name: 'target', required: true, describe: 'host:port, [ipv6]:port, or a host followed by a port' },
    { name: 'port', required: false, describe: 'the port, when <target> is a bare host (with -z: PORTS, as 53,5000-5010)' },
  ],
  examples: [['printf ping | $0 udp connect 127.0.0.1:1234 -q 1', 'send one datagram, print the replies for 1 s']],
  async run(session, s, args) {
    const udp = TRANSPORTS.udp;
    if (s.mode === 'scan') return (await import('./scan-target.js')).scanPorts(session, udp, args.target ?? '', args.port, s);
    const peer = tapPeer(await udp.connect(session, udp.target(args.target ?? '', args.port, s), s), session, s);
    return s.mode === 'exec' ? (await import('../modes/exec.js')).execPeer(session, peer, s) : (await import('../modes/pipe.js')).pipe(session, peer, s);
  },
};

export const udpBind: Command = {
  name: 'udp bind',
  aliases: [],
  describe: 'a bound UDP socket: datagrams -> stdout; stdin goes to the first sender (-k: to every sender)',
  positionals: LISTEN_POSITIONALS,
  examples: [['$0 udp bind 1234 --echo', 'a UDP echo server']],
  run: (session, s, args) => serve(session, TRANSPORTS.udp, args, s),
};
