// Hardening of `mona-nc run`: scripts that are not files, Lua output as bytes, endless handlers, unbounded send
// queues and heaps, the real file system and environment, and JS errors while a module loads (issue 10).
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { closeAllPeers } from '../helpers/net.js';
import { script } from '../helpers/scripts.js';

test.after.always(closeAllPeers);

const noStack = (stderr: string): boolean => !/\n\s+at /.test(stderr);
const dir = (name: string): string => {
  const path = script(name, '');
  return path.replace(/[^/]*$/, '');
};

test('a script that is not a regular file (a symlink to /dev/zero, a directory, a FIFO): exit 2 at once', async (t) => {
  const base = dir('kinds');
  const zero = join(base, 'zero.lua');
  symlinkSync('/dev/zero', zero);
  const zeroTs = join(base, 'zero.ts');
  symlinkSync('/dev/zero', zeroTs);
  const folder = join(base, 'folder.lua');
  mkdirSync(folder);
  const fifo = join(base, 'fifo.lua');
  execFileSync('mkfifo', [fifo]);
  for (const path of [zero, zeroTs, folder, fifo]) {
    const r = await runCli(['run', path], { timeoutMs: 10_000 });
    t.is(r.code, 2, `${path}: ${r.stderr}`);
    t.is(r.errors.length, 1, r.stderr);
    t.regex(r.errors[0] ?? '', /not a regular file/);
  }
});

test('a script over 16 MiB: exit 2 without reading it', async (t) => {
  const big = script('big.lua', '-- big\n');
  truncateSync(big, 16 * 1024 * 1024 + 1);
  const r = await runCli(['run', big]);
  t.is(r.code, 2, r.stderr);
  t.regex(r.errors[0] ?? '', /over the 16 MiB a script may have/);
  const fits = script('fits.lua', 'NOTE("fits")');
  t.is((await runCli(['run', fits])).code, 0);
});

test('a JS/TS timer that throws while the top level still loads: one ERROR with file and line, exit 1', async (t) => {
  const file = script('late-throw.ts', [
    'const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));',
    "setTimeout(() => { throw new Error('timer exploded'); }, 10);",
    'await wait(500);',
    "NOTE('never');",
  ].join('\n'));
  const r = await runCli(['run', file]);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /late-throw\.ts:2:\d+: timer exploded$/);
  t.true(noStack(r.stderr), r.stderr);
  t.false(r.stderr.includes('never'));
});

test('a JS/TS promise that rejects while the top level still loads: one ERROR with file and line, exit 1', async (t) => {
  const file = script('late-reject.mjs', [
    "const fail = async () => { throw new Error('rejected early'); };",
    'fail();',
    'await new Promise((r) => setTimeout(r, 300));',
  ].join('\n'));
  const r = await runCli(['run', file]);
  t.is(r.code, 1, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /late-reject\.mjs:1:\d+: rejected early$/);
  t.true(noStack(r.stderr), r.stderr);
});

test('a JS/TS error after the load is logged and the script goes on', async (t) => {
  const file = script('after-load.ts', [
    "setTimeout(() => { throw new Error('later'); }, 50);",
    "setTimeout(() => NOTE('still here'), 300);",
  ].join('\n'));
  const r = await runCli(['run', file]);
  t.is(r.code, 0, r.stderr);
  t.is(r.errors.length, 1, r.stderr);
  t.regex(r.errors[0] ?? '', /after-load\.ts:1:\d+: later$/);
  t.true(r.stderr.includes('NOTE still here'));
});

