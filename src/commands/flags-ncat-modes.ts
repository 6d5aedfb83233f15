// The flag rows of ncat's modes (issue 13): a child per connection (-e, -c), the broker and its chat, and who may
// connect (--max-conns, --allow, --deny and their files). Spread into FLAGS (flags.ts).
import { UsageError } from '../core/outcome.js';
import { parseAccessEntries, type AccessEntry } from '../core/access.js';
import { bool, list, NET, row, SERVERS, text } from './flag-row.js';

/**
 * ncat's split of `-e "CMD ARGS"` into argv, without a shell: words part at whitespace, a backslash makes the next
 * character literal (`a\ b` is one word, `\\` a backslash). No quotes, no variables, no globs: that is -c's job.
 */
export function splitCommand(flag: string, line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === '\\' && i + 1 < line.length) word = (word ?? '') + (line[++i] ?? '');
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  if (words.length === 0) throw new UsageError(`${flag} ${JSON.stringify(line)}: no command to run`);
  return words;
}

const command = (raw: unknown, name: string): string[] | undefined => (raw === undefined ? undefined : splitCommand(name, String(raw)));

const shell = (raw: unknown, name: string): string | undefined => {
  const line = text(raw);
  if (line !== undefined && line.trim() === '') throw new UsageError(`${name} "": no command to run`);
  return line;
};

const count = (raw: unknown, name: string): number | undefined => {
  const value = text(raw);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${name} ${value}: not a number of connections (1 or more)`);
  return Number(value);
};

const entries = (raw: unknown, name: string): AccessEntry[] => list(raw).flatMap((value) => parseAccessEntries(value, name));

const file = (raw: unknown, name: string): string | undefined => {
  const path = text(raw);
  if (path === '') throw new UsageError(`${name}: no file name`);
  return path;
};

const NO_CHILD = ['echo', 'broker', 'chat'];

export const NCAT_MODE_FLAGS = [
  // A child per connection: the socket is its stdin and stdout.
  row({ key: 'exec', long: 'exec', short: 'e', kind: 'value', value: 'CMD', commands: NET, selects: 'exec', conflicts: ['shExec', ...NO_CHILD], describe: 'run CMD for each connection, the socket as its stdin and stdout (split at spaces, no shell; a bare name is looked up in PATH); mona-nc\'s own stdin and stdout are not used', parse: command }),
  row({ key: 'shExec', long: 'sh-exec', short: 'c', kind: 'value', value: 'CMD', commands: NET, selects: 'exec', conflicts: NO_CHILD, describe: 'run CMD through /bin/sh -c for each connection, the socket as its stdin and stdout', parse: shell }),
  // The broker: every client's data to every other client (and stdout); chat names who said it.
  row({ key: 'chat', long: 'chat', kind: 'boolean', commands: ['tcp-server'], selects: 'chat', conflicts: ['echo'], describe: 'a chat server: --broker with each line prefixed <user@ADDR:PORT>, control characters escaped, joins and leaves announced', parse: bool }),
  row({ key: 'broker', long: 'broker', kind: 'boolean', commands: ['tcp-server', 'udp bind'], selects: 'broker', conflicts: ['echo'], describe: 'connection broker: each client\'s data goes to every other client and stdout, stdin to every client (implies -k)', parse: bool }),
  // Who may connect: every server mode, checked as each peer comes (commands/access.ts).
  row({ key: 'maxConns', long: 'max-conns', kind: 'value', value: 'N', commands: SERVERS, describe: 'at most N peers at once: one more is closed at once with a WARN (default: no limit)', parse: count }),
  row({ key: 'allow', long: 'allow', kind: 'list', value: 'ADDR', commands: SERVERS, describe: 'only peers from ADDR: an address, a CIDR range (10.0.0.0/8, fd00::/8) or a host name; repeatable, or comma-separated', parse: entries }),
  row({ key: 'allowfile', long: 'allowfile', kind: 'value', value: 'FILE', commands: SERVERS, describe: 'like --allow, one entry a line of FILE (# starts a comment)', parse: file }),
  row({ key: 'deny', long: 'deny', kind: 'list', value: 'ADDR', commands: SERVERS, describe: 'no peers from ADDR (forms as --allow; deny wins over allow); repeatable', parse: entries }),
  row({ key: 'denyfile', long: 'denyfile', kind: 'value', value: 'FILE', commands: SERVERS, describe: 'like --deny, one entry a line of FILE (# starts a comment)', parse: file }),
] as const;
