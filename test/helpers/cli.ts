// Run the built CLI as a child process: bounded waits, stdout as bytes, stderr as lines and JSON events.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../../bin/mona-nc.js', import.meta.url));

// The sandbox's NODE_EXTRA_CA_CERTS adds ~50 ms to every Node start; users do not have it.
const baseEnv = (): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.FORCE_COLOR;
  return env;
};

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  stderrLines: string[];
  /** ERROR lines (text or JSON). */
  errors: string[];
}

export interface CliOptions {
  /** Bytes for stdin (then EOF), 'ignore' for /dev/null, 'pipe' to keep it open (write via child.stdin). */
  stdin?: Buffer | string | 'ignore' | 'pipe';
  env?: NodeJS.ProcessEnv;
  /** Run with `env` alone, as `env -i` does (default: this process's environment plus `env`). */
  bareEnv?: boolean;
  /** Another mona-nc executable (the standalone binary) instead of `node bin/mona-nc.js`. */
  bin?: string;
  cwd?: string;
  /** Node flags before the script, and the script (default: bin/mona-nc.js); both ignored with `bin`. */
  nodeArgs?: string[];
  script?: string;
  timeoutMs?: number;
  /** Do not read the child's stdout (a stuck reader: its pipe fills up). */
  holdStdout?: boolean;
}

export interface JsonLine { time: string; level: string; message: string; event?: string; [field: string]: unknown }

export interface Running {
  child: ChildProcess;
  stdoutChunks: Buffer[];
  /** Wait for a stderr line matching `pattern`; rejects after `ms`. */
  waitLine(pattern: RegExp, ms?: number): Promise<string>;
  /** Wait for a JSON event line (needs --log-format json). */
  waitEvent(name: string, ms?: number): Promise<JsonLine>;
  /** The port from `listening on HOST:PORT` (text or JSON). */
  port(ms?: number): Promise<number>;
  /** Resolves when the process exits (killed with SIGKILL after `ms`). */
  done(ms?: number): Promise<CliResult>;
}

const isError = (line: string): boolean => / ERROR /.test(line) || /"level":"ERROR"/.test(line);

export function parseJsonLines(stderr: string): JsonLine[] {
  return stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonLine);
}

// Children still running when a test file's process ends (a test that failed before it stopped its server) are
// killed with it: a failed test must not leave a server behind.
const children = new Set<ChildProcess>();
process.on('exit', () => { for (const child of children) child.kill('SIGKILL'); });

export function startCli(args: readonly string[], options: CliOptions = {}): Running {
  const stdin = options.stdin ?? 'ignore';
  const [program, ...before] = options.bin ? [options.bin] : [process.execPath, ...(options.nodeArgs ?? []), options.script ?? CLI];
  const child = spawn(program ?? process.execPath, [...before, ...args], {
    stdio: [stdin === 'ignore' ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: options.bareEnv ? { ...options.env } : { ...baseEnv(), ...options.env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  if (stdin !== 'ignore' && stdin !== 'pipe') child.stdin?.end(stdin);
  child.stdin?.on('error', () => undefined);
  const stdoutChunks: Buffer[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  if (!options.holdStdout) child.stdout?.on('data', (c: Buffer) => stdoutChunks.push(c));
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    for (const w of waiters) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters) w();
      resolve({ code, signal });
    });
  });
  let finished = false;
  void exited.then(() => { finished = true; });

  const waitFor = <T>(find: () => T | undefined, what: string, ms: number): Promise<T> => new Promise((resolve, reject) => {
    const check = (): void => {
      const found = find();
      if (found !== undefined) {
        cleanup();
        resolve(found);
      } else if (finished) {
        cleanup();
        reject(new Error(`process exited before ${what}; stderr:\n${stderr}`));
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}; stderr:\n${stderr}`));
    }, ms);
    const cleanup = (): void => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });

  return {
    child,
    stdoutChunks,
    waitLine: (pattern, ms = 8000) => waitFor(() => stderr.split('\n').find((l) => pattern.test(l)), String(pattern), ms),
    waitEvent: (name, ms = 8000) => waitFor(() => parseJsonLines(stderr).find((e) => e.event === name), `event ${name}`, ms),
    async port(ms = 8000) {
      const line = await waitFor(() => stderr.split('\n').find((l) => /listening on /.test(l)), 'listening', ms);
      const m = /listening on .*:(\d+)/.exec(line);
      if (!m) throw new Error(`no port in ${line}`);
      return Number(m[1]);
    },
    async done(ms = options.timeoutMs ?? 15000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      const { code, signal } = await exited;
      clearTimeout(timer);
      const stderrLines = stderr.split('\n').filter((l) => l !== '');
      return { code, signal, stdout: Buffer.concat(stdoutChunks), stderr, stderrLines, errors: stderrLines.filter(isError) };
    },
  };
}

/** Run to completion. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done();
}
