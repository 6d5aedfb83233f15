// mona-nc tcp-client <target> [port]: the row's connect (tcp, tls or unix, maybe through a proxy), then the pipe mode
// (stdin -> peer, peer -> stdout).
import type { Argv, CommandModule } from 'yargs';
import { withFlags } from './flags.js';
import { streamTransport } from './transport.js';
import { tapPeer } from './taps.js';

interface Args { target: string; port?: string | undefined }

export const tcpClient: CommandModule<object, Args> = {
  command: ['tcp-client <target> [port]', 'connect'],
  describe: 'connect to a TCP server: stdin -> peer, peer -> stdout',
  builder: (y: Argv) => withFlags(y, 'tcp-client')
    .positional('target', { type: 'string', demandOption: true, describe: 'host:port, [ipv6]:port, a host followed by a port, or with -U a path' })
    .positional('port', { type: 'string', describe: 'the port, when <target> is a bare host' })
    .example('$0 tcp-client 127.0.0.1:1234 < request > reply', 'send a file, save the reply')
    .example('$0 connect localhost 80', 'the same with a separate port') as unknown as Argv<Args>,
  handler: async (argv) => (await import('./run-command.js')).runCommand('tcp-client', argv, async (session, s) => {
    const row = streamTransport('tcp-client', s);
    const peer = tapPeer(await row.connect(session, row.target(argv.target, argv.port, s), s), session, s);
    // The mode loads once connected: a refused connect never pays for it.
    return (await import('../modes/pipe.js')).pipe(session, peer, s);
  }),
};
