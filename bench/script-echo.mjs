#!/usr/bin/env node
// Echo throughput of script servers against the built-in `tcp-server --echo`, in one run: the seed's Lua echo
// server, its TypeScript twin, and a minimal Lua echo (no NOTE per reception) with and without the watchdog's count
// hook (--handler-timeout 0 turns it off: the difference is its cost per handler call), 16 KiB writes. Every `run`
// also has the signal watch's thread (docs/scripts.md): it runs no code per handler call, so the TS echo carries it.
// Usage: node bench/script-echo.mjs [seconds per round=3] [rounds=3]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'mona-nc.js');
const seconds = Number(process.argv[2] ?? 3);
const rounds = Number(process.argv[3] ?? 3);
const CHUNK = 16 * 1024;
const WINDOW = 1024 * 1024; // bytes in flight: enough to keep the server busy, bounded
const dir = mkdtempSync(join(tmpdir(), 'mona-nc-echo-'));
const seed = (name) => {
  const path = join(dir, name);
  writeFileSync(path, readFileSync(join(ROOT, 'examples', name), 'utf8').replaceAll('1234', '0'));
  return path;
};
const minimal = join(dir, 'minimal.lua');
writeFileSync(minimal, "s = mona:createTCPServer()\nfunction s:onConnection(c) function c:onData(d) self:send(d) end end\ns:start('127.0.0.1', 0)\n");
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

const servers = [
  ['mona-nc tcp-server --echo', ['tcp-server', '127.0.0.1:0', '--echo', '--quiet', '--log-format', 'json']],
  ['run seed-tcp-server.lua', ['run', '--quiet', '--log-format', 'json', seed('seed-tcp-server.lua')]],
  ['run seed-tcp-server.ts', ['run', '--quiet', '--log-format', 'json', seed('seed-tcp-server.ts')]],
  ['run minimal echo .lua', ['run', '--quiet', '--log-format', 'json', minimal]],
  ['  same, no watchdog hook', ['run', '--quiet', '--log-format', 'json', '--handler-timeout', '0', minimal]],
];

async function start(args) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
  const port = await new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (c) => {
      err += c;
      const m = /"event":"listening".*?:(\d+)"/.exec(err);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`server exited: ${err}`)));
  });
  return { child, port };
}

/** Echo MB/s through one connection for `seconds`, 16 KiB writes, at most WINDOW bytes in flight. */
function measure(port) {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(CHUNK, 97);
    const socket = net.connect(port, '127.0.0.1');
    let sent = 0;
    let received = 0;
    let started = 0;
    let done = false;
    const pump = () => {
      while (!done && sent - received < WINDOW) {
        sent += CHUNK;
        if (!socket.write(chunk)) return;
      }
    };
    socket.on('connect', () => {
      started = performance.now();
      setTimeout(() => {
        done = true;
        const ms = performance.now() - started;
        socket.destroy();
        resolve((received / 1048576) / (ms / 1000));
      }, seconds * 1000);
      pump();
    });
    socket.on('data', (d) => { received += d.length; pump(); });
    socket.on('drain', pump);
    socket.on('error', (e) => { if (!done) reject(e); });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = new Map(servers.map(([name]) => [name, []]));
const running = [];
for (const [name, args] of servers) running.push([name, await start(args)]);
for (let round = 0; round < rounds; round++) {
  // Interleaved: every server once per round, so drift in the machine's load hits all of them alike.
  for (const [name, { port }] of running) results.get(name).push(await measure(port));
}
for (const [, { child }] of running) child.kill('SIGTERM');
rmSync(dir, { recursive: true, force: true });

const reference = median(results.get(servers[0][0]));
console.log(`echo throughput, 16 KiB writes, ${seconds} s x ${rounds} rounds (median MB/s), ratio to tcp-server --echo`);
for (const [name, values] of results) {
  const m = median(values);
  console.log(`${name.padEnd(28)} ${m.toFixed(0).padStart(6)} MB/s  ${(m / reference).toFixed(2)}x   [${values.map((v) => v.toFixed(0)).join(', ')}]`);
}
