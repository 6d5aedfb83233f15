// mona-nc tcp-server [address] <port>: the tcp row's listener, then a mode: the first client piped to stdio, many
// with -k (fan-out), or --echo.
import type { Argv, CommandModule } from 'yargs';
import { TRANSPORTS } from '../transports/index.js';
import { withFlags } from './flags.js';
import { serve } from './serve.js';

interface Args { address?: string | undefined; port: string }

export const tcpServer: CommandModule<object, Args> = {
  // yargs fills the required positional first: `port` holds the first word and `address` the second (see serve.ts).
  command: ['tcp-server [address] <port>', 'listen'],
  describe: 'listen for TCP clients: one client by default, many with -k, --echo to echo them',
  builder: (y: Argv) => withFlags(y, 'tcp-server')
    .positional('address', { type: 'string', describe: 'the address to listen on: a host, followed by the port' })
    .positional('port', { type: 'string', demandOption: true, describe: 'PORT (all interfaces), host:port, [ipv6]:port' })
    .example('$0 tcp-server 1234 --echo', 'an echo server on every interface')
    .example('$0 tcp-server 127.0.0.1:0 > upload.bin', 'receive one upload on a free port (read it from stderr)') as unknown as Argv<Args>,
  handler: async (argv) => (await import('./run-command.js')).runCommand('tcp-server', argv, (session, s) => serve(session, TRANSPORTS.tcp, argv, s)),
};
