// mona-nc tcp-client <target> [port]: the tcp row's connect, then the pipe mode (stdin -> peer, peer -> stdout).
import type { Argv, CommandModule } from 'yargs';
import { TRANSPORTS } from '../transports/index.js';
import { withFlags } from './flags.js';
import { tapPeer } from './taps.js';

interface Args { target: string; port?: string | undefined }

export const tcpClient: CommandModule<object, Args> = {
  command: ['tcp-client <target> [port]', 'connect'],
  describe: 'connect to a TCP server: stdin -> peer, peer -> stdout',
  builder: (y: Argv) => withFlags(y, 'tcp-client')
    .positional('target', { type: 'string', demandOption: true, describe: 'host:port, [ipv6]:port, or a host followed by a port' })
    .positional('port', { type: 'string', describe: 'the port, when <target> is a bare host' })
    .example('$0 tcp-client 127.0.0.1:1234 < request > reply', 'send a file, save the reply')
    .example('$0 connect localhost 80', 'the same with a separate port') as unknown as Argv<Args>,
  handler: async (argv) => (await import('./run-command.js')).runCommand('tcp-client', argv, async (session, s) => {
    const tcp = TRANSPORTS.tcp;
    const peer = tapPeer(await tcp.connect(session, tcp.target(argv.target, argv.port, s), s), session, s);
    // The mode loads once connected: a refused connect never pays for it.
    return s.mode === 'exec' ? (await import('../modes/exec.js')).execPeer(session, peer, s) : (await import('../modes/pipe.js')).pipe(session, peer, s);
  }),
};
