// mona-nc udp connect|bind: the udp row's connected socket piped to stdio, or its bound socket with a mode (the first
// sender piped to stdio, every sender with -k, or --echo).
import type { Argv, CommandModule } from 'yargs';
import { TRANSPORTS } from '../transports/index.js';
import { withFlags } from './flags.js';
import { tapPeer } from './taps.js';
import { serve } from './serve.js';

interface ConnectArgs { target: string; port?: string | undefined }
interface BindArgs { address?: string | undefined; port: string }

const udpConnect: CommandModule<object, ConnectArgs> = {
  command: 'connect <target> [port]',
  describe: 'a connected UDP socket: stdin -> datagrams, datagrams -> stdout',
  builder: (y: Argv) => withFlags(y, 'udp connect')
    .positional('target', { type: 'string', demandOption: true, describe: 'host:port, [ipv6]:port, or a host followed by a port' })
    .positional('port', { type: 'string' })
    .example('printf ping | $0 udp connect 127.0.0.1:1234 -q 1', 'send one datagram, print the replies for 1 s') as unknown as Argv<ConnectArgs>,
  handler: async (argv) => (await import('./run-command.js')).runCommand('udp connect', argv, async (session, s) => {
    const udp = TRANSPORTS.udp;
    const peer = tapPeer(await udp.connect(session, udp.target(argv.target, argv.port, s), s), session, s);
    return s.mode === 'exec' ? (await import('../modes/exec.js')).execPeer(session, peer, s) : (await import('../modes/pipe.js')).pipe(session, peer, s);
  }),
};

const udpBind: CommandModule<object, BindArgs> = {
  command: 'bind [address] <port>',
  describe: 'a bound UDP socket: datagrams -> stdout; stdin goes to the first sender (-k: to every sender)',
  builder: (y: Argv) => withFlags(y, 'udp bind')
    .positional('address', { type: 'string', describe: 'the address to listen on: a host, followed by the port' })
    .positional('port', { type: 'string', demandOption: true, describe: 'PORT (all interfaces), host:port, [ipv6]:port' })
    .example('$0 udp bind 1234 --echo', 'a UDP echo server') as unknown as Argv<BindArgs>,
  handler: async (argv) => (await import('./run-command.js')).runCommand('udp bind', argv, (session, s) => serve(session, TRANSPORTS.udp, argv, s)),
};

export const udp: CommandModule<object, object> = {
  command: 'udp <connect|bind>',
  describe: 'UDP: connect to a peer, or bind and hear senders',
  builder: (y: Argv) => y.command(udpConnect).command(udpBind).demandCommand(1, 'udp needs connect or bind'),
  handler: () => undefined,
};
