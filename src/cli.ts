// mona-nc's command line: yargs parses and validates, a command does the work, usage errors exit 2.
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { withLogOptions } from './commands/options.js';
import { usageFailure } from './commands/run-command.js';

const version = (): string => (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const args = hideBin(process.argv);
// The log format must be known even when parsing fails, so a JSON consumer gets JSON.
const jsonLogs = args.some((a, i) => a === '--log-format=json' || (a === '--log-format' && args[i + 1] === 'json'));

await withLogOptions(yargs(args))
  .scriptName('mona-nc')
  .usage('$0 <command> [options]\n\nA netcat for people who script sockets (MonaServer\'s TCPClient, TCPServer, UDPSocket).')
  .command(commands)
  .demandCommand(1, 'give a command: tcp-client, tcp-server, udp connect or udp bind')
  .strict()
  // A repeated option takes its last value, as with getopt in nc and ncat (not an array the parsers cannot read).
  .parserConfiguration({ 'duplicate-arguments-array': false })
  .version(version())
  .alias('h', 'help')
  .wrap(Math.min(110, process.stdout.columns || 80))
  .epilogue('Exit status: 0 done, 1 network or runtime failure, 2 bad usage, 130/143 SIGINT/SIGTERM. See mona-nc(1).')
  .fail((message, err) => {
    void usageFailure(message || err?.message || 'bad usage', jsonLogs ? 'json' : 'text');
  })
  .parseAsync();
