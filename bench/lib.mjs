// Benchmark plumbing: spawn shell commands exactly as printed, wait for listeners via /proc, sample memory.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BENCH = fileURLToPath(new URL('.', import.meta.url));

// The sandbox's NODE_EXTRA_CA_CERTS adds ~50 ms to every Node start; users do not have it.
export const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Whether a command is on PATH. */
export const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

/** A free TCP (and, by luck, UDP) port on 127.0.0.1: bound, then released. */
export async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

// /proc/net/{tcp,udp}[6]: local address column "IP:PORT" in hex; state 0A is LISTEN (UDP sockets show 07).
function bound(port, proto) {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    let text = '';
    try { text = readFileSync(file, 'utf8'); } catch { continue; }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(hex) && (proto === 'udp' || cols[3] === '0A')) return true;
    }
  }
  return false;
}

/** Wait until something listens on `port` (without connecting to it: a one-client server would take us). */
export async function waitBound(port, proto = 'tcp', ms = 10_000) {
  const until = Date.now() + ms;
  while (!bound(port, proto)) {
    if (Date.now() > until) throw new Error(`nothing ${proto === 'tcp' ? 'listens' : 'is bound'} on port ${port} after ${ms} ms`);
    await sleep(10);
  }
}

/**
 * Run a shell command line (exactly what the tables print), with `exec` so the pid is the tool's.
 * Returns { child, pid, exited: Promise<{code, signal, ms}>, stdout(), stderr() }.
 */
export function sh(command, { stdin = 'ignore', capture = false } = {}) {
  const started = process.hrtime.bigint();
  const child = spawn('sh', ['-c', `exec ${command}`], { env, cwd: ROOT, stdio: [stdin, capture ? 'pipe' : 'ignore', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { if (err.length < 65536) err += c; });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => {
    resolve({ code, signal, ms: Number(process.hrtime.bigint() - started) / 1e6 });
  }));
  return { child, pid: child.pid, exited, stdout: () => out, stderr: () => err };
}

/** Kill a process we started and wait for it; SIGKILL if it has not gone after `ms`. */
export async function stop(proc, signal = 'SIGTERM', ms = 3000) {
  // Forking servers (ncat --exec, socat fork) leave per-connection processes that outlive their parent and hold its
  // stderr pipe open, so 'close' would never come: they are found now and ended with it.
  const descendants = tree(proc.pid).slice(1);
  const killAll = (sig) => {
    for (const pid of descendants) { try { process.kill(pid, sig); } catch { /* gone */ } }
  };
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
  killAll(signal);
  const timer = setTimeout(() => { proc.child.kill('SIGKILL'); killAll('SIGKILL'); }, ms);
  const result = await proc.exited;
  clearTimeout(timer);
  return result;
}

/** Resolve `promise`, or reject after `ms` naming `what`. */
export function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms); }),
  ]);
}

const statusField = (pid, field) => {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch { return NaN; }
};
/** Resident set size now, bytes. */
export const rss = (pid) => statusField(pid, 'VmRSS');

/**
 * Sample VmHWM (the kernel's peak RSS) and CPU time every 10 ms until stopped; returns { peak, cpu } (bytes,
 * seconds: the last sample before the process exited, so up to 10 ms of CPU may be missing).
 */
export function watchPeak(pid) {
  let peak = NaN;
  let cpu = NaN;
  const sample = () => {
    const v = statusField(pid, 'VmHWM');
    if (Number.isFinite(v) && !(v <= peak)) peak = v;
    const c = cpuSeconds(pid);
    if (Number.isFinite(c)) cpu = c;
  };
  sample();
  const timer = setInterval(sample, 10);
  return () => { sample(); clearInterval(timer); return { peak, cpu }; };
}

/** The process and all its descendants. */
export function tree(pid) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch { /* gone */ }
  }
  const all = [];
  const walk = (p) => { all.push(p); for (const c of children.get(p) ?? []) walk(c); };
  walk(pid);
  return all;
}

/** Memory of a process tree: PSS summed (shared pages counted once), in bytes; and the process count. */
export function treeMemory(pid) {
  const pids = tree(pid);
  let pss = 0;
  for (const p of pids) {
    try {
      const m = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      pss += m ? Number(m[1]) * 1024 : 0;
    } catch { /* gone */ }
  }
  return { pss, processes: pids.length };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch { return NaN; }
}

/** Compile bench/loadgen.c once (into bench/.build/, not tracked); undefined with the reason when impossible. */
export function buildLoadgen() {
  const src = `${BENCH}loadgen.c`;
  const out = `${BENCH}.build/loadgen`;
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) return { path: out };
  const cc = ['cc', 'gcc', 'clang'].find(have);
  if (!cc) return { reason: 'no C compiler (apt-get install gcc) for bench/loadgen.c' };
  mkdirSync(`${BENCH}.build`, { recursive: true });
  const r = spawnSync(cc, ['-O2', '-Wall', '-o', out, src], { encoding: 'utf8' });
  if (r.status !== 0) return { reason: `${cc} failed on bench/loadgen.c: ${r.stderr.trim()}` };
  return { path: out };
}

/** Run the load generator to completion; its one JSON line. */
export async function loadgen(path, args, ms) {
  const proc = sh(`${path} ${args.join(' ')}`, { capture: true });
  const result = await within(proc.exited, ms, `loadgen ${args.join(' ')}`).catch(async (err) => { await stop(proc, 'SIGKILL'); throw err; });
  const line = proc.stdout().trim().split('\n').pop() ?? '';
  if (result.code !== 0 || !line.startsWith('{')) throw new Error(`loadgen ${args.join(' ')} failed (${result.code}): ${line} ${proc.stderr()}`);
  return JSON.parse(line);
}
