#!/usr/bin/env node
// Start-up time: the npm bin (one bundle), the unbundled tree, the standalone binary, node itself and nc, run
// interleaved (round-robin, alternating direction) so that load bursts hit every command alike; median and min.
// Usage: node bench/startup.mjs [ROUNDS=30] [--json] [--before DIR]. Build first: npm run build (and npm run build:binary).
// --before DIR: an older built checkout, timed in the same rounds (its path printed as BEFORE).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const rounds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 30);
const json = process.argv.includes('--json');
const beforeAt = process.argv.indexOf('--before');
const before = beforeAt >= 0 ? resolve(process.argv[beforeAt + 1]) : undefined;
const WARMUP = 3;

// The sandbox sets NODE_EXTRA_CA_CERTS, which adds ~50 ms to every node start; users do not have it.
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

const closedPort = await new Promise((resolve) => {
  const server = net.createServer().listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const has = (cmd) => !spawnSync(cmd, ['-h'], { stdio: 'ignore' }).error;
const binary = `${ROOT}build/mona-nc`;
const refused = ['tcp-client', `127.0.0.1:${closedPort}`];

const commands = [
  ['node -e 0', [process.execPath, '-e', '0']],
  ['node bin/mona-nc.js --version (npm bin, bundle)', [process.execPath, `${ROOT}bin/mona-nc.js`, '--version']],
  ['node dist/src/cli.js --version (unbundled ESM)', [process.execPath, `${ROOT}dist/src/cli.js`, '--version']],
  ['build/mona-nc --version (standalone binary)', existsSync(binary) && [binary, '--version']],
  ['nc -h', has('nc') && ['nc', '-h']],
  ['node bin/mona-nc.js --help', [process.execPath, `${ROOT}bin/mona-nc.js`, '--help']],
  ['node bin/mona-nc.js tcp-client (refused)', [process.execPath, `${ROOT}bin/mona-nc.js`, ...refused]],
  ['build/mona-nc tcp-client (refused)', existsSync(binary) && [binary, ...refused]],
  ['nc 127.0.0.1 PORT (refused)', has('nc') && ['nc', '127.0.0.1', String(closedPort)]],
  ['node BEFORE/bin/mona-nc.js --version', before && [process.execPath, `${before}/bin/mona-nc.js`, '--version']],
  ['node BEFORE/bin/mona-nc.js tcp-client (refused)', before && [process.execPath, `${before}/bin/mona-nc.js`, ...refused]],
].filter(([, argv]) => argv);

const once = ([cmd, ...args]) => {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'ignore'] });
  if (r.error) throw r.error;
  return Number(process.hrtime.bigint() - start) / 1e6;
};

const times = commands.map(() => []);
const load = [os.loadavg()[0]];
for (let round = 0; round < WARMUP + rounds; round++) {
  const order = commands.map((_, i) => i);
  if (round % 2) order.reverse();
  for (const i of order) {
    const ms = once(commands[i][1]);
    if (round >= WARMUP) times[i].push(ms);
  }
}
load.push(os.loadavg()[0]);

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const rows = commands.map(([name], i) => {
  const sorted = [...times[i]].sort((a, b) => a - b);
  return { command: name, median: quantile(sorted, 0.5), min: sorted[0], p90: quantile(sorted, 0.9) };
});
const machine = `node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, load ${load.map((l) => l.toFixed(2)).join(' -> ')}`;

if (json) {
  process.stdout.write(`${JSON.stringify({ rounds, machine, rows }, null, 2)}\n`);
} else {
  process.stdout.write(`${rounds} interleaved rounds (after ${WARMUP} warm-up), NODE_EXTRA_CA_CERTS unset; ${machine}\n\n`);
  // The ratio is to node -e 0 of the same rounds: Node's own floor, which no Node program can go under.
  const floor = rows[0].median;
  process.stdout.write('| command | median ms | x node -e 0 | min ms | p90 ms |\n|---|---|---|---|---|\n');
  for (const r of rows) {
    process.stdout.write(`| \`${r.command}\` | ${r.median.toFixed(1)} | ${(r.median / floor).toFixed(2)}x | ${r.min.toFixed(1)} | ${r.p90.toFixed(1)} |\n`);
  }
}
