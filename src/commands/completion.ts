// Tab completion from the tables: the commands, udp's subcommands, and the flags of the command being typed as the
// user types them (-4, not --4; --no-shutdown). yargs writes the bash/zsh script, which calls this back.
import { ALL, type CommandName, type Flag } from './flag-row.js';
import { FLAGS } from './flags.js';

const COMMANDS = ['tcp-client', 'tcp-server', 'udp', 'run', 'replay', 'completion'];
const ALIASES: Readonly<Record<string, CommandName>> = { connect: 'tcp-client', listen: 'tcp-server', 'tcp-client': 'tcp-client', 'tcp-server': 'tcp-server', run: 'run', replay: 'replay' };

/** A flag's spellings to offer. */
const spellings = (f: Flag): string[] => {
  if (f.long.length === 1) return [`-${f.long}`];
  return f.kind === 'boolean' && f.key === 'shutdown' ? [`--${f.long}`, `--no-${f.long}`] : [`--${f.long}`];
};

/** The words to offer after `words` (the command line so far, without `mona-nc`), for the word being typed. */
export function complete(current: string, words: readonly string[]): string[] {
  const positionals = words.filter((w) => !w.startsWith('-'));
  const [first, second] = positionals;
  const command: CommandName | undefined = first === 'udp' ? (second === 'connect' ? 'udp connect' : second === 'bind' ? 'udp bind' : undefined) : ALIASES[first ?? ''];
  if (current.startsWith('-')) {
    const flags: readonly Flag[] = FLAGS;
    return [...flags.filter((f) => (command ? f.commands.includes(command) : f.commands.length === ALL.length)).flatMap(spellings), '--help'];
  }
  if (first === undefined) return COMMANDS;
  if (first === 'udp' && second === undefined) return ['connect', 'bind'];
  return [];
}
