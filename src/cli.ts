// mona-nc's command line: yargs parses and validates, a command does the work, usage errors exit 2.
// First, before anything else runs: SIGUSR1 prints statistics and never opens Node's inspector.
import './core/connections.js';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { complete } from './commands/completion.js';
import { withFlags } from './commands/flags.js';
import { preflight } from './commands/preflight.js';
import { splitScriptArgs } from './commands/run.js';
import { UsageError } from './core/outcome.js';
import { version } from './version.js';

const { argv: args, scriptArgs } = splitScriptArgs(hideBin(process.argv));
// The log format must be known even when parsing fails, so a JSON consumer gets JSON.
const jsonLogs = args.some((a, i) => a === '--log-format=json' || (a === '--log-format' && args[i + 1] === 'json'));
const usageFailure = (error: UsageError): void => {
  void import('./commands/run-command.js').then((m) => m.usageFailure(error, jsonLogs ? 'json' : 'text'));
};

const cli = withFlags(yargs(args), 'root')
  .scriptName('mona-nc')
  .usage('$0 <command> [options]\n\nA netcat for people who script sockets (MonaServer\'s TCPClient, TCPServer, UDPSocket).')
  .command(commands(scriptArgs))
  // `mona-nc completion` prints the script; the script calls `mona-nc --get-yargs-completions WORDS...` back.
  // The script passes the words as typed: the program's name first, then the words, the one being typed last (in
  // argv._ unless it looks like a flag).
  .completion('completion', 'print a bash/zsh completion script (mona-nc completion >> ~/.bashrc)', (current: string, argv: { _: Array<string | number> }) => {
    const words = argv._.map(String).slice(1);
    if (words.at(-1) === current) words.pop();
    return complete(current, words);
  })
  .demandCommand(1, 'give a command: tcp-client, tcp-server, udp connect, udp bind or run')
  .strict()
  // A repeated option keeps every value: `list` flags (--allow) read them all, the others their last (flags.ts).
  .parserConfiguration({ 'duplicate-arguments-array': true })
  .version(version())
  .alias('h', 'help')
  .wrap(Math.min(110, process.stdout.columns || 80))
  .epilogue('Exit status: 0 done, 1 network or runtime failure, 2 bad usage, 130/143 SIGINT/SIGTERM. See mona-nc(1).')
  .fail((message, err) => usageFailure(new UsageError(message || err?.message || 'bad usage')));

// yargs lays out the whole help text right after starting a command, in case it fails and help must be shown: ~60 ms
// (string-width) before even a refused connect can report. Our .fail() never shows help, so skip that.
const usage = (cli as unknown as { getInternalMethods?: () => { getUsageInstance(): { cacheHelpMessage?: () => void } } })
  .getInternalMethods?.().getUsageInstance();
if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => undefined;

// No top-level await: the same code is bundled to CommonJS for the npm bin and the standalone binary.
if (args[0] === 'completion' && (args.includes('--help') || args.includes('-h'))) {
  // yargs would answer with the script itself.
  process.stdout.write('mona-nc completion\n\nPrint a bash completion script (a zsh one when SHELL names zsh); it asks mona-nc for the words to offer.\n\n  mona-nc completion >> ~/.bashrc\n  mona-nc completion >> ~/.zshrc\n');
} else {
  try {
    preflight(args);
    void cli.parseAsync();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    usageFailure(err);
  }
}
