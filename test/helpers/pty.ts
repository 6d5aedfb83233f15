// The built CLI under a pseudo-terminal (util-linux script): for what only happens when stderr is a terminal.
import { spawn, spawnSync } from 'node:child_process';
import { CLI } from './cli.js';

/** Why a pty test cannot run here, or undefined. */
export const noPty = (): string | undefined => (spawnSync('script', ['--version']).status === 0 ? undefined : 'script(1) from util-linux is not installed');

const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

export interface PtyRun {
  /** Wait until the terminal output contains `text`, and return the output so far; rejects after `ms` or at exit. */
  waitFor(text: string | RegExp, ms?: number): Promise<string>;
  /** The exit status and everything written to the terminal (stderr, and stdout unless redirected). */
  done(ms?: number): Promise<{ code: number | null; output: string }>;
}

/**
 * Run `mona-nc ARGS REDIRECTIONS` with the pty as its terminal. `redirect` is shell text such as `< in > out`
 * (paths are quoted by the caller with `shellQuote`).
 */
export function runInPty(args: readonly string[], redirect = '', env: NodeJS.ProcessEnv = {}): PtyRun {
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  // script -e: exit with the command's status; -q: no "Script started" lines; the typescript file is /dev/null.
  const base = { ...process.env };
  delete base.NODE_EXTRA_CA_CERTS;
  delete base.FORCE_COLOR;
  const child = spawn('script', ['-qec', `${command} ${redirect}`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...base, ...env } });
  let output = '';
  const waiters = new Set<() => void>();
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString('utf8');
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => {
    for (const w of waiters) w();
    resolve(code);
  }));
  let finished = false;
  void exited.then(() => { finished = true; });
  return {
    waitFor: (text, ms = 8000) => new Promise((resolve, reject) => {
      const found = (): boolean => (typeof text === 'string' ? output.includes(text) : text.test(output));
      const check = (): void => {
        if (found()) { cleanup(); resolve(output); } else if (finished) { cleanup(); reject(new Error(`exited before ${String(text)}: ${JSON.stringify(output)}`)); }
      };
      const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out waiting for ${String(text)}: ${JSON.stringify(output)}`)); }, ms);
      const cleanup = (): void => { clearTimeout(timer); waiters.delete(check); };
      waiters.add(check);
      check();
    }),
    async done(ms = 15000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(timer);
      return { code, output };
    },
  };
}

export const shellQuote = quote;
