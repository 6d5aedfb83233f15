// The flag table walked whole: every flag on a command it does not belong to, every conflicting pair, every flag in
// a mode that does not use it is a usage error naming both; the man page documents each of those pairs.
import test from 'ava';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandName, Flag, ModeName } from '../../src/commands/flag-row.js';
import { check, FLAGS, MODES, readSettings, shown } from '../../src/commands/flags.js';
import { UsageError } from '../../src/core/outcome.js';
import { runCli } from '../helpers/cli.js';

const TABLE: readonly Flag[] = FLAGS;
const COMMANDS = Object.keys(MODES) as CommandName[];

/** A value the flag accepts: true for a switch, 1 for a count, the first of a few candidates its parser takes. */
function sample(f: Flag): unknown {
  if (f.kind === 'boolean') return true;
  if (f.kind === 'count') return 1;
  for (const v of ['1', 'text', 'note', 'rest', '64M', 'out', 'ncat', '3', 'a'.repeat(64), 'http', 'local', 'user:pass']) {
    try {
      f.parse(v, shown(f));
      return v;
    } catch { /* next */ }
  }
  throw new Error(`no sample value for ${f.long}`);
}

// A selector picks its mode only on the commands that have that mode (--proxy-type selects on tcp-server, not on tcp-client).
const selectors = (command: CommandName): Flag[] => TABLE.filter((f) => f.selects !== undefined && f.commands.includes(command) && MODES[command].includes(f.selects));

/** Every combination the table forbids, with the two names the error must carry. */
function forbidden(): Array<{ command: CommandName; argv: Record<string, unknown>; names: [string, string] }> {
  const out: Array<{ command: CommandName; argv: Record<string, unknown>; names: [string, string] }> = [];
  for (const f of TABLE) {
    for (const command of COMMANDS) {
      if (!f.commands.includes(command)) out.push({ command, argv: { [f.key]: sample(f) }, names: [shown(f), command] });
    }
    // A flag that shapes others, alone.
    if (f.needs) out.push({ command: f.commands[0] ?? 'tcp-client', argv: { [f.key]: sample(f) }, names: [shown(f), shown(TABLE.find((g) => g.key === f.needs?.[0]) ?? f)] });
    for (const key of f.conflicts ?? []) {
      const g = TABLE.find((x) => x.key === key);
      if (!g) throw new Error(`${f.long} conflicts with an unknown key ${key}`);
      const command = COMMANDS.find((c) => f.commands.includes(c) && g.commands.includes(c));
      if (command) out.push({ command, argv: { [f.key]: sample(f), [g.key]: sample(g) }, names: [shown(f), shown(g)] });
    }
    if (!f.modes || f.selects) continue;
    for (const command of f.commands) {
      for (const s of selectors(command)) {
        if (s.selects && !f.modes.includes(s.selects)) out.push({ command, argv: { [s.key]: true, [f.key]: sample(f) }, names: [shown(s), shown(f)] });
      }
    }
  }
  return out;
}

test('every forbidden combination of the table is one usage error naming both', (t) => {
  const cases = forbidden();
  t.true(cases.length > 40, `${cases.length} cases`);
  for (const { command, argv, names } of cases) {
    const err = t.throws(() => check(command, argv), { instanceOf: UsageError }, `${command} ${JSON.stringify(argv)}`);
    for (const name of names) t.true(err?.message.includes(name), `${err?.message} names ${name}`);
  }
});

test('every flag alone, on each of its commands, is accepted and parsed', (t) => {
  for (const f of TABLE) {
    for (const command of f.commands) {
      const mode: ModeName = f.selects ?? (f.modes && !f.modes.includes(MODES[command][0] ?? 'pipe') ? f.modes[0] ?? 'pipe' : MODES[command][0] ?? 'pipe');
      // A flag that selects its own mode needs no other selector (-e and -c both select exec, and conflict).
      const selector = f.selects === undefined ? selectors(command).find((s) => s.selects === mode) : undefined;
      const need = TABLE.find((g) => f.needs?.includes(g.key) && g.commands.includes(command));
      const argv = { [f.key]: sample(f), ...(selector ? { [selector.key]: true } : {}), ...(need ? { [need.key]: sample(need) } : {}) };
      t.notThrows(() => readSettings(command, argv), `${command} ${JSON.stringify(argv)}`);
    }
  }
});

test('the man page documents every conflict of the table at one of the two flags', (t) => {
  const page = readFileSync(fileURLToPath(new URL('../../../man/mona-nc.1', import.meta.url)), 'utf8').replace(/\\-/g, '-');
  // Each .It entry of the page, with the flags it documents.
  const entries = page.split(/\n\.It /).slice(1).map((e) => ({ names: [...(e.split('\n')[0] ?? '').matchAll(/Fl (-?[\w-]+)/g)].map((m) => `-${m[1] ?? ''}`), text: e }));
  const entryOf = (name: string): string => entries.find((e) => e.names.includes(name) || e.names.includes(name.replace(/^--no-/, '--')))?.text ?? '';
  const mentions = (text: string, name: string): boolean => new RegExp(`Fl (${name.replace(/^-/, '')}|${name.replace(/^--/, '-no-')})\\b`).test(text);
  const missing: string[] = [];
  for (const { names: [a, b], command } of forbidden().map((c) => ({ ...c, command: c.command }))) {
    if (COMMANDS.includes(b as CommandName) || b === command) continue;
    if (!mentions(entryOf(a), b) && !mentions(entryOf(b), a)) missing.push(`${a} / ${b}`);
  }
  t.deepEqual([...new Set(missing)], []);
});

test('the man page has an entry for every flag of the table', (t) => {
  const page = readFileSync(fileURLToPath(new URL('../../../man/mona-nc.1', import.meta.url)), 'utf8').replace(/\\-/g, '-');
  const items = page.split('\n').filter((l) => l.startsWith('.It '));
  const documented = (f: Flag): boolean => items.some((l) => new RegExp(`Fl (-?${f.long}|-no-${f.long})\\b`).test(l) || (f.short !== undefined && new RegExp(`Fl ${f.short}\\b`).test(l)));
  t.deepEqual(TABLE.filter((f) => !documented(f)).map((f) => f.long), []);
});

const usage = test.macro(async (t, args: string[], names: string[]) => {
  const r = await runCli(args);
  t.is(r.code, 2, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  for (const name of names) t.true(r.errors[0]?.includes(name), `${r.errors[0] ?? ''} names ${name}`);
});

test('-k --linger: exit 2 naming both', usage, ['tcp-server', '0', '-k', '--linger', '1'], ['-k', '--linger']);
test('--echo -q: exit 2 naming both', usage, ['tcp-server', '0', '--echo', '-q', '1'], ['--echo', '-q']);
test('udp connect --echo: exit 2 naming the flag and the command', usage, ['udp', 'connect', '127.0.0.1:9', '--echo'], ['--echo', 'udp connect']);
test('udp bind --no-shutdown: exit 2 naming the flag and the command', usage, ['udp', 'bind', '0', '--no-shutdown'], ['--no-shutdown', 'udp bind']);
test('--log-format xml: exit 2 with the choices', usage, ['tcp-server', '0', '--log-format', 'xml'], ['--log-format xml', 'text, json']);
