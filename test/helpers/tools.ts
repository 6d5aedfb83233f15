// Other netcats as peers (nc, ncat, socat): a test that is a real skip (helpers/skip.ts) when one is not installed,
// a peer process run to its end, and the wait for its listening socket.
import type { ImplementationFn } from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delay } from './net.js';
import { missingCommand, testUnless } from './skip.js';

/** Why each peer tool cannot be used here, or undefined. */
export const MISSING = {
  nc: missingCommand('nc', 'nc (netcat-openbsd)', ['-h']),
  ncat: missingCommand('ncat', 'ncat'),
  socat: missingCommand('socat', 'socat', ['-V']),
  hexdump: missingCommand('hexdump', 'hexdump (bsdextrautils)', ['-C', '/dev/null']),
};

/** `test`, or a skipped test saying which tool is missing. */
export const needs = (tool: keyof typeof MISSING): ((title: string, fn: ImplementationFn<[]>) => void) => testUnless(MISSING[tool]);

export interface Tool {
  child: ChildProcess;
  /** Its stdout so far. */
  output(): Buffer;
  /** Exit code and stdout once it has ended (SIGKILL after `ms`). */
  done(ms?: number): Promise<{ code: number | null; stdout: Buffer; stderr: string }>;
}

/** Start a peer command; stdin from a file, or none. */
export function tool(cmd: string, args: string[], stdinFile?: string): Tool {
  const child = spawn(cmd, args, { stdio: [stdinFile ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  if (stdinFile) child.stdin?.end(readFileSync(stdinFile));
  child.stdin?.on('error', () => undefined);
  const out: Buffer[] = [];
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => { stderr += c.toString(); });
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => Buffer.concat(out),
    async done(ms = 15_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await closed;
      clearTimeout(timer);
      return { code, stdout: Buffer.concat(out), stderr };
    },
  };
}

/**
 * Whether a socket listens on `port` (from /proc/net: no connection made, so a one-shot nc -l is left alone): TCP in
 * state LISTEN (0A), UDP bound and not connected (07).
 */
function listening(port: number, proto: 'tcp' | 'udp'): boolean {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const state = proto === 'tcp' ? '0A' : '07';
  for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch { continue; }
    // Columns: sl local_address rem_address st ...
    if (text.split('\n').some((line) => { const f = line.trim().split(/\s+/); return f[1]?.endsWith(`:${hex}`) && f[3] === state; })) return true;
  }
  return false;
}

/** Wait until a peer listens on `port` (bounded). */
export async function untilListening(port: number, proto: 'tcp' | 'udp' = 'tcp', ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!listening(port, proto)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for a ${proto} listener on port ${port}`);
    await delay(10);
  }
}
