// mona-nc udp connect|bind: a connected UDP socket, or a bound one that hears the first sender (-k: everyone).
import type { Argv, CommandModule } from 'yargs';
import { inFamily, listenAddress, startOn } from './hosts.js';
import {
  familyOf, parseSeconds, parseTarget, withFamily, withIdle, withProgress,
  type FamilyArgs, type IdleArgs, type LogArgs, type ProgressArgs,
} from './options.js';
import { UsageError } from './usage.js';

interface UdpArgs extends LogArgs, FamilyArgs, IdleArgs, ProgressArgs {
  quitAfter?: string | undefined;
  lines?: boolean | undefined;
  broadcast?: boolean | undefined;
}
interface ConnectArgs extends UdpArgs { target: string; port?: string | undefined }
interface BindArgs extends UdpArgs { address: string; port?: string | undefined; keepOpen?: boolean | undefined; echo?: boolean | undefined }

const withUdpOptions = (y: Argv): Argv => withProgress(withIdle(withFamily(y), 'a datagram'))
  .option('quit-after', { alias: 'q', type: 'string', describe: 'exit SECS after stdin EOF (exit 0)' })
  .option('lines', { type: 'boolean', describe: 'one datagram per stdin line (newline included) instead of one per read' })
  .option('broadcast', { alias: 'b', type: 'boolean', describe: 'allow sending to broadcast addresses' });

/** The UDP session flags, parsed once. */
const udpOptions = (argv: UdpArgs): { lines: boolean; quitAfter: number | undefined; idleTimeout: number | undefined } => ({
  lines: argv.lines ?? false,
  quitAfter: parseSeconds('-q', argv.quitAfter),
  idleTimeout: parseSeconds('-i', argv.idleTimeout),
});

const udpConnect: CommandModule<object, ConnectArgs> = {
  command: 'connect <target> [port]',
  describe: 'a connected UDP socket: stdin -> datagrams, datagrams -> stdout',
  builder: (y: Argv) => withUdpOptions(y)
    .positional('target', { type: 'string', demandOption: true, describe: 'host:port, [ipv6]:port, or a host followed by a port' })
    .positional('port', { type: 'string' })
    .example('printf ping | $0 udp connect 127.0.0.1:1234 -q 1', 'send one datagram, print the replies for 1 s') as unknown as Argv<ConnectArgs>,
  handler: async (argv) => (await import('./run-command.js')).runCommand(argv, async (ctx) => {
    const target = parseTarget(argv.target, argv.port);
    const host = await inFamily(target.host, target.port, familyOf(argv));
    const [{ mona }, { connected }, { udpPipe }] = await Promise.all([import('../mona/index.js'), import('../modes/events.js'), import('../modes/udp-pipe.js')]);
    const socket = mona.createUDPSocket(argv.broadcast);
    await socket.connectAsync(host, target.port);
    connected(ctx.log, socket.address, socket.peerAddress);
    return udpPipe(ctx, socket, { peers: 'connected', ...udpOptions(argv) });
  }),
};

const udpBind: CommandModule<object, BindArgs> = {
  command: 'bind <address> [port]',
  describe: 'a bound UDP socket: datagrams -> stdout; stdin goes to the first sender (-k: to every sender)',
  builder: (y: Argv) => withUdpOptions(y)
    .usage('$0 udp bind [address] <port>')
    .positional('address', { type: 'string', demandOption: true, describe: 'PORT (all interfaces), host:port, [ipv6]:port, or a host followed by a port' })
    .positional('port', { type: 'string' })
    .option('keep-open', { alias: 'k', type: 'boolean', describe: 'hear every sender; stdin goes to all of them' })
    .option('echo', { type: 'boolean', describe: 'send each datagram back to its sender (implies -k; stdin is not read)' })
    .example('$0 udp bind 1234 --echo', 'a UDP echo server') as unknown as Argv<BindArgs>,
  handler: async (argv) => (await import('./run-command.js')).runCommand(argv, async (ctx) => {
    const { host, port, family } = listenAddress(argv);
    const options = udpOptions(argv);
    if (argv.echo && (argv.quitAfter !== undefined || argv.lines)) throw new UsageError(`cannot use --echo and ${argv.lines ? '--lines' : '-q'} (--echo does not read stdin)`);
    if (argv.echo && argv.progress) throw new UsageError('cannot use --echo and --progress (--echo does not use stdin or stdout)');
    const [{ mona }, { listening }] = await Promise.all([import('../mona/index.js'), import('../modes/events.js')]);
    const socket = mona.createUDPSocket(argv.broadcast, { ipv6Only: family === 6 });
    listening(ctx.log, await startOn(host, family, (h) => socket.bindAsync(h, port)), 'udp');
    if (argv.echo) return (await import('../modes/echo.js')).echoUdp(ctx, socket, options);
    return (await import('../modes/udp-pipe.js')).udpPipe(ctx, socket, { peers: argv.keepOpen ? 'all' : 'first', ...options });
  }),
};

export const udp: CommandModule<object, object> = {
  command: 'udp <connect|bind>',
  describe: 'UDP: connect to a peer, or bind and hear senders',
  builder: (y: Argv) => y.command(udpConnect).command(udpBind).demandCommand(1, 'udp needs connect or bind'),
  handler: () => undefined,
};
