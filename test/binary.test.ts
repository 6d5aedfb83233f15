// The standalone binary (npm run build:binary): runs with an empty environment, no node and no node_modules, and
// serves sockets. Built here when missing or stale (~5 s, ~700 MB); skipped, with the reason, where node cannot make one.
import test from 'ava';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runCli, startCli } from './helpers/cli.js';
import { closeAllPeers, closedPort, connectTcp, readAll, sha256, within } from './helpers/net.js';
import { testUnless } from './helpers/skip.js';

interface BinaryScript {
  BINARY: string;
  MANIFEST: string;
  manifest(): Promise<unknown>;
  cannotBuild(): string | undefined;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'binary.mjs');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const script = (await import(pathToFileURL(SCRIPT).href)) as BinaryScript;
const reason = script.cannotBuild();
// Nothing from this machine: a copy of the binary alone in an empty directory, no PATH to a node, no HOME.
const bare = mkdtempSync(join(tmpdir(), 'mona-nc-bare-'));
const bareRun = { bin: join(bare, 'mona-nc'), cwd: bare, bareEnv: true, env: { PATH: '/nonexistent' } };

test.after.always(closeAllPeers);
test.after.always(() => rmSync(bare, { recursive: true, force: true }));

const stale = async (): Promise<boolean> => !existsSync(script.BINARY) || !existsSync(script.MANIFEST)
  || readFileSync(script.MANIFEST, 'utf8') !== `${JSON.stringify(await script.manifest(), null, 2)}\n`;

test.before(async (t) => {
  if (reason) return;
  t.timeout(180_000, 'building the standalone binary');
  if (await stale()) await build();
  copyFileSync(script.BINARY, bareRun.bin);
});

async function build(): Promise<void> {
  const child = spawn(process.execPath, [SCRIPT], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (c: Buffer) => { log += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { log += c.toString(); });
  const code = await within(new Promise<number | null>((resolve) => child.on('close', resolve)), 170_000, 'node scripts/binary.mjs');
  if (code !== 0) throw new Error(`scripts/binary.mjs failed (exit ${String(code)}):\n${log}`);
}

const binaryTest = testUnless(reason && `cannot build a standalone binary here: ${reason}`);

binaryTest('env -i PATH=/nonexistent build/mona-nc --version prints the version, nothing else', async (t) => {
  const r = await runCli(['--version'], bareRun);
  t.is(r.code, 0, r.stderr);
  t.is(r.stdout.toString(), `${version}\n`);
  t.is(r.stderr, '', 'no SEA warning, no locale warning');
});

binaryTest('an echo round trip through build/mona-nc tcp-server --echo, then SIGTERM: 143', async (t) => {
  const cli = startCli(['tcp-server', '127.0.0.1:0', '--echo'], bareRun);
  const socket = await connectTcp(await cli.port());
  const data = randomBytes(256 * 1024);
  const echoed = readAll(socket);
  socket.end(data);
  t.is(sha256(await within(echoed, 8000, 'the echo')), sha256(data));
  cli.child.kill('SIGTERM');
  const r = await cli.done();
  t.is(r.code, 143, r.stderr);
});

binaryTest('failures keep their contract in the binary: refused is exit 1 with one ERROR, bad usage exit 2', async (t) => {
  const port = await closedPort();
  const refused = await runCli(['tcp-client', `127.0.0.1:${port}`], bareRun);
  t.is(refused.code, 1);
  t.deepEqual(refused.errors.map((l) => l.replace(/^\S+ /, '')), [`ERROR Unable to connect to 127.0.0.1:${port} (connection refused)`]);
  const usage = await runCli(['tcp-server', '70000'], bareRun);
  t.is(usage.code, 2);
});

binaryTest('--help lists the commands (yargs without its locale files falls back to English)', async (t) => {
  const r = await runCli(['--help'], { ...bareRun, env: { PATH: '/nonexistent', LANG: 'fr_FR.UTF-8' } });
  t.is(r.code, 0, r.stderr);
  for (const name of ['tcp-client', 'tcp-server', 'udp', 'completion']) t.true(r.stdout.toString().includes(name), name);
  t.regex(r.stdout.toString(), /Options:/);
});

binaryTest('run works inside the binary: a Lua echo server (embedded glue.wasm) and a TS script (bundled transpiler)', async (t) => {
  const lua = join(bare, 'echo.lua');
  const ts = join(bare, 'hello.ts');
  writeFileSync(lua, "s = mona:createTCPServer()\nfunction s:onConnection(c) function c:onData(d) self:send(d) end end\ns:start('127.0.0.1', 0)\n");
  writeFileSync(ts, "import { NOTE } from 'mona-nc';\nconst n: number = 42;\nNOTE('typed ', n, ' ', args.join(','));\n");
  const cli = startCli(['run', lua], bareRun);
  const socket = await connectTcp(await cli.port());
  const data = Buffer.from([0, 1, 255, 0, 128]);
  const echoed = readAll(socket);
  socket.end(data);
  t.deepEqual(await within(echoed, 8000, 'the Lua echo'), data);
  cli.child.kill('SIGINT');
  t.is((await cli.done()).code, 130);
  const r = await runCli(['run', ts, 'a', 'b'], bareRun);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stderr, /NOTE typed 42 a,b$/m);
});

binaryTest('SIGUSR1 in the binary prints statistics, never a debugger; SIGHUP exits 129 and removes its temporary files', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'mona-nc-tmp-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const lua = join(bare, 'listen.lua');
  writeFileSync(lua, "s = mona:createTCPServer()\nfunction s:onConnection(c) end\ns:start('127.0.0.1', 0)\n");
  const cli = startCli(['run', lua], { ...bareRun, env: { PATH: '/nonexistent', TMPDIR: tmp } });
  await cli.port();
  t.true(readdirSync(tmp).length > 0, 'the binary extracted glue.wasm');
  cli.child.kill('SIGUSR1');
  await cli.waitLine(/NOTE statistics/);
  cli.child.kill('SIGHUP');
  const r = await cli.done();
  t.is(r.code, 129, r.stderr);
  t.false(/Debugger listening/.test(r.stderr), r.stderr);
  t.deepEqual(readdirSync(tmp), [], 'the temporary asset directory is gone');
});
