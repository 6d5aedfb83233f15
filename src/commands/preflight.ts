// The command line read once before yargs, for what yargs answers with a riddle: nc habits (a bare host and port,
// -l, -u, a listen port given with -p), typos in commands, subcommands and flags (did you mean), and flag names that
// are JavaScript built-ins (--constructor). Each is one usage error with the line to type instead.
import { closest, distance } from 'fastest-levenshtein';
import { isIP } from 'node:net';
import { UsageError } from '../core/outcome.js';
import type { Flag } from './flag-row.js';
import { FLAGS } from './flags.js';

const COMMANDS = ['tcp-client', 'connect', 'tcp-server', 'listen', 'udp', 'run', 'completion'];
const UDP_COMMANDS = ['connect', 'bind'];
const SERVERS = new Set(['tcp-server', 'listen', 'bind']);
/** Flags yargs adds itself. */
const BUILT_IN = ['help', 'version'];

/** What nc users type, and what to type here. */
const NC_HABITS: Readonly<Record<string, (args: readonly string[]) => string>> = {
  l: () => 'use: mona-nc tcp-server [ADDR] PORT (or udp bind [ADDR] PORT); there is no -l',
  u: () => 'use: mona-nc udp connect HOST PORT, or udp bind [ADDR] PORT; there is no -u',
};

interface Known { long: Set<string>; short: Set<string>; valued: Set<string> }

function known(): Known {
  const flags: readonly Flag[] = FLAGS;
  const long = new Set(BUILT_IN);
  const short = new Set(['h']);
  const valued = new Set<string>();
  for (const f of flags) {
    long.add(f.long);
    if (f.kind === 'boolean') long.add(`no-${f.long}`);
    if (f.short) short.add(f.short);
    if (f.long.length === 1) short.add(f.long);
    if (f.kind === 'value' || f.kind === 'list') {
      valued.add(`--${f.long}`);
      if (f.short) valued.add(`-${f.short}`);
    }
  }
  return { long, short, valued };
}

// Object.prototype's names (constructor, toString, __proto__...) break yargs' own lookups: never a flag of ours.
const builtIn = (name: string): boolean => name in Object.prototype || name === '__proto__' || name.replace(/-./g, (m) => (m[1] ?? '').toUpperCase()) in Object.prototype;

/** The closest of `candidates` to `word` if it is close enough to be a typo. */
function near(word: string, candidates: readonly string[]): string | undefined {
  const best = closest(word, [...candidates]);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Whether a word reads as a host, as in `nc 127.0.0.1 80` or `nc example.com 80`. */
const hostLike = (word: string, next: string | undefined): boolean =>
  isIP(word.replace(/^\[(.*)\]$/, '$1')) !== 0 || /^[\w.-]+:\d+$/.test(word) || word === 'localhost' || (/^[\w.-]+\.[a-z]{2,}$/i.test(word) && /^\d+$/.test(next ?? ''));

/** Throw the usage error of the first thing yargs would get wrong; yargs' argv (the script's own arguments split off). */
export function preflight(args: readonly string[]): void {
  if (args.includes('--get-yargs-completions')) return;
  const { long, short, valued } = known();
  const positionals: string[] = [];
  const shorts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0] ?? '';
      if (!long.has(name) || builtIn(name)) {
        const guess = near(name, [...long].filter((l) => !BUILT_IN.includes(l)));
        throw new UsageError(`unknown option --${name}`, guess ? `did you mean --${guess}?` : undefined);
      }
      if (valued.has(`--${name}`) && !arg.includes('=')) i++;
    } else if (arg.startsWith('-') && arg.length > 1) {
      const letters = arg.slice(1).split('=')[0] ?? '';
      for (const [n, letter] of [...letters].entries()) {
        shorts.push(letter);
        if (NC_HABITS[letter]) throw new UsageError(`unknown option -${letter}`, NC_HABITS[letter](args));
        if (letter === 'p' && positionals.some((p) => SERVERS.has(p))) continue;
        if (!short.has(letter)) throw new UsageError(`unknown option -${letter}`);
        // A valued short flag takes the rest of the word, or the next one.
        if (valued.has(`-${letter}`)) {
          if (n === letters.length - 1 && !arg.includes('=')) i++;
          break;
        }
      }
    } else {
      positionals.push(arg);
    }
  }
  const [command, second] = positionals;
  if (command === undefined) return;
  if (!COMMANDS.includes(command)) {
    if (hostLike(command, second)) {
      throw new UsageError(`unknown command '${command}'`, `did you mean: mona-nc tcp-client ${[command, second].filter((w) => w !== undefined).join(' ')}`);
    }
    const guess = near(command, COMMANDS);
    throw new UsageError(`unknown command '${command}'`, guess ? `did you mean: mona-nc ${guess}?` : 'the commands: tcp-client, tcp-server, udp connect, udp bind, run, completion');
  }
  if (command === 'udp' && second !== undefined && !UDP_COMMANDS.includes(second)) {
    const guess = near(second, UDP_COMMANDS);
    throw new UsageError(`unknown udp subcommand '${second}'`, guess ? `did you mean: mona-nc udp ${guess}?` : 'give udp connect or udp bind');
  }
  const server = command === 'udp' ? second : command;
  if (shorts.includes('p') && SERVERS.has(server ?? '')) {
    const listen = command === 'udp' ? `udp ${second ?? 'bind'}` : command;
    throw new UsageError(`-p: ${listen} takes its port as an argument`, `use: mona-nc ${listen} [ADDR] PORT (not -p PORT)`);
  }
}
