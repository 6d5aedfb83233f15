// mona-nc tcp-server [address] <port>: the tcp row's listener, then a mode: the first client piped to stdio, many
// with -k (fan-out), or --echo.
import type { Argv, CommandModule } from 'yargs';
import { withFlags } from './flags.js';
import { serve } from './serve.js';
import { streamTransport } from './transport.js';

interface Args { address: string; port?: string | undefined }

export const tcpServer: CommandModule<object, Args> = {
  // Declared "<address> [port]" because yargs fills required positionals first; read as "[address] <port>".
  command: ['tcp-server <address> [port]', 'listen'],
  describe: 'listen for TCP clients: one client by default, many with -k, --echo to echo them',
  builder: (y: Argv) => withFlags(y, 'tcp-server')
    .usage('$0 tcp-server [address] <port>')
    .positional('address', { type: 'string', demandOption: true, describe: 'PORT (all interfaces), host:port, [ipv6]:port, a host followed by a port, or with -U a path' })
    .positional('port', { type: 'string', describe: 'the port, when the first argument is a host' })
    .example('$0 tcp-server 1234 --echo', 'an echo server on every interface')
    .example('$0 tcp-server 127.0.0.1:0 > upload.bin', 'receive one upload on a free port (read it from stderr)') as unknown as Argv<Args>,
  handler: async (argv) => (await import('./run-command.js')).runCommand('tcp-server', argv, (session, s) => serve(session, streamTransport('tcp-server', s), argv, s)),
};
