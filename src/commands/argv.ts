// The command line, read from the command and flag tables (a plain run loads no yargs): the command, its positionals
// and the flags' raw values, or what to answer instead (help, version, completion). Every mistake is one usage error
// with the line to type instead: nc habits (a bare host and port, -l, -u, a listen port given with -p), typos (did
// you mean), and flag names that are JavaScript built-ins.
import { closest, distance } from 'fastest-levenshtein';
import { isIP } from 'node:net';
import { UsageError } from '../core/outcome.js';
import { usageOf, type Command } from './command.js';
import type { Flag } from './flag-row.js';
import { FLAGS } from './flags.js';
import { COMMANDS } from './index.js';

export type Parsed =
  | {
    readonly kind: 'run';
    readonly command: Command;
    /** Positional values by name. */
    readonly args: Readonly<Record<string, string | undefined>>;
    /** `run`'s script arguments: everything after the script, options included. */
    readonly rest: readonly string[];
    /** Raw flag values by key (booleans, counts, strings), for readSettings(). */
    readonly flags: Readonly<Record<string, unknown>>;
  }
  | { readonly kind: 'help'; readonly words: readonly string[] }
  | { readonly kind: 'version' | 'completion' | 'complete' };

const TOP = ['tcp-client', 'connect', 'tcp-server', 'listen', 'udp', 'run', 'replay', 'completion'];
const UDP_WORDS = ['connect', 'bind'];
const SERVERS = new Set(['tcp-server', 'listen', 'bind']);

/** What nc users type, and what to type here. */
const NC_HABITS: Readonly<Record<string, string>> = {
  l: 'use: mona-nc tcp-server [ADDR] PORT (or udp bind [ADDR] PORT); there is no -l',
  u: 'use: mona-nc udp connect HOST PORT, or udp bind [ADDR] PORT; there is no -u',
};

const table: readonly Flag[] = FLAGS;
const byLong = new Map<string, Flag>(table.map((f) => [f.long, f]));
const byShort = new Map<string, Flag>(table.flatMap((f) => [...(f.short ? [[f.short, f] as const] : []), ...(f.long.length === 1 ? [[f.long, f] as const] : [])]));
const LONG_NAMES = [...table.flatMap((f) => (f.kind === 'boolean' ? [f.long, `no-${f.long}`] : [f.long])), 'help', 'version'];

// Object.prototype's names (constructor, toString, __proto__...) are never flags of ours.
const builtIn = (name: string): boolean => name in Object.prototype || name === '__proto__';

/** The closest of `candidates` to `word` if it is close enough to be a typo. */
function near(word: string, candidates: readonly string[]): string | undefined {
  const best = closest(word, [...candidates]);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Whether a word reads as a host, as in `nc 127.0.0.1 80` or `nc example.com 80`. */
const hostLike = (word: string, next: string | undefined): boolean =>
  isIP(word.replace(/^\[(.*)\]$/, '$1')) !== 0 || /^[\w.-]+:\d+$/.test(word) || word === 'localhost' || (/^[\w.-]+\.[a-z]{2,}$/i.test(word) && /^\d+$/.test(next ?? ''));

interface Reading { flags: Record<string, unknown>; words: string[]; help: boolean; version: boolean; dashP: boolean }

/**
 * Set a flag's raw value: a count adds, a boolean is true (or false as --no-X), a value is the text (last wins, as
 * getopt in nc), a list keeps every value in order (--allow A --allow B).
 */
function setFlag(r: Reading, f: Flag, value: string | boolean | undefined): void {
  if (f.kind === 'count') r.flags[f.key] = Number(r.flags[f.key] ?? 0) + 1;
  else if (f.kind === 'boolean') r.flags[f.key] = typeof value === 'string' ? value !== 'false' : value ?? true;
  else if (f.kind === 'list') r.flags[f.key] = [...(r.flags[f.key] as string[] | undefined ?? []), value];
  else r.flags[f.key] = value;
}

/** A flag that takes a value (the next word, or after =). */
const takesValue = (f: Flag): boolean => f.kind === 'value' || f.kind === 'list';

/** Read flags and words; after `run`'s script, the rest is the script's. */
function read(argv: readonly string[]): Reading & { rest: string[] } {
  const r: Reading = { flags: {}, words: [], help: false, version: false, dashP: false };
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      // After --, words only; for `run`, the first is the script and the rest its own arguments.
      const after = argv.slice(i + 1);
      if (r.words[0] === 'run' && r.words.length === 1) {
        r.words.push(...after.slice(0, 1));
        rest = after.slice(1);
      } else r.words.push(...after);
      break;
    }
    if (arg.startsWith('--')) {
      const [name = '', value] = splitValue(arg.slice(2));
      if (name === 'help') { r.help = true; continue; }
      if (name === 'version') { r.version = true; continue; }
      const negated = name.startsWith('no-') ? byLong.get(name.slice(3)) : undefined;
      const f = builtIn(name) ? undefined : byLong.get(name) ?? (negated?.kind === 'boolean' ? negated : undefined);
      if (!f) {
        const guess = near(name, LONG_NAMES);
        throw new UsageError(`unknown option --${name}`, guess ? `did you mean --${guess}?` : undefined);
      }
      if (f === negated) setFlag(r, f, false);
      else if (takesValue(f)) setFlag(r, f, value ?? takeValue(argv, ++i, `--${name}`));
      else setFlag(r, f, value);
    } else if (arg.startsWith('-') && arg.length > 1) {
      const letters = arg.slice(1);
      for (let n = 0; n < letters.length; n++) {
        const letter = letters[n] ?? '';
        if (letter === 'h') { r.help = true; continue; }
        if (NC_HABITS[letter]) throw new UsageError(`unknown option -${letter}`, NC_HABITS[letter]);
        const f = byShort.get(letter);
        // -p is a client's --source-port; on a server it is the nc habit of giving the listen port as -p, answered
        // once the command is known.
        if (letter === 'p') r.dashP = true;
        if (!f && letter === 'p') continue;
        if (!f) throw new UsageError(`unknown option -${letter}`);
        if (!takesValue(f)) { setFlag(r, f, undefined); continue; }
        // A value flag takes the rest of the word (-q1, -q=1), or the next word.
        const attached = letters.slice(n + 1).replace(/^=/, '');
        setFlag(r, f, attached !== '' ? attached : takeValue(argv, ++i, `-${letter}`));
        break;
      }
    } else {
      r.words.push(arg);
      // Everything after `run`'s script is the script's own, options included (as with `node`).
      if (r.words[0] === 'run' && r.words.length === 2) {
        rest = argv.slice(i + 1);
        break;
      }
    }
  }
  return { ...r, rest };
}

const splitValue = (text: string): [string, string | undefined] => {
  const eq = text.indexOf('=');
  return eq < 0 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
};

function takeValue(argv: readonly string[], i: number, flag: string): string {
  const value = argv[i];
  if (value === undefined) throw new UsageError(`${flag} needs a value`);
  return value;
}

/** The command the words name, and how many words that took; nc habits and typos are usage errors. */
function commandOf(words: readonly string[], dashP: boolean, knownP: boolean): { command: Command | 'completion'; used: number } {
  const [first, second] = words;
  if (first === undefined) throw new UsageError('give a command: tcp-client, tcp-server, udp connect, udp bind, run or replay');
  if (!TOP.includes(first)) {
    if (hostLike(first, second)) throw new UsageError(`unknown command '${first}'`, `did you mean: mona-nc tcp-client ${[first, second].filter((w) => w !== undefined).join(' ')}`);
    const guess = near(first, TOP);
    throw new UsageError(`unknown command '${first}'`, guess ? `did you mean: mona-nc ${guess}?` : 'the commands: tcp-client, tcp-server, udp connect, udp bind, run, replay, completion');
  }
  if (first === 'completion') return { command: 'completion', used: 1 };
  let name = first;
  let used = 1;
  if (first === 'udp') {
    if (second === undefined) throw new UsageError('udp needs connect or bind');
    if (!UDP_WORDS.includes(second)) {
      const guess = near(second, UDP_WORDS);
      throw new UsageError(`unknown udp subcommand '${second}'`, guess ? `did you mean: mona-nc udp ${guess}?` : 'give udp connect or udp bind');
    }
    name = `udp ${second}`;
    used = 2;
  }
  if (dashP) {
    if (SERVERS.has(first === 'udp' ? second ?? '' : first)) throw new UsageError(`-p: ${name} takes its port as an argument`, `use: mona-nc ${name} [ADDR] PORT (not -p PORT)`);
    if (!knownP) throw new UsageError('unknown option -p');
  }
  const command = COMMANDS.find((c) => c.name === name || c.aliases.includes(name));
  if (!command) throw new UsageError(`unknown command '${name}'`);
  return { command, used };
}

/** Positional words to names: in order, the required ones filled first when there are fewer words than names. */
function positionals(command: Command, words: readonly string[]): Record<string, string | undefined> {
  const names = command.positionals;
  if (words.length > names.length) throw new UsageError(`too many arguments for ${command.name}: ${words.slice(names.length).join(' ')}`, `usage: mona-nc ${usageOf(command)}`);
  const required = names.filter((p) => p.required).length;
  if (words.length < required) throw new UsageError(`${command.name} needs <${names.filter((p) => p.required)[words.length]?.name ?? ''}>`, `usage: mona-nc ${usageOf(command)}`);
  let optional = words.length - required;
  const args: Record<string, string | undefined> = {};
  let w = 0;
  for (const p of names) {
    if (p.required || optional-- > 0) args[p.name] = words[w++];
  }
  return args;
}

export function parseArgv(argv: readonly string[]): Parsed {
  if (argv.includes('--get-yargs-completions')) return { kind: 'complete' };
  const r = read(argv);
  if (r.version && !r.help) return { kind: 'version' };
  if (r.help && (r.words.length === 0 || r.words[0] === 'completion')) return { kind: 'help', words: r.words.slice(0, 1) };
  const { command, used } = commandOf(r.words, r.dashP, byShort.has('p'));
  if (r.help) return { kind: 'help', words: r.words.slice(0, used) };
  if (command === 'completion') {
    if (r.words.length > 1) throw new UsageError(`too many arguments for completion: ${r.words.slice(1).join(' ')}`);
    return { kind: 'completion' };
  }
  return { kind: 'run', command, args: positionals(command, r.words.slice(used)), rest: r.rest, flags: r.flags };
}
