// --help, `completion` and the completion callback: yargs, loaded only for these (a plain run never loads it),
// renders them from the command and flag tables.
import type { Argv } from 'yargs';
import { loadVendor } from '../assets.js';
import { version } from '../version.js';
import { usageOf, type Command } from './command.js';
import { complete } from './completion.js';
import { withFlags } from './flags.js';
import { COMMANDS } from './index.js';

type Yargs = (args: readonly string[]) => Argv;

const details = (c: Command) => (y: Argv): Argv => {
  let b = withFlags(y, c.name);
  for (const p of c.positionals) b = b.positional(p.name, { type: 'string', describe: p.describe });
  for (const [command, description] of c.examples) b = b.example(command, description);
  return b;
};

/** yargs with every command, for help and completion only: its handlers do nothing. */
function describe(yargs: Yargs, args: readonly string[]): Argv {
  let y = withFlags(yargs(args), 'root')
    .scriptName('mona-nc')
    .usage('$0 <command> [options]\n\nA netcat for people who script sockets (MonaServer\'s TCPClient, TCPServer, UDPSocket).');
  const udp = COMMANDS.filter((c) => c.name.startsWith('udp '));
  for (const c of COMMANDS.filter((x) => !udp.includes(x))) y = y.command([usageOf(c), ...c.aliases], c.describe, details(c), () => undefined);
  y = y.command('udp <connect|bind>', 'UDP: connect to a peer, or bind and hear senders', (u: Argv) => {
    for (const c of udp) u = u.command(usageOf(c).replace(/^udp /, ''), c.describe, details(c), () => undefined);
    return u;
  }, () => undefined);
  // The script passes the words as typed: the program's name first, then the words, the one being typed last (in
  // argv._ unless it looks like a flag).
  return y.completion('completion', 'print a bash/zsh completion script (mona-nc completion >> ~/.bashrc)', (current: string, argv: { _: Array<string | number> }) => {
    const words = argv._.map(String).slice(1);
    if (words.at(-1) === current) words.pop();
    return complete(current, words);
  })
    .version(version())
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 80))
    .epilogue('Exit status: 0 done, 1 network or runtime failure, 2 bad usage, 130/143/129 SIGINT/SIGTERM/SIGHUP. See mona-nc(1).');
}

const COMPLETION_HELP = 'mona-nc completion\n\nPrint a bash completion script (a zsh one when SHELL names zsh); it asks mona-nc for the words to offer.\n\n  mona-nc completion >> ~/.bashrc\n  mona-nc completion >> ~/.zshrc\n';

/** Print help for `words` (a command, or none), the completion script, or the completions yargs' script asks for. */
export async function answer(kind: 'help' | 'completion' | 'complete', words: readonly string[], argv: readonly string[]): Promise<void> {
  // yargs would answer `completion --help` with the script itself.
  if (kind === 'help' && words[0] === 'completion') return void process.stdout.write(COMPLETION_HELP);
  const yargs = (await loadVendor<{ default: Yargs }>('yargs')).default;
  const args = kind === 'help' ? [...words, '--help'] : kind === 'completion' ? ['completion'] : argv;
  await describe(yargs, args).parseAsync();
}
