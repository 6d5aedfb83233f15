// mona-nc tcp-server [address] <port>: listen; one client piped to stdio, or many with -k, or --echo.
import type { Argv, CommandModule } from 'yargs';
import type { TCPClient, TCPServer } from '../mona/index.js';
import { listenAddress, startOn } from './hosts.js';
import {
  pipeOptions, withFamily, withIdle, withProgress, withSession,
  type FamilyArgs, type IdleArgs, type LogArgs, type ProgressArgs, type SessionArgs,
} from './options.js';
import { UsageError } from './usage.js';

interface Args extends LogArgs, FamilyArgs, IdleArgs, SessionArgs, ProgressArgs {
  address: string;
  port?: string | undefined;
  keepOpen?: boolean | undefined;
  echo?: boolean | undefined;
}

export const tcpServer: CommandModule<object, Args> = {
  // Declared "<address> [port]" because yargs fills required positionals first; read as "[address] <port>".
  command: ['tcp-server <address> [port]', 'listen'],
  describe: 'listen for TCP clients: one client by default, many with -k, --echo to echo them',
  builder: (y: Argv) => withProgress(withSession(withIdle(withFamily(y))))
    .usage('$0 tcp-server [address] <port>')
    .positional('address', { type: 'string', demandOption: true, describe: 'PORT (all interfaces), host:port, [ipv6]:port, or a host followed by a port' })
    .positional('port', { type: 'string', describe: 'the port, when the first argument is a host' })
    .option('keep-open', { alias: 'k', type: 'boolean', describe: 'accept many clients at once; stdin goes to all of them' })
    .option('echo', { type: 'boolean', describe: 'send every client its own data back (implies -k; stdin is not read)' })
    .example('$0 tcp-server 1234 --echo', 'an echo server on every interface')
    .example('$0 tcp-server 127.0.0.1:0 > upload.bin', 'receive one upload on a free port (read it from stderr)') as unknown as Argv<Args>,
  handler: async (argv) => (await import('./run-command.js')).runCommand(argv, async (ctx) => {
    const { host, port, family } = listenAddress(argv);
    const options = pipeOptions(argv);
    if (argv.echo) rejectWithEcho(argv);
    const [{ mona }, { accepted, listening }] = await Promise.all([import('../mona/index.js'), import('../modes/events.js')]);
    const server = mona.createTCPServer({ ipv6Only: family === 6 });
    listening(ctx.log, await startOn(host, family, (h) => server.startAsync(h, port)), 'tcp');
    if (argv.echo) return (await import('../modes/echo.js')).echoTcp(ctx, server, options);
    if (argv.keepOpen) return (await import('../modes/fan-out.js')).fanOut(ctx, server, options);
    const [client, { pipeTcp }] = await Promise.all([acceptOne(server), import('../modes/stdio-pipe.js')]);
    accepted(ctx.log, client.address, client.peerAddress, 1);
    return pipeTcp(ctx, client, { id: 1, ...options });
  }),
};

/** --echo never reads stdin, so the stdin flags make no sense with it. */
function rejectWithEcho(argv: Args): void {
  if (argv.quitAfter !== undefined) throw new UsageError('cannot use --echo and -q (--echo does not read stdin)');
  if (argv.shutdown === false) throw new UsageError('cannot use --echo and --no-shutdown (--echo does not read stdin)');
  if (argv.linger !== undefined) throw new UsageError('cannot use --echo and --linger (--echo does not read stdin)');
  if (argv.progress) throw new UsageError('cannot use --echo and --progress (--echo does not use stdin or stdout)');
}

/** The first client; the listener closes behind it (later clients are refused), as nc does without -k. */
function acceptOne(server: TCPServer): Promise<TCPClient> {
  return new Promise((resolve) => {
    server.onConnection = (client) => {
      server.onConnection = (extra) => extra.close();
      server.stop();
      resolve(client);
    };
  });
}

