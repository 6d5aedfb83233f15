// A child process as an endpoint (--exec): data = its stdout, end = its stdout's EOF, write = its stdin, end() closes
// its stdin; it is over once it has exited and its stdout is drained. close() ends it: SIGTERM to its process group
// (after a grace to finish its input, when that input was complete), SIGKILL after another. Its stderr is ours.
// Node reaps it (no zombie); a process that exits kills what is left.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { Logger } from '../log.js';
import { causeOf, codeOf } from '../mona/errors.js';
import { QUEUE_LIMIT, type Endpoint, type EndpointEvents, type Failure } from './endpoint.js';

export interface ChildSpec {
  /** The program (looked up in PATH when it has no slash) and its arguments. */
  readonly argv: readonly string[];
  /** The command as the user wrote it, for messages. */
  readonly name: string;
  readonly env: NodeJS.ProcessEnv;
  /** Whose child it is, for messages: "127.0.0.1:41234". */
  readonly owner: string;
  /** A datagram peer: the child's output is cut into pieces of at most this many bytes (one datagram each). */
  readonly maxChunk?: number | undefined;
}

/**
 * How long a child may run on once its connection is over and its input delivered, before SIGTERM; and after
 * SIGTERM, before SIGKILL (both within the 3 s a signalled mona-nc gives itself).
 */
export const KILL_GRACE_MS = 1000;

const live = new Set<ChildProcess>();
let reaper = false;

// Its own process group (detached), so that SIGTERM reaches a pipeline of -c and what the child started.
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

/** Call `fn` once everything written to `stream` is handed to the system, or the stream is gone. */
function whenFlushed(stream: Writable, fn: () => void): void {
  if (stream.writableFinished || stream.destroyed) return fn();
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    fn();
  };
  stream.once('finish', once);
  stream.once('close', once);
}

export function childEndpoint(log: Logger, spec: ChildSpec): Endpoint {
  const [file = '', ...args] = spec.argv;
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'], env: spec.env, detached: true });
  const { stdin, stdout } = child as ChildProcess & { stdin: NonNullable<ChildProcess['stdin']>; stdout: NonNullable<ChildProcess['stdout']> };
  const label = `${spec.name} (pid ${child.pid ?? 'none'})`;
  let on: EndpointEvents | undefined;
  let lastIO = Date.now();
  let written = 0;
  let dropped = 0;
  let stdinGone = false;
  let inputDone = false;
  let exited = false;
  let closing = false;
  let over = false;
  let failure: Failure | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  if (child.pid !== undefined) {
    live.add(child);
    log.log('INFO', `started ${label} for ${spec.owner}`);
    if (!reaper) {
      reaper = true;
      // A process that exits without waiting for its children (a second signal) takes them with it.
      process.on('exit', () => { for (const c of live) signalGroup(c, 'SIGKILL'); });
    }
  }
  // Nothing is read before the relay resumes it.
  stdout.pause();
  stdout.on('data', (chunk: Buffer) => {
    lastIO = Date.now();
    const max = spec.maxChunk;
    if (max === undefined || chunk.length <= max) return on?.data(chunk);
    for (let at = 0; at < chunk.length; at += max) on?.data(chunk.subarray(at, at + max));
  });
  stdout.on('end', () => on?.end());
  stdout.on('error', (err) => log.log('DEBUG', `${label} stdout: ${causeOf(err)}`));
  // EPIPE: the child closed its stdin (or exited): what the peer sends from now on has no reader.
  stdin.on('error', (err) => {
    stdinGone = true;
    log.log('DEBUG', `${label} stdin: ${causeOf(err)}`);
  });
  stdin.on('drain', () => on?.drain());
  // SIGTERM, then SIGKILL if it is still there after the grace.
  const terminate = (): void => {
    log.log('INFO', `${label}: its connection is over, SIGTERM`);
    signalGroup(child, 'SIGTERM');
    killTimer = setTimeout(() => {
      log.log('WARN', `${label} still running ${KILL_GRACE_MS / 1000} s after SIGTERM: SIGKILL`);
      signalGroup(child, 'SIGKILL');
    }, KILL_GRACE_MS);
  };
  child.on('error', (err) => {
    // Only a failed spawn is the child's failure; a failed kill() of a child that is gone is not.
    if (child.pid !== undefined) return;
    failure = { reason: 'io', message: `Unable to run ${spec.name} for ${spec.owner} (${causeOf(err)})`, code: codeOf(err) };
  });
  child.on('exit', (code, signal) => {
    exited = true;
    live.delete(child);
    clearTimeout(killTimer);
    log.log('INFO', `${label} exited (${signal ? `killed by ${signal}` : `status ${code ?? 0}`})`);
    // Closing: what it wrote has nowhere to go, and a process it left holding stdout must not hold us.
    if (closing) stdout.destroy();
  });
  // 'close' comes once it exited and stdout is drained (or failed to start).
  child.on('close', () => {
    if (over) return;
    over = true;
    if (dropped) log.log('INFO', `${label}: ${dropped} bytes from ${spec.owner} not delivered (it no longer read its stdin)`);
    on?.closed(failure);
  });

  return {
    label,
    idleText: `traffic with ${label}`,
    datagram: false,
    lossy: false,
    attach(events) { on = events; },
    write(chunk) {
      if (stdinGone || closing || !stdin.writable) {
        dropped += chunk.length;
        return true;
      }
      lastIO = Date.now();
      written += chunk.length;
      stdin.write(chunk);
      return stdin.writableLength < QUEUE_LIMIT;
    },
    get writable() { return !closing && !stdinGone && stdin.writable && stdin.writableLength < QUEUE_LIMIT; },
    end() {
      inputDone = true;
      if (!stdin.writableEnded && !stdin.destroyed) stdin.end();
    },
    close(reason, flush) {
      if (closing || over) return;
      closing = true;
      // Its input is complete (the peer's FIN came): what it was sent is its own, so it gets it all and a grace to
      // finish with it. Otherwise (a reset, -i) it is ended now.
      const finishing = inputDone && reason !== 'timeout';
      if (finishing || flush) stdin.end();
      else stdin.destroy();
      stdout.destroy();
      if (exited) return;
      if (!finishing) return terminate();
      whenFlushed(stdin, () => {
        if (!exited) killTimer = setTimeout(terminate, KILL_GRACE_MS);
      });
    },
    pause: () => { if (!stdout.destroyed) stdout.pause(); },
    resume: () => { if (!stdout.destroyed) stdout.resume(); },
    get queued() { return stdin.writableLength; },
    get bytesOut() { return written - stdin.writableLength; },
    get idleTime() { return Date.now() - lastIO; },
  };
}
