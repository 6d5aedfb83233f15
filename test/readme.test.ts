// The README's "Testing other programs" examples, run as written: its sh blocks in order in one bash, in an empty
// directory, with `mona-nc` on PATH (the built bin). What their comments promise is checked in the output.
import test from 'ava';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from './helpers/cli.js';
import { within } from './helpers/net.js';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

/** The sh blocks of a `## ` section, in order. */
function blocks(title: string): string[] {
  const start = readme.indexOf(`## ${title}\n`);
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

test('README "Testing other programs": every example runs as written and does what its comments say', async (t) => {
  t.timeout(90_000);
  const code = blocks('Testing other programs');
  t.true(code.length >= 5, `${code.length} blocks`);
  const dir = mkdtempSync(join(tmpdir(), 'mona-nc-readme-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'bin'));
  const shim = join(dir, 'bin', 'mona-nc');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(shim, 0o755);
  const work = join(dir, 'work');
  mkdirSync(work);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` };
  delete env.NODE_EXTRA_CA_CERTS;
  // Its own process group: whatever the script leaves behind is ended with it.
  const child = spawn('bash', ['-e', '-c', code.join('\n')], { cwd: work, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const status = await within(new Promise<number | null>((resolve) => child.on('close', resolve)), 80_000, 'the README examples').finally(() => {
    try { process.kill(-(child.pid ?? 0), 'SIGKILL'); } catch { /* already gone */ }
  });
  t.is(status, 0, `stdout:\n${out}\nstderr:\n${err}`);
  const lines = out.split('\n');
  for (const promised of ['1 MB arrived intact', 'client exit 1', 'connection reset by peer', '1000', 'seed 7', '84', 'the client sent what the recording says', 'the server answered as recorded', ' (exit 0 after 1 s idle)']) {
    t.true(lines.some((l) => l.includes(promised)), `"${promised}" in:\n${out}`);
  }
  t.true(out.includes('ping') && out.includes('HELLO\n'), out);
  t.regex(err, /NOTE digest 127\.0\.0\.1:\d+: in 0 bytes sha256 [0-9a-f]{64}, out 1000000 bytes/);
});
