#!/usr/bin/env node
// 100 MiB through tcp-client -> tcp-server into a slow reader: sha256 equal, and the peak RSS of both mona-nc.
// Usage: node bench/slow-reader.mjs [MiB=100] [reader MiB/s=50]
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../bin/mona-nc.js', import.meta.url));
const mib = Number(process.argv[2] ?? 100);
const rate = Number(process.argv[3] ?? 50);
const dir = mkdtempSync(join(tmpdir(), 'mona-nc-bench-'));
const input = join(dir, 'input.bin');
const block = randomBytes(1024 * 1024);
const all = createHash('sha256');
const parts = [];
for (let i = 0; i < mib; i++) { const b = randomBytes(1024 * 1024); parts.push(b); all.update(b); }
writeFileSync(input, Buffer.concat(parts));
parts.length = 0;
const expected = all.digest('hex');
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

const peakRss = (pid) => {
  try { return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024; } catch { return NaN; }
};
const watch = (child) => { let peak = 0; const t = setInterval(() => { const now = peakRss(child.pid); if (now > peak) peak = now; }, 50); return () => { clearInterval(t); return peak; }; };

const server = spawn(process.execPath, [CLI, 'tcp-server', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
const port = await new Promise((resolve) => {
  let err = '';
  server.stderr.on('data', (c) => { err += c; const m = /listening on 127\.0\.0\.1:(\d+)/.exec(err); if (m) resolve(Number(m[1])); });
});
const serverPeak = watch(server);
// The slow reader: takes at most `rate` MiB a second from the server's stdout.
const got = createHash('sha256');
let received = 0;
server.stdout.on('data', (chunk) => {
  got.update(chunk);
  received += chunk.length;
  server.stdout.pause();
  setTimeout(() => server.stdout.resume(), (chunk.length / (rate * 1024 * 1024)) * 1000);
});
const started = Date.now();
const client = spawn('sh', ['-c', `exec "${process.execPath}" "${CLI}" tcp-client 127.0.0.1:${port} < "${input}"`], { stdio: ['ignore', 'ignore', 'inherit'], env });
const clientPeak = watch(client);
const [clientCode, serverCode] = await Promise.all([
  new Promise((r) => client.on('close', r)),
  new Promise((r) => server.on('close', r)),
]);
const seconds = (Date.now() - started) / 1000;
const digest = got.digest('hex');
rmSync(dir, { recursive: true, force: true });
console.log(`${mib} MiB, reader limited to ${rate} MiB/s: ${(received / 1048576).toFixed(1)} MiB in ${seconds.toFixed(1)} s`);
console.log(`sha256 ${digest === expected ? 'identical' : `DIFFERENT (${digest} vs ${expected})`}; exit codes client ${clientCode}, server ${serverCode}`);
console.log(`peak RSS: tcp-client ${clientPeak().toFixed(1)} MiB, tcp-server ${serverPeak().toFixed(1)} MiB`);
process.exitCode = digest === expected && clientCode === 0 && serverCode === 0 ? 0 : 1;
