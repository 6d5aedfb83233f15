#!/usr/bin/env node
// npm run bench: mona-nc against nc, ncat, socat and bare Node, interleaved runs, medians, ratios from this run.
// Usage: node bench/run.mjs [--runs N=3] [--cases bulk,echo,storm,udp,exec,broker,startup,tls-bulk,tls-echo] [--seconds S=5] [--quick] [--before DIR] [--out FILE]
//   --quick: 1 run, 2 s echo, 256 MiB bulk (a smoke test, not figures to quote).
//   --before DIR: another checkout of mona-nc, already built (`git worktree add DIR COMMIT && cd DIR && npm ci && npm run build`),
//     measured as one more row in the bulk, echo, storm and UDP cases of the same interleaved runs: a before/after
//     for a hot-path change that the machine's drift between two separate runs cannot blur.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  BENCH, ROOT, buildLoadgen, cpuSeconds, env, freePort, have, loadgen, median, rss, sh, sleep, stop, tree, treeMemory, waitBound, watchPeak, within,
} from './lib.mjs';
import { tlsCases } from './tls.mjs';

const argv = process.argv.slice(2);

// The --before checkout: its command and its row name (the commit it is at), or exit with why it cannot be used.
function beforeRow(path) {
  const bin = join(path, 'bin', 'mona-nc.js');
  if (!existsSync(bin) || !existsSync(join(path, 'dist'))) {
    console.error(`bench: --before ${path}: no built mona-nc there (bin/mona-nc.js and dist/; run npm run build in it)`);
    process.exit(2);
  }
  const commit = spawnSync('git', ['-C', path, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim() || '?';
  return { name: `mona-nc before (${commit})`, cmd: `node ${bin}` };
}
const flag = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const quick = argv.includes('--quick');
const RUNS = Number(flag('runs', quick ? 1 : 3));
const ECHO_S = Number(flag('seconds', quick ? 2 : 5));
const CASES = new Set(flag('cases', 'bulk,echo,storm,udp,exec,broker,startup,tls-bulk,tls-echo').split(','));
const BULK_BYTES = (quick ? 256 : 1024) * 1024 * 1024;
const CONCURRENCY = [1, 50, 200];
const STORM = 1000;
const UDP_S = quick ? 1 : 2;
const UDP_PACED = 50_000;
const EXEC_MIB = quick ? 64 : 256;
const EXEC_CONCURRENCY = [1, 50];
const BROKER_MIB = quick ? 64 : 256;
const BROKER_RECEIVERS = 4;

const MONA = 'node bin/mona-nc.js';
const BEFORE_DIR = flag('before', undefined);
const BEFORE = BEFORE_DIR && beforeRow(resolve(BEFORE_DIR));
const out = [];
// The --before checkout's path is printed as BEFORE, the scratch directory as DIR: the tables go into RESULTS.md,
// which names no machine's paths.
let tempDir; // the run's scratch directory, printed as DIR
const print = (line = '') => {
  let shown = BEFORE_DIR ? line.split(resolve(BEFORE_DIR)).join('BEFORE') : line;
  if (tempDir) shown = shown.split(tempDir).join('DIR');
  out.push(shown);
  console.log(shown);
};
const mb = (bytes) => (bytes / 1e6).toFixed(1);
const fmt = (x, digits = 0) => (x === Infinity ? '∞' : Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : 'n/a');

// Which peers exist here; the missing ones are skipped and said so.
const peers = { nc: have('nc'), ncat: have('ncat'), socat: have('socat') };
const versions = {
  node: process.version,
  nc: peers.nc ? (spawnSync('sh', ['-c', "dpkg-query -W -f '${Version}' netcat-openbsd 2>/dev/null || echo ?"], { encoding: 'utf8' }).stdout.trim()) : 'missing',
  ncat: peers.ncat ? (/Version ([\d.]+)/.exec(spawnSync('ncat', ['--version'], { encoding: 'utf8' }).stderr)?.[1] ?? '?') : 'missing',
  socat: peers.socat ? (/socat version ([\d.]+)/.exec(spawnSync('socat', ['-V'], { encoding: 'utf8' }).stdout)?.[1] ?? '?') : 'missing',
};
const skipped = Object.entries(peers).filter(([, ok]) => !ok).map(([name]) => name);
const lg = buildLoadgen();

const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, env, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

print(`# mona-nc benchmarks, ${new Date().toISOString().slice(0, 10)}`);
print();
print(`Machine: ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores, Linux ${spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim()}; ` +
  `Node ${versions.node}, OpenBSD nc ${versions.nc}, ncat ${versions.ncat}, socat ${versions.socat}. NODE_EXTRA_CA_CERTS unset.`);
print(`Runs: ${RUNS}, interleaved (each run goes through every tool before the next run); figures are medians.`);
print(skipped.length ? `Skipped peers (not installed): ${skipped.join(', ')}.` : 'Skipped peers: none.');
if (lg.reason) print(`Load generator unavailable: ${lg.reason}; echo, storm and UDP cases are skipped.`);
print();

const dir = mkdtempSync(join(tmpdir(), 'mona-nc-bench-'));
tempDir = dir;
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const results = {};

// ---------------------------------------------------------------- bulk TCP
async function bulk() {
  const file = join(dir, 'zero.bin');
  // A sparse file reads as zeros from the page cache, like /dev/zero, but ends, and every tool reads it its own way.
  const fd = openSync(file, 'w');
  ftruncateSync(fd, BULK_BYTES);
  closeSync(fd);
  const F = file;
  const tools = [
    { name: 'mona-nc', server: (p) => `${MONA} tcp-server 127.0.0.1:${p} < /dev/null > /dev/null`, client: (p) => `${MONA} tcp-client 127.0.0.1:${p} < ${F}` },
    BEFORE && { name: BEFORE.name, server: (p) => `${BEFORE.cmd} tcp-server 127.0.0.1:${p} < /dev/null > /dev/null`, client: (p) => `${BEFORE.cmd} tcp-client 127.0.0.1:${p} < ${F}` },
    // The traffic taps on the receiver, to /dev/null: their own cost (formatting, one more write), not a disk's.
    { name: 'mona-nc -o', server: (p) => `${MONA} tcp-server 127.0.0.1:${p} -o /dev/null < /dev/null > /dev/null`, client: (p) => `${MONA} tcp-client 127.0.0.1:${p} < ${F}` },
    { name: 'mona-nc -x', server: (p) => `${MONA} tcp-server 127.0.0.1:${p} -x /dev/null < /dev/null > /dev/null`, client: (p) => `${MONA} tcp-client 127.0.0.1:${p} < ${F}` },
    // What the testing taps cost (issue 15): the same transfer, the server hashing each direction or recording it.
    { name: 'mona-nc --digest', server: (p) => `${MONA} tcp-server 127.0.0.1:${p} --digest < /dev/null > /dev/null`, client: (p) => `${MONA} tcp-client 127.0.0.1:${p} < ${F}` },
    { name: 'mona-nc --record', server: (p) => `${MONA} tcp-server 127.0.0.1:${p} --record ${join(dir, 'bulk.jsonl')} < /dev/null > /dev/null`, client: (p) => `${MONA} tcp-client 127.0.0.1:${p} < ${F}` },
    { name: 'bare Node pipe', server: (p) => `node bench/bare/tcp-recv.mjs ${p} > /dev/null`, client: (p) => `node bench/bare/tcp-send.mjs ${p} < ${F}` },
    peers.nc && { name: 'nc (OpenBSD)', server: (p) => `nc -l 127.0.0.1 ${p} < /dev/null > /dev/null`, client: (p) => `nc -N 127.0.0.1 ${p} < ${F}` },
    peers.ncat && { name: 'ncat', server: (p) => `ncat -l 127.0.0.1 ${p} --recv-only > /dev/null`, client: (p) => `ncat --send-only 127.0.0.1 ${p} < ${F}` },
    peers.socat && { name: 'socat', server: (p) => `socat -u TCP-LISTEN:${p},bind=127.0.0.1,reuseaddr STDOUT > /dev/null`, client: (p) => `socat -u STDIN TCP:127.0.0.1:${p} < ${F}` },
  ].filter(Boolean);
  const data = new Map(tools.map((t) => [t.name, { rate: [], serverRss: [], clientRss: [], serverCpu: [], clientCpu: [] }]));
  // Run -1 is a warm-up, not recorded: the first transfer of a session ran at under half speed in every run of
  // 2026-11-30 (the file's pages and the binaries going into memory), whichever tool came first.
  for (let run = -1; run < RUNS; run++) {
    for (const tool of run < 0 ? tools.slice(0, 1) : tools) {
      const port = await freePort();
      const server = sh(tool.server(port));
      await waitBound(port);
      const serverPeak = watchPeak(server.pid);
      const started = process.hrtime.bigint();
      const client = sh(tool.client(port));
      const clientPeak = watchPeak(client.pid);
      const [c, s] = await within(Promise.all([client.exited, server.exited]), 120_000, `${tool.name} bulk`)
        .catch(async (err) => { await stop(client, 'SIGKILL'); await stop(server, 'SIGKILL'); throw err; });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (c.code !== 0 || s.code !== 0) throw new Error(`${tool.name} bulk: exit ${c.code}/${s.code}: ${client.stderr()} ${server.stderr()}`);
      const sp = serverPeak();
      const cp = clientPeak();
      if (run < 0) continue;
      const d = data.get(tool.name);
      d.rate.push(BULK_BYTES / seconds / 1e6);
      d.serverRss.push(sp.peak);
      d.clientRss.push(cp.peak);
      d.serverCpu.push(sp.cpu / (BULK_BYTES / 2 ** 30));
      d.clientCpu.push(cp.cpu / (BULK_BYTES / 2 ** 30));
    }
  }
  const bare = median(data.get('bare Node pipe').rate);
  print(`## Bulk TCP: ${BULK_BYTES / 2 ** 30} GiB of zeros, client -> server -> /dev/null`);
  print();
  print('Time from the client\'s start until both ends exited (Node start-up included). Peak RSS is VmHWM. CPU is user+system ' +
    'seconds per GiB (less sensitive than MB/s to a busy machine).');
  print();
  print('| tool | MB/s (median) | runs | x bare Node | peak RSS server / client (MB) | CPU s/GiB server / client |');
  print('|---|---:|---|---:|---:|---:|');
  for (const tool of tools) {
    const d = data.get(tool.name);
    print(`| ${tool.name} | ${fmt(median(d.rate))} | ${d.rate.map((x) => fmt(x)).join(', ')} | ${ratio(median(d.rate), bare)} | ${mb(median(d.serverRss))} / ${mb(median(d.clientRss))} | ${median(d.serverCpu).toFixed(2)} / ${median(d.clientCpu).toFixed(2)} |`);
  }
  print();
  print('Commands (P a free port, FILE a sparse file of the size above):');
  for (const tool of tools) print(`- ${tool.name}: \`${tool.server('P')}\` then \`${tool.client('P').replace(F, 'FILE')}\``);
  print();
  results.bulk = Object.fromEntries([...data].map(([k, d]) => [k, { rate: median(d.rate), serverRss: median(d.serverRss), clientRss: median(d.clientRss) }]));
}

// ---------------------------------------------------------------- echo ping-pong, connect storm, idle memory
const echoServers = () => [
  { name: 'mona-nc', cmd: (p) => `${MONA} tcp-server 127.0.0.1:${p} --echo` },
  BEFORE && { name: BEFORE.name, cmd: (p) => `${BEFORE.cmd} tcp-server 127.0.0.1:${p} --echo` },
  { name: 'bare Node echo', cmd: (p) => `node bench/bare/echo.mjs ${p}` },
  peers.ncat && { name: 'ncat --exec /bin/cat', cmd: (p) => `ncat -l 127.0.0.1 ${p} -k -m 1000 --exec /bin/cat` },
  peers.socat && { name: 'socat PIPE fork', cmd: (p) => `socat TCP-LISTEN:${p},bind=127.0.0.1,fork,reuseaddr,backlog=1024 PIPE` },
].filter(Boolean);

async function withServer(cmd, fn) {
  const port = await freePort();
  const server = sh(cmd(port));
  try {
    await waitBound(port);
    return await fn(port, server);
  } finally {
    await stop(server);
  }
}

async function echo() {
  const servers = [...echoServers(), { name: 'C epoll echo (generator ceiling)', cmd: (p) => `${lg.path} serve ${p} ${Math.ceil(ECHO_S * 3 + 10)}` }];
  const data = new Map(servers.map((s) => [s.name, Object.fromEntries(CONCURRENCY.map((c) => [c, { rate: [], p50: [], p99: [], cpu: [], cpuUs: [], gen: [] }]))]));
  for (let run = 0; run < RUNS; run++) {
    for (const server of servers) {
      await withServer(server.cmd, async (port, proc) => {
        for (const conns of CONCURRENCY) {
          const before = cpuSeconds(proc.pid);
          const r = await loadgen(lg.path, ['echo', '127.0.0.1', port, conns, ECHO_S], (ECHO_S + 15) * 1000);
          const d = data.get(server.name)[conns];
          d.rate.push(r.rate);
          d.p50.push(r.p50_us);
          d.p99.push(r.p99_us);
          const used = cpuSeconds(proc.pid) - before;
          d.cpu.push(used / (ECHO_S + 0.5));
          d.gen.push((r.cpu_s ?? NaN) / (ECHO_S + 0.5));
          d.cpuUs.push((used * 1e6) / (r.rtts * (1 + 0.5 / ECHO_S)));
        }
      });
    }
  }
  print(`## Echo server: 64-byte ping-pong, ${ECHO_S} s per concurrency (after 0.5 s warm-up)`);
  print();
  print('Round trips/s (median), latency p50/p99 in µs, and the server\'s CPU use (1.0 = one core; forking servers: the parent only).');
  print();
  print(`| server | ${CONCURRENCY.map((c) => `${c} conn: rt/s | p50/p99 µs`).join(' | ')} |`);
  print(`|---|${CONCURRENCY.map(() => '---:|---:').join('|')}|`);
  for (const s of servers) {
    const row = CONCURRENCY.map((c) => {
      const d = data.get(s.name)[c];
      return `${fmt(median(d.rate))} | ${fmt(median(d.p50))}/${fmt(median(d.p99))}`;
    });
    print(`| ${s.name} | ${row.join(' | ')} |`);
  }
  print();
  print('Ratios to bare Node (rt/s, and p99 where lower is better):');
  print();
  print(`| server | ${CONCURRENCY.map((c) => `${c}: rt/s | p99`).join(' | ')} | server CPU (cores) at ${CONCURRENCY.join('/')} | server CPU µs per rt | generator CPU (cores) |`);
  print(`|---|${CONCURRENCY.map(() => '---:|---:').join('|')}|---:|---:|---:|`);
  const bare = data.get('bare Node echo');
  for (const s of servers) {
    const d = data.get(s.name);
    print(`| ${s.name} | ${CONCURRENCY.map((c) => `${ratio(median(d[c].rate), median(bare[c].rate))} | ${ratio(median(d[c].p99), median(bare[c].p99))}`).join(' | ')} | ${CONCURRENCY.map((c) => median(d[c].cpu).toFixed(2)).join(' / ')} | ${CONCURRENCY.map((c) => median(d[c].cpuUs).toFixed(1)).join(' / ')} | ${CONCURRENCY.map((c) => median(d[c].gen).toFixed(2)).join(' / ')} |`);
  }
  print();
  print(`Load generator: \`bench/.build/loadgen echo 127.0.0.1 P CONNS ${ECHO_S}\` (bench/loadgen.c, one thread, epoll). ` +
    'Its ceiling is the "C epoll echo" row: the same machine, with the cheapest possible server on the other core. ' +
    'Its own CPU is the last column: near 1.00, the generator (one thread) is the limit of that row, not the server.');
  print('Servers:');
  for (const s of servers) print(`- ${s.name}: \`${s.cmd('P').replace(lg.path, 'bench/.build/loadgen')}\``);
  print();
  results.echo = Object.fromEntries([...data].map(([k, d]) => [k, Object.fromEntries(CONCURRENCY.map((c) => [c, { rate: median(d[c].rate), p50: median(d[c].p50), p99: median(d[c].p99) }]))]));
}

async function storm() {
  const servers = echoServers();
  const data = new Map(servers.map((s) => [s.name, { all: [], served: [], failed: [], mem: [], procs: [], rssOne: [], idle: [] }]));
  for (let run = 0; run < RUNS; run++) {
    for (const server of servers) {
      await withServer(server.cmd, async (port, proc) => {
        await sleep(300);
        const idle = rss(proc.pid);
        // Hold the connections after the storm: the idle-memory figure is taken on the same 1000 connections.
        const gen = sh(`${lg.path} storm 127.0.0.1 ${port} ${STORM} 10 30`, { stdin: 'pipe', capture: true });
        try {
          await within((async () => { while (!gen.stdout().includes('\n')) await sleep(20); })(), 20_000, 'storm result');
          const r = JSON.parse(gen.stdout().trim().split('\n')[0]);
          await sleep(500);
          const mem = treeMemory(proc.pid);
          const d = data.get(server.name);
          d.all.push(r.served === STORM ? r.all_ms : Infinity);
          d.served.push(r.served);
          d.failed.push(r.failed);
          d.mem.push(mem.pss);
          d.procs.push(mem.processes);
          d.rssOne.push(rss(proc.pid));
          d.idle.push(idle);
        } finally {
          gen.child.stdin.end();
          await stop(gen, 'SIGTERM', 5000);
        }
      });
    }
  }
  print(`## Connect storm and idle memory: ${STORM} connections opened at once, each sends 64 bytes and waits for the echo`);
  print();
  print('"all served" is the time from the first connect() until the last echo arrived (10 s bound; ∞ = not all served). ' +
    'Memory is taken 0.5 s later with the connections held idle: RSS of the server process, and PSS summed over its process tree.');
  print();
  print('| server | all served (ms, median) | runs | served / failed | RSS (MB) | x bare Node | RSS before (MB) | KB per connection | tree PSS (MB) | processes |');
  print('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  const bare = median(data.get('bare Node echo').rssOne);
  for (const s of servers) {
    const d = data.get(s.name);
    print(`| ${s.name} | ${fmt(median(d.all))} | ${d.all.map((x) => fmt(x)).join(', ')} | ${median(d.served)} / ${median(d.failed)} | ${mb(median(d.rssOne))} | ${ratio(median(d.rssOne), bare)} | ${mb(median(d.idle))} | ${fmt((median(d.rssOne) - median(d.idle)) / STORM / 1024, 1)} | ${mb(median(d.mem))} | ${median(d.procs)} |`);
  }
  print();
  print(`Generator: \`bench/.build/loadgen storm 127.0.0.1 P ${STORM} 10 30\`; servers as in the echo case.`);
  print();
  results.storm = Object.fromEntries([...data].map(([k, d]) => [k, { all: median(d.all), rss: median(d.rssOne), idle: median(d.idle), pss: median(d.mem) }]));
}

// ---------------------------------------------------------------- UDP
async function udp() {
  const receivers = [
    { name: 'mona-nc', cmd: (p, f) => `${MONA} udp bind 127.0.0.1:${p} > ${f}` },
    BEFORE && { name: BEFORE.name, cmd: (p, f) => `${BEFORE.cmd} udp bind 127.0.0.1:${p} > ${f}` },
    { name: 'bare Node dgram', cmd: (p, f) => `node bench/bare/udp-recv.mjs ${p} > ${f}` },
    peers.nc && { name: 'nc -u (OpenBSD)', cmd: (p, f) => `nc -u -l 127.0.0.1 ${p} > ${f}` },
    peers.socat && { name: 'socat UDP-RECV', cmd: (p, f) => `socat -u UDP-RECV:${p},bind=127.0.0.1 STDOUT > ${f}` },
  ].filter(Boolean);
  const data = new Map(receivers.map((r) => [r.name, { rate: [], loss: [], pacedLoss: [], sent: [], cpuUs: [] }]));
  const once = async (receiver, rate) => {
    const port = await freePort();
    const file = join(dir, 'udp.out');
    writeFileSync(file, '');
    const proc = sh(receiver.cmd(port, file), { stdin: 'pipe' });
    try {
      await waitBound(port, 'udp');
      await sleep(100);
      const cpu0 = cpuSeconds(proc.pid);
      const r = await loadgen(lg.path, ['udp', '127.0.0.1', port, UDP_S, 64, rate], (UDP_S + 10) * 1000);
      // Let the receiver drain what the kernel holds: stop once the output has not grown for 300 ms.
      let size = -1;
      for (let i = 0; i < 100 && statSync(file).size !== size; i++) { size = statSync(file).size; await sleep(300); }
      const received = size / 64;
      return { received, sent: r.sent, seconds: r.seconds, cpuUs: ((cpuSeconds(proc.pid) - cpu0) * 1e6) / received };
    } finally {
      await stop(proc);
    }
  };
  for (let run = 0; run < RUNS; run++) {
    for (const receiver of receivers) {
      const d = data.get(receiver.name);
      const full = await once(receiver, 0);
      d.rate.push(full.received / full.seconds);
      d.loss.push(1 - full.received / full.sent);
      d.sent.push(full.sent / full.seconds);
      d.cpuUs.push(full.cpuUs);
      const paced = await once(receiver, UDP_PACED);
      d.pacedLoss.push(1 - paced.received / paced.sent);
    }
  }
  const bare = median(data.get('bare Node dgram').rate);
  print(`## UDP: 64-byte datagrams for ${UDP_S} s, receiver writes each to stdout (a file)`);
  print();
  print(`Received/s with the sender going flat out (sendmmsg, ~${fmt(median([...data.values()].flatMap((d) => d.sent)) / 1000)}k/s offered), and loss at ${UDP_PACED / 1000}k/s offered.`);
  print();
  print('CPU is the receiver\'s user+system time per datagram received, flat out (steadier than the rate on a busy machine).');
  print();
  print('| receiver | received/s (median) | runs | x bare Node | loss flat out | loss at paced rate | CPU µs/datagram | x bare Node |');
  print('|---|---:|---|---:|---:|---:|---:|---:|');
  const bareCpu = median(data.get('bare Node dgram').cpuUs);
  for (const r of receivers) {
    const d = data.get(r.name);
    print(`| ${r.name} | ${fmt(median(d.rate))} | ${d.rate.map((x) => fmt(x)).join(', ')} | ${ratio(median(d.rate), bare)} | ${(median(d.loss) * 100).toFixed(1)} % | ${(median(d.pacedLoss) * 100).toFixed(2)} % | ${median(d.cpuUs).toFixed(2)} | ${ratio(median(d.cpuUs), bareCpu)} |`);
  }
  print();
  print(`Sender: \`bench/.build/loadgen udp 127.0.0.1 P ${UDP_S} 64 RATE\` (RATE 0 = flat out). Receivers (stdout to a file, counted by size):`);
  for (const r of receivers) print(`- ${r.name}: \`${r.cmd('P', 'FILE')}\``);
  print();
  results.udp = Object.fromEntries([...data].map(([k, d]) => [k, { rate: median(d.rate), cpuUs: median(d.cpuUs) }]));
}

// ---------------------------------------------------------------- --exec cat (issue 13)
const execServers = () => [
  { name: 'mona-nc -k -e cat', cmd: (p) => `${MONA} tcp-server 127.0.0.1:${p} -k -e cat` },
  peers.ncat && { name: 'ncat -k --exec /bin/cat', cmd: (p) => `ncat -l 127.0.0.1 ${p} -k -m 1000 --exec /bin/cat` },
  peers.socat && { name: 'socat fork EXEC:cat', cmd: (p) => `socat TCP-LISTEN:${p},bind=127.0.0.1,fork,reuseaddr,backlog=1024 EXEC:cat` },
].filter(Boolean);

async function exec() {
  const servers = execServers();
  const data = new Map(servers.map((s) => [s.name, { bulk: [], failures: [], rtt: Object.fromEntries(EXEC_CONCURRENCY.map((c) => [c, { rate: [], p99: [] }])) }]));
  for (let run = 0; run < RUNS; run++) {
    for (const server of servers) {
      await withServer(server.cmd, async (port, proc) => {
        // A tool that loses bytes or stalls gets no figure, and the table says what happened.
        const client = sh(`node bench/bare/tcp-roundtrip.mjs ${port} ${EXEC_MIB}`, { capture: true });
        const r = await within(client.exited, 60_000, `${server.name} round trip`).catch(async () => { await stop(client, 'SIGKILL'); return undefined; });
        const line = client.stdout().trim();
        const d = data.get(server.name);
        if (!r) d.failures.push('client hung');
        else if (!line.startsWith('{')) d.failures.push(`failed (${client.stderr().trim() || `exit ${r.code}`})`);
        else {
          const { bytes, seconds } = JSON.parse(line);
          const { stalled } = JSON.parse(line);
          if (bytes === EXEC_MIB * 1024 * 1024) d.bulk.push(bytes / seconds / 1e6);
          else d.failures.push(`${stalled ? 'stalled' : 'ended'} with ${fmt((EXEC_MIB * 1024 * 1024 - bytes) / 1024)} KiB missing`);
        }
        // A stuck connection's process (a forking server's child) would hold the server's stderr, and its exit, for ever.
        for (const pid of tree(proc.pid).slice(1)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
        if (lg.reason) return;
        for (const conns of EXEC_CONCURRENCY) {
          const g = await loadgen(lg.path, ['echo', '127.0.0.1', port, conns, ECHO_S], (ECHO_S + 15) * 1000);
          const d = data.get(server.name).rtt[conns];
          d.rate.push(g.rate);
          d.p99.push(g.p99_us);
        }
      });
    }
  }
  print(`## --exec cat: a child per connection`);
  print();
  print(`Round trip: one client sends ${EXEC_MIB} MiB through the server's \`cat\` and reads it back (MB/s of payload, from connect until all ` +
    'of it is back; a tool that loses bytes or goes 5 s without one gets no figure). ' +
    `Ping-pong: 64-byte round trips/s and p99 in µs, ${ECHO_S} s, each connection its own \`cat\`.`);
  print();
  print(`| server | round trip MB/s (median) | runs | ${EXEC_CONCURRENCY.map((c) => `${c} conn: rt/s | p99 µs`).join(' | ')} |`);
  print(`|---|---:|---|${EXEC_CONCURRENCY.map(() => '---:|---:').join('|')}|`);
  for (const s of servers) {
    const d = data.get(s.name);
    print(`| ${s.name} | ${fmt(median(d.bulk))} | ${[...d.bulk.map((x) => fmt(x)), ...d.failures].join(', ')} | ${EXEC_CONCURRENCY.map((c) => `${fmt(median(d.rtt[c].rate))} | ${fmt(median(d.rtt[c].p99))}`).join(' | ')} |`);
  }
  print();
  const mona = data.get(servers[0].name);
  for (const s of servers.slice(1)) {
    const d = data.get(s.name);
    print(`- mona-nc vs ${s.name}: round trip ${ratio(median(mona.bulk), median(d.bulk))}, ${EXEC_CONCURRENCY.map((c) => `${c} conn rt/s ${ratio(median(mona.rtt[c].rate), median(d.rtt[c].rate))}`).join(', ')}`);
  }
  print();
  print(`Client: \`node bench/bare/tcp-roundtrip.mjs P ${EXEC_MIB}\`, then \`bench/.build/loadgen echo 127.0.0.1 P CONNS ${ECHO_S}\`. Servers:`);
  for (const s of servers) print(`- ${s.name}: \`${s.cmd('P')}\``);
  print();
  results.exec = Object.fromEntries([...data].map(([k, d]) => [k, { bulk: median(d.bulk) }]));
}

// ---------------------------------------------------------------- --broker (issue 13)
async function broker() {
  const servers = [
    { name: 'mona-nc --broker', cmd: (p) => `${MONA} tcp-server 127.0.0.1:${p} --broker < /dev/null > /dev/null` },
    peers.ncat && { name: 'ncat --broker', cmd: (p) => `ncat -l 127.0.0.1 ${p} --broker -m 1000 < /dev/null > /dev/null` },
  ].filter(Boolean);
  const data = new Map(servers.map((s) => [s.name, { rate: [], rss: [] }]));
  for (let run = 0; run < RUNS; run++) {
    for (const server of servers) {
      await withServer(server.cmd, async (port, proc) => {
        const peak = watchPeak(proc.pid);
        const client = sh(`node bench/broker-load.mjs ${port} ${BROKER_RECEIVERS} ${BROKER_MIB}`, { capture: true });
        const r = await within(client.exited, 120_000, `${server.name} broker load`);
        const line = client.stdout().trim();
        if (r.code !== 0 || !line.startsWith('{')) throw new Error(`${server.name} broker load failed (${r.code}): ${line} ${client.stderr()}`);
        const { seconds, delivered } = JSON.parse(line);
        const d = data.get(server.name);
        d.rate.push(delivered / seconds / 1e6);
        d.rss.push(peak().peak);
      });
    }
  }
  print(`## --broker: one client sends ${BROKER_MIB} MiB, ${BROKER_RECEIVERS} others receive it`);
  print();
  print('MB/s delivered in total (all receivers together), from the first byte sent until every receiver has everything; the server\'s peak RSS. ' +
    'socat has no broker.');
  print();
  print('| server | MB/s delivered (median) | runs | peak RSS (MB) |');
  print('|---|---:|---|---:|');
  for (const s of servers) {
    const d = data.get(s.name);
    print(`| ${s.name} | ${fmt(median(d.rate))} | ${d.rate.map((x) => fmt(x)).join(', ')} | ${mb(median(d.rss))} |`);
  }
  print();
  if (servers.length > 1) print(`- mona-nc vs ncat: ${ratio(median(data.get(servers[0].name).rate), median(data.get(servers[1].name).rate))}`);
  print();
  print(`Client: \`node bench/broker-load.mjs P ${BROKER_RECEIVERS} ${BROKER_MIB}\`. Servers:`);
  for (const s of servers) print(`- ${s.name}: \`${s.cmd('P')}\``);
  print();
  results.broker = Object.fromEntries([...data].map(([k, d]) => [k, { rate: median(d.rate) }]));
}

// ---------------------------------------------------------------- start-up (bench/startup.mjs belongs to issue 5)
function startup() {
  const script = join(BENCH, 'startup.mjs');
  print('## Start-up');
  print();
  if (!existsSync(script)) {
    print('Skipped: bench/startup.mjs (issue 5) is not in this tree.');
    print();
    return;
  }
  const r = spawnSync(process.execPath, [script, ...(BEFORE_DIR ? ['--before', resolve(BEFORE_DIR)] : [])], { cwd: ROOT, env, encoding: 'utf8', timeout: 600_000 });
  for (const line of (r.stdout ?? '').trimEnd().split('\n')) print(line);
  if (r.status !== 0) print(`(bench/startup.mjs exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').pop()})`);
  print();
}

// ---------------------------------------------------------------- targets
function targets() {
  const rows = [];
  const add = (what, value, target, ok) => rows.push(`| ${what} | ${value} | ${target} | ${ok === undefined ? 'n/a' : ok ? 'met' : '**missed**'} |`);
  const b = results.bulk;
  if (b) {
    const m = b['mona-nc'];
    const bare = b['bare Node pipe'];
    add('bulk vs bare Node', ratio(m.rate, bare.rate), '>= 1.0x', m.rate >= bare.rate);
    if (b.ncat) add('bulk vs ncat', ratio(m.rate, b.ncat.rate), '>= 1.0x', m.rate >= b.ncat.rate);
    if (b['nc (OpenBSD)']) add('bulk vs OpenBSD nc (stretch)', ratio(m.rate, b['nc (OpenBSD)'].rate), '>= 1.0x', m.rate >= b['nc (OpenBSD)'].rate);
    const worst = Math.max(m.serverRss - bare.serverRss, m.clientRss - bare.clientRss);
    add('bulk peak RSS vs bare Node', `${worst >= 0 ? '+' : ''}${mb(worst)} MB (server ${mb(m.serverRss)}, client ${mb(m.clientRss)})`, '<= +10 MB', worst <= 10e6);
    // Issue 13: what the traffic taps cost a bulk transfer (no target: measured, for the closing note).
    for (const tap of ['-o', '-x']) {
      const x = b[`mona-nc ${tap}`];
      if (x) add(`bulk with ${tap} /dev/null vs without`, `${ratio(x.rate, m.rate)} (${fmt(x.rate)} vs ${fmt(m.rate)} MB/s; server RSS ${mb(x.serverRss)} MB)`, '(measured)', undefined);
    }
  }
  const e = results.echo;
  if (e) {
    for (const c of CONCURRENCY) {
      const m = e['mona-nc'][c];
      const bare = e['bare Node echo'][c];
      add(`echo ${c} conn rt/s vs bare Node`, ratio(m.rate, bare.rate), '>= 0.95x', m.rate >= 0.95 * bare.rate);
      add(`echo ${c} conn p99 vs bare Node`, ratio(m.p99, bare.p99), '<= 1.1x', m.p99 <= 1.1 * bare.p99);
    }
  }
  const s = results.storm;
  if (s) {
    add(`connect storm: ${STORM} served`, `${fmt(s['mona-nc'].all)} ms`, '<= 1000 ms', s['mona-nc'].all <= 1000);
    add(`idle memory, ${STORM} conns, vs bare Node`, `${ratio(s['mona-nc'].rss, s['bare Node echo'].rss)} (${mb(s['mona-nc'].rss)} vs ${mb(s['bare Node echo'].rss)} MB)`, '<= 1.15x', s['mona-nc'].rss <= 1.15 * s['bare Node echo'].rss);
    const per = (k) => s[k].rss - s[k].idle;
    add(`  of which the ${STORM} connections (RSS growth)`, `${ratio(per('mona-nc'), per('bare Node echo'))} (${mb(per('mona-nc'))} vs ${mb(per('bare Node echo'))} MB)`, '(for the reason)', undefined);
  }
  const u = results.udp;
  if (u) add('UDP received/s vs bare dgram', ratio(u['mona-nc'].rate, u['bare Node dgram'].rate), '>= 0.95x', u['mona-nc'].rate >= 0.95 * u['bare Node dgram'].rate);
  // --before: the same figures as ratios to the older checkout (a hot-path change keeps them within 5 %).
  const was = (table, key = BEFORE?.name) => table && key && table[key];
  if (was(b)) add('bulk vs before', ratio(b['mona-nc'].rate, was(b).rate), '>= 0.95x', b['mona-nc'].rate >= 0.95 * was(b).rate);
  if (was(e)) {
    for (const c of CONCURRENCY) {
      add(`echo ${c} conn rt/s vs before`, ratio(e['mona-nc'][c].rate, was(e)[c].rate), '>= 0.95x', e['mona-nc'][c].rate >= 0.95 * was(e)[c].rate);
    }
  }
  if (was(u)) add('UDP received/s vs before', ratio(u['mona-nc'].rate, was(u).rate), '>= 0.95x', u['mona-nc'].rate >= 0.95 * was(u).rate);
  if (!rows.length) return;
  print('## Targets (issue 6), from this run');
  print();
  print('| target | mona-nc | wanted | |');
  print('|---|---:|---|---|');
  for (const row of rows) print(row);
  print();
}

// mona-nc's figure over each reference's, one row per figure, one column per reference (issue 16: ratios against bare
// Node, nc, ncat and socat from the same run). Higher is better for rates; p99 is a latency (lower is better).
function peerRatios() {
  const cols = ['bare Node', 'nc', 'ncat', 'socat'];
  const rows = [];
  const add = (what, names, value) => {
    const m = value('mona-nc');
    if (!Number.isFinite(m)) return;
    rows.push(`| ${what} | ${names.map((n) => (n ? ratio(m, value(n)) : '-')).join(' | ')} |`);
  };
  const b = results.bulk;
  if (b) add('bulk MB/s', ['bare Node pipe', 'nc (OpenBSD)', 'ncat', 'socat'].map((n) => b[n] && n), (n) => b[n]?.rate);
  const e = results.echo;
  if (e) {
    const names = ['bare Node echo', undefined, 'ncat --exec /bin/cat', 'socat PIPE fork'].map((n) => n && e[n] && n);
    for (const c of CONCURRENCY) add(`echo rt/s, ${c} conn`, names, (n) => e[n]?.[c].rate);
    for (const c of CONCURRENCY) add(`echo p99, ${c} conn (lower is better)`, names, (n) => e[n]?.[c].p99);
  }
  const u = results.udp;
  if (u) add('UDP received/s', ['bare Node dgram', 'nc -u (OpenBSD)', undefined, 'socat UDP-RECV'].map((n) => n && u[n] && n), (n) => u[n]?.rate);
  if (!rows.length) return;
  print('## mona-nc against each reference, from this run');
  print();
  print(`| figure | ${cols.map((c) => `x ${c}`).join(' | ')} |`);
  print(`|---|${cols.map(() => '---:').join('|')}|`);
  for (const row of rows) print(row);
  print();
}

const { tlsNote, ...tls } = tlsCases({ print, fmt, ratio, mb, RUNS, BULK_BYTES, ECHO_S, peers, MONA, dir, results });
const cases = { bulk, echo, storm, udp, exec, broker, startup, ...tls };
for (const [name, fn] of Object.entries(cases)) {
  if (!CASES.has(name)) continue;
  if (['echo', 'storm', 'udp'].includes(name) && lg.reason) continue;
  const t0 = Date.now();
  process.stderr.write(`bench: ${name}...\n`);
  await fn();
  process.stderr.write(`bench: ${name} took ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}
peerRatios();
targets();
tlsNote();
const outFile = flag('out', undefined);
if (outFile) writeFileSync(outFile, `${out.join('\n')}\n`);
