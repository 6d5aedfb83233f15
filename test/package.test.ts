// The npm package as users get it: npm pack holds only what runs, and a global install of the tarball (into a
// temporary prefix, from npm's cache) gives a working mona-nc on PATH, its man page, and the library.
import test from 'ava';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/cli.js';
import { within } from './helpers/net.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const dir = mkdtempSync(join(tmpdir(), 'mona-nc-package-'));
const prefix = join(dir, 'prefix');
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

interface Run { code: number | null; stdout: string; stderr: string; missing?: boolean }
const run = (cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> => {
  const child = spawn(cmd, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  return within(new Promise((resolve) => {
    child.on('error', () => resolve({ code: null, stdout, stderr, missing: true }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  }), 120_000, `${cmd} ${args.join(' ')}`);
};

// Only what runs: the bin, the bundle, the library with its types, the man page, README, LICENSE.
const SHIPPED = /^(package\.json|README\.md|LICENSE|bin\/mona-nc\.js|bin\/package\.json|dist\/mona-nc\.cjs(\.cache)?|dist\/vendor\/(wasmoon|sucrase|yargs|socks)\.cjs|dist\/src\/(index|log)\.(js|d\.ts)|dist\/src\/mona\/[a-z-]+\.(js|d\.ts)|man\/mona-nc\.1)$/;

let tarball: string | undefined;
let packed: Run;
test.before(async (t) => {
  t.timeout(150_000, 'npm pack');
  // The build is npm test's own first step: pack what it built.
  packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir]);
  if (packed.code === 0) tarball = join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]?.filename ?? '');
});

test('npm pack ships only what runs', (t) => {
  if (packed.missing) return void t.log('skipped: npm is not on PATH');
  t.is(packed.code, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>;
  const files = info?.files.map((f) => f.path) ?? [];
  t.deepEqual(files.filter((f) => !SHIPPED.test(f)), []);
  for (const needed of ['bin/mona-nc.js', 'bin/package.json', 'dist/mona-nc.cjs', 'dist/mona-nc.cjs.cache', 'dist/vendor/yargs.cjs', 'dist/vendor/wasmoon.cjs', 'dist/vendor/sucrase.cjs', 'dist/src/index.js', 'dist/src/index.d.ts', 'man/mona-nc.1']) t.true(files.includes(needed), needed);
});

test('npm install -g of the tarball: mona-nc on PATH, man mona-nc, and the library', async (t) => {
  if (!tarball) return void t.log(`skipped: npm pack did not run (${packed.missing ? 'npm is not on PATH' : packed.stderr})`);
  t.timeout(150_000, 'npm install -g');
  // From the cache only: `npm ci` put the dependencies there; nothing may come from the network.
  const install = await run('npm', ['install', '-g', tarball, '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel=error']);
  if (install.code !== 0 && /ENOTCACHED|offline/i.test(install.stderr)) {
    t.log(`skipped: npm cannot install from its cache: ${install.stderr.trim().split('\n')[0] ?? ''}`);
    t.pass();
    return;
  }
  t.is(install.code, 0, install.stderr);
  const bin = join(prefix, 'bin', 'mona-nc');
  const r = await runCli(['--version'], { bin, env: { PATH: `${join(prefix, 'bin')}${delimiter}${process.env.PATH ?? ''}` } });
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), `${version}\n`);
  const page = join(prefix, 'share', 'man', 'man1', 'mona-nc.1');
  t.true(existsSync(page), page);
  const man = await run('man', ['-w', 'mona-nc'], { env: { MANPATH: join(prefix, 'share', 'man') } });
  if (man.missing) t.log('man -w not checked: man is not installed');
  else t.is(realpathSync(man.stdout.trim()), realpathSync(page), man.stderr);
  // The library resolves by name from the installed tree, with its dependencies.
  const lib = await run(process.execPath, ['--input-type=module', '-e', "const { mona, NOTE } = await import('mona-nc'); console.log(typeof mona.createTCPServer, typeof NOTE)"], { cwd: join(prefix, 'lib') });
  t.is(lib.stdout.trim(), 'function function', lib.stderr);
  // run finds its engines (dist/vendor) and glue.wasm in the installed package.
  const lua = join(prefix, 'check.lua');
  const ts = join(prefix, 'check.ts');
  writeFileSync(lua, "NOTE('lua ', 6 * 7)\n");
  writeFileSync(ts, "const n: number = 42;\nNOTE('ts ', n);\n");
  for (const [file, said] of [[lua, 'lua 42'], [ts, 'ts 42']] as const) {
    const s = await runCli(['run', file], { bin });
    t.is(s.code, 0, s.stderr);
    t.regex(s.stderr, new RegExp(`NOTE ${said}$`, 'm'));
  }
});
