// Every command ends here: one ERROR line for a failure, the exit event, stdout flushed, then the exit code.
import { configureLog, type Logger, type LoggerOptions } from '../log.js';
import { EXIT, reasonOf, type ExitReason } from '../mona/errors.js';
import { createStdio, type Stdio } from '../modes/stdio.js';
import type { Progress } from '../modes/progress.js';
import { logOptions, type LogArgs, type ProgressArgs } from './options.js';
import { UsageError } from './usage.js';

/** How a session ended: the exit code, its JSON reason, and the one ERROR line of a failure. */
export interface Outcome {
  code: number;
  reason: ExitReason;
  error?: string | undefined;
}

export const DONE: Outcome = { code: EXIT.OK, reason: 'done' };

export { UsageError };

export interface Context {
  readonly log: Logger;
  readonly stdio: Stdio;
  /** What SIGINT/SIGTERM must do in this session: close cleanly, then settle with the outcome given. */
  onSignal(fn: (outcome: Outcome) => void): void;
}

const SIGNALS = { SIGINT: EXIT.SIGINT, SIGTERM: EXIT.SIGTERM } as const;
// A session that does not close within this after a signal is cut short.
const SIGNAL_GRACE_MS = 3000;

/** The outcome of an exception: MonaErrors carry their cause, anything else is a runtime failure. */
export function failure(err: unknown): Outcome {
  if (err instanceof UsageError) return { code: EXIT.USAGE, reason: 'usage', error: err.message };
  return { code: EXIT.FAILURE, reason: reasonOf(err), error: err instanceof Error ? err.message : String(err) };
}

let progress: Progress | undefined;

export async function runCommand(argv: LogArgs & ProgressArgs, work: (ctx: Context) => Promise<Outcome>): Promise<void> {
  let options: LoggerOptions;
  try {
    options = logOptions(argv);
  } catch (err) {
    return finish(configureLog({ format: argv.logFormat === 'json' ? 'json' : 'text' }), undefined, failure(err), undefined);
  }
  const stdio = createStdio();
  // A live line on a terminal's stderr; not when stdout is that terminal too (received bytes would mix with it).
  if (argv.progress && options.format !== 'json' && process.stderr.isTTY && !process.stdout.isTTY) {
    progress = (await import('../modes/progress.js')).startProgress(process.stderr, stdio);
    options = { ...options, sink: progress.sink };
  }
  const log = configureLog(options);
  let onSignal: ((outcome: Outcome) => void) | undefined;
  let signals = 0;
  const signalled = (name: keyof typeof SIGNALS): void => {
    const outcome: Outcome = { code: SIGNALS[name], reason: 'signal' };
    // A second signal, or a first one while stdout is still draining to a stuck reader: exit now.
    if (signals++ > 0 || finishing) return forceExit(log, outcome);
    setTimeout(() => forceExit(log, outcome), SIGNAL_GRACE_MS).unref();
    const settle = onSignal;
    onSignal = undefined;
    if (settle) settle(outcome);
    else void finish(log, stdio, outcome, undefined);
  };
  for (const name of Object.keys(SIGNALS) as Array<keyof typeof SIGNALS>) process.on(name, () => signalled(name));
  let outcome: Outcome;
  try {
    outcome = await work({ log, stdio, onSignal: (fn) => { onSignal = fn; } });
  } catch (err) {
    outcome = failure(err);
    return finish(log, stdio, outcome, argv.verbose !== undefined && argv.verbose >= 3 ? err : undefined);
  }
  return finish(log, stdio, outcome, undefined);
}

/** A usage error found by the parser itself (unknown flag, missing argument): exit 2. */
export function usageFailure(message: string, format: unknown): Promise<void> {
  const log = configureLog({ format: format === 'json' ? 'json' : 'text' });
  return finish(log, undefined, failure(new UsageError(message)), undefined);
}

let finishing = false;
async function finish(log: Logger, stdio: Stdio | undefined, outcome: Outcome, err: unknown): Promise<void> {
  if (finishing) return;
  finishing = true;
  progress?.stop();
  if (outcome.error !== undefined) {
    log.log('ERROR', outcome.error);
    if (err instanceof Error && err.stack) log.log('TRACE', err.stack);
    if (outcome.code === EXIT.USAGE && log.format === 'text') process.stderr.write("Try 'mona-nc --help' for the commands and their options.\n");
  }
  writeExit(log, outcome);
  await stdio?.flush();
  await drained(process.stderr);
  process.exit(outcome.code);
}

/** Exit without waiting for stdout: the user asked twice, or the grace after a signal is over. */
function forceExit(log: Logger, outcome: Outcome): void {
  writeExit(log, outcome);
  process.exit(outcome.code);
}

let exitWritten = false;
// The exit event: always in JSON; in text only for a success (a failure is its single ERROR line).
function writeExit(log: Logger, outcome: Outcome): void {
  if (exitWritten || (log.format !== 'json' && outcome.code !== EXIT.OK)) return;
  exitWritten = true;
  log.event('exit', { code: outcome.code, reason: outcome.reason }, `exit ${outcome.code} (${outcome.reason})`);
}

const drained = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => {
  if (stream.writableLength === 0) return resolve();
  stream.write('', () => resolve());
});
