// mona-nc tcp-client <target> [port]: connect, then stdin -> send(), onData -> stdout.
import type { Argv, CommandModule } from 'yargs';
import {
  familyOf, parseTarget, pipeOptions, withFamily, withIdle, withProgress, withSession, withWait, parseSeconds,
  type FamilyArgs, type IdleArgs, type LogArgs, type ProgressArgs, type SessionArgs, type WaitArgs,
} from './options.js';
import { checkFamily } from './hosts.js';

interface Args extends LogArgs, FamilyArgs, WaitArgs, IdleArgs, SessionArgs, ProgressArgs { target: string; port?: string | undefined }

export const tcpClient: CommandModule<object, Args> = {
  command: ['tcp-client <target> [port]', 'connect'],
  describe: 'connect to a TCP server: stdin -> peer, peer -> stdout',
  builder: (y: Argv) => withProgress(withSession(withIdle(withWait(withFamily(y)))))
    .positional('target', { type: 'string', demandOption: true, describe: 'host:port, [ipv6]:port, or a host followed by a port' })
    .positional('port', { type: 'string', describe: 'the port, when <target> is a bare host' })
    .example('$0 tcp-client 127.0.0.1:1234 < request > reply', 'send a file, save the reply')
    .example('$0 connect localhost 80', 'the same with a separate port') as unknown as Argv<Args>,
  handler: async (argv) => (await import('./run-command.js')).runCommand(argv, async (ctx) => {
    const target = parseTarget(argv.target, argv.port);
    const family = familyOf(argv);
    checkFamily(target.host, family);
    const options = pipeOptions(argv);
    // Loaded on demand, here and in every command: --help, --version and usage errors never load sockets or modes.
    const { mona } = await import('../mona/index.js');
    const client = mona.createTCPClient({ family, connectTimeout: parseSeconds('-w', argv.wait) });
    await client.connectAsync(target.host, target.port);
    const [{ connected }, { pipeTcp }] = await Promise.all([import('../modes/events.js'), import('../modes/stdio-pipe.js')]);
    connected(ctx.log, client.address, client.peerAddress);
    return pipeTcp(ctx, client, { id: 1, ...options });
  }),
};
