// mona-nc installed as users install it, with no registry reachable (npm's registry is a closed port here): from a
// clone (`npm install -g .` and `npm link`: a link to this built tree), from the packed tarball (what the registry
// will serve), and the README's library snippet compiled by TypeScript in a fresh project.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, startCli } from './helpers/cli.js';
import { closedPort, within } from './helpers/net.js';
import { missingCommand, testUnless } from './helpers/skip.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const dir = mkdtempSync(join(tmpdir(), 'mona-nc-package-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const npmTest = testUnless(missingCommand('npm', 'npm'));

interface Run { code: number | null; stdout: string; stderr: string }
// Every npm run here: no registry (a closed port), no cache writes outside `dir`, no audit/fund requests.
let npmEnv: NodeJS.ProcessEnv = {};
const run = (cmd: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> => {
  const child = spawn(cmd, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...npmEnv, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  return within(new Promise((resolve) => {
    child.on('error', (err) => resolve({ code: null, stdout, stderr: err.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  }), 120_000, `${cmd} ${args.join(' ')}`);
};
const npm = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> =>
  run('npm', [...args, '--no-audit', '--no-fund', '--no-update-notifier'], options);

// Only what runs: the bin, the bundle (and its code cache) and its vendor files, the library with its types, the man
// page, README, LICENSE.
const SHIPPED = /^(package\.json|README\.md|LICENSE|bin\/mona-nc\.js|bin\/package\.json|dist\/mona-nc\.cjs(\.cache)?|dist\/vendor\/((wasmoon|sucrase|yargs|socks)\.cjs|glue\.wasm)|dist\/src\/(index|log)\.(js|d\.ts)|dist\/src\/mona\/[a-z-]+\.(js|d\.ts)|man\/mona-nc\.1)$/;

let tarball = '';
let packed: Run;
test.before(async (t) => {
  t.timeout(150_000, 'npm pack');
  npmEnv = { npm_config_registry: `http://127.0.0.1:${await closedPort()}/`, npm_config_cache: join(dir, 'cache'), npm_config_fetch_retries: '0' };
  // The build is npm test's own first step: pack what it built.
  packed = await npm(['pack', '--json', '--ignore-scripts', '--pack-destination', dir]);
  if (packed.code === 0) tarball = join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]?.filename ?? '');
});

/** mona-nc at `bin` runs every command: --version, tcp-server/tcp-client, udp bind/connect, and Lua and TS scripts. */
async function worksFromPath(t: ExecutionContext, bin: string): Promise<void> {
  const env = { PATH: `${join(bin, '..')}${delimiter}${process.env.PATH ?? ''}` };
  const v = await runCli(['--version'], { bin, env });
  t.is(v.code, 0, v.stderr);
  t.is(v.stdout.toString(), `${version}\n`);
  const tcp = startCli(['tcp-server', '127.0.0.1:0', '--echo'], { bin, env });
  t.teardown(() => { tcp.child.kill('SIGKILL'); });
  const client = await runCli(['tcp-client', `127.0.0.1:${await tcp.port()}`], { bin, env, stdin: 'over tcp' });
  t.is(client.stdout.toString(), 'over tcp', client.stderr);
  const udp = startCli(['udp', 'bind', '127.0.0.1:0', '--echo'], { bin, env });
  t.teardown(() => { udp.child.kill('SIGKILL'); });
  const question = await runCli(['udp', 'connect', `127.0.0.1:${await udp.port()}`, '-q', '0.5'], { bin, env, stdin: 'over udp' });
  t.is(question.stdout.toString(), 'over udp', question.stderr);
  // run finds its engines (dist/vendor) and glue.wasm in the installed package, whatever the working directory.
  const lua = join(dir, 'check.lua');
  const ts = join(dir, 'check.ts');
  writeFileSync(lua, "NOTE('lua ', 6 * 7)\n");
  writeFileSync(ts, "const n: number = 42;\nNOTE('ts ', n);\n");
  for (const [file, said] of [[lua, 'lua 42'], [ts, 'ts 42']] as const) {
    const s = await runCli(['run', file], { bin, env, cwd: tmpdir() });
    t.is(s.code, 0, s.stderr);
    t.regex(s.stderr, new RegExp(`NOTE ${said}$`, 'm'));
  }
}

/** The man page `prefix` holds, found by man(1) when it is installed. */
async function manPage(t: ExecutionContext, prefix: string): Promise<void> {
  const page = join(prefix, 'share', 'man', 'man1', 'mona-nc.1');
  t.true(existsSync(page), page);
  if (missingCommand('man', 'man', ['-w'])) return void t.log('man -w not checked: man is not installed');
  const man = await run('man', ['-w', 'mona-nc'], { env: { MANPATH: join(prefix, 'share', 'man') } });
  t.is(realpathSync(man.stdout.trim()), realpathSync(page), man.stderr);
}

npmTest('npm pack ships only what runs', (t) => {
  t.is(packed.code, 0, packed.stderr);
  const [info] = JSON.parse(packed.stdout) as Array<{ files: Array<{ path: string }> }>;
  const files = info?.files.map((f) => f.path) ?? [];
  t.deepEqual(files.filter((f) => !SHIPPED.test(f)), []);
  for (const needed of ['bin/mona-nc.js', 'bin/package.json', 'dist/mona-nc.cjs', 'dist/mona-nc.cjs.cache', 'dist/vendor/yargs.cjs', 'dist/vendor/wasmoon.cjs', 'dist/vendor/sucrase.cjs', 'dist/vendor/glue.wasm', 'dist/src/index.js', 'dist/src/index.d.ts', 'man/mona-nc.1']) t.true(files.includes(needed), needed);
});

npmTest('from a clone, npm install -g . gives a working mona-nc on PATH with no registry, and no install-script warning', async (t) => {
  t.timeout(120_000);
  const prefix = join(dir, 'global');
  const install = await npm(['install', '-g', '.', '--prefix', prefix]);
  t.is(install.code, 0, install.stderr);
  // npm 11 lists a `prepare` script of a linked folder as a blocked install script: the build is preprepare instead.
  t.notRegex(install.stderr, /install-scripts|allowScripts|prepare/, install.stderr);
  t.is(realpathSync(join(prefix, 'lib', 'node_modules', 'mona-nc')), realpathSync(ROOT), 'a link to the clone');
  await worksFromPath(t, join(prefix, 'bin', 'mona-nc'));
  await manPage(t, prefix);
});

npmTest('from a clone, npm link does the same', async (t) => {
  t.timeout(120_000);
  const prefix = join(dir, 'linked');
  const link = await npm(['link'], { env: { npm_config_prefix: prefix } });
  t.is(link.code, 0, link.stderr);
  t.notRegex(link.stderr, /install-scripts|allowScripts|prepare/, link.stderr);
  await worksFromPath(t, join(prefix, 'bin', 'mona-nc'));
  await manPage(t, prefix);
});

test('a clone linked before its first npm install says what to run, not a stack trace', async (t) => {
  const clone = join(dir, 'unbuilt');
  mkdirSync(join(clone, 'bin'), { recursive: true });
  for (const f of ['mona-nc.js', 'package.json']) copyFileSync(join(ROOT, 'bin', f), join(clone, 'bin', f));
  const r = await runCli(['--version'], { script: join(clone, 'bin', 'mona-nc.js') });
  t.is(r.code, 1);
  t.is(r.stderr, `mona-nc: not built: run \`npm install\` in ${clone} (it builds dist/)\n`);
});

npmTest('npm install -g of the tarball (the published package): mona-nc on PATH, man mona-nc, and the library, with no registry', async (t) => {
  t.timeout(120_000);
  const prefix = join(dir, 'tarball');
  const install = await npm(['install', '-g', tarball, '--prefix', prefix]);
  t.is(install.code, 0, install.stderr);
  t.false(existsSync(join(prefix, 'lib', 'node_modules', 'mona-nc', 'node_modules')), 'no dependencies: nothing to fetch');
  await worksFromPath(t, join(prefix, 'bin', 'mona-nc'));
  await manPage(t, prefix);
  // The library resolves by name from the installed tree.
  const lib = await run(process.execPath, ['--input-type=module', '-e', "const { mona, NOTE } = await import('mona-nc'); console.log(typeof mona.createTCPServer, typeof NOTE)"], { cwd: join(prefix, 'lib') });
  t.is(lib.stdout.trim(), 'function function', lib.stderr);
});

/** The README's library snippet: the ```ts block under "## The library". */
const snippet = (): string => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The library'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  if (!m?.[1]) throw new Error('no ```ts block under "## The library" in README.md');
  return m[1];
};

npmTest('the README library snippet compiles with tsc --strict (TypeScript 7) in a fresh project: npm install mona-nc, npm install -D typescript @types/node', async (t) => {
  t.timeout(120_000);
  const project = join(dir, 'fresh');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "fresh", "private": true, "type": "module" }\n');
  const install = await npm(['install', tarball], { cwd: project });
  t.is(install.code, 0, install.stderr);
  writeFileSync(join(project, 'main.ts'), snippet());
  // `npm install -D typescript @types/node` without a registry: the same packages, linked from this tree.
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  for (const name of ['typescript', 'undici-types']) symlinkSync(join(ROOT, 'node_modules', name), join(project, 'node_modules', name));
  const tsc = (): Promise<Run> => run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '--strict', '--noEmit', 'main.ts'], { cwd: project });
  const without = await tsc();
  t.not(without.code, 0, 'without @types/node the types cannot compile');
  t.regex(without.stdout, /Cannot find type definition file for 'node'/);
  symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'));
  const r = await tsc();
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(r.stdout, '');
});
