// Every command ends here: its flags checked, one ERROR line for a failure, the exit event, stdout flushed, then
// the exit code of the outcome table.
import { configureLog, type Logger, type LoggerOptions } from '../log.js';
import { exitCode, outcomeOf, UsageError, type Outcome } from '../core/outcome.js';
import { SIGNAL_GRACE_MS, type Session } from '../core/session.js';
import { createStdio, type Stdio } from '../core/stdio.js';
import type { Progress } from '../taps/progress.js';
import type { CommandName } from './flag-row.js';
import { logOptions, readSettings, type Settings } from './flags.js';

// SIGHUP (the terminal went away) ends a session as SIGTERM does: a clean close, exit 129.
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

let progress: Progress | undefined;

export async function runCommand(command: CommandName, argv: Readonly<Record<string, unknown>>, work: (session: Session, settings: Settings) => Promise<Outcome>): Promise<void> {
  let settings: Settings;
  let options: LoggerOptions;
  try {
    settings = readSettings(command, argv);
    options = logOptions(settings);
  } catch (err) {
    return finish(configureLog({ format: argv.logFormat === 'json' ? 'json' : 'text' }), undefined, outcomeOf(err), undefined);
  }
  const stdio = createStdio();
  // A live line on a terminal's stderr; not when stdout is that terminal too (received bytes would mix with it).
  if (settings.progress && options.format !== 'json' && process.stderr.isTTY && !process.stdout.isTTY) {
    progress = (await import('../taps/progress.js')).startProgress(process.stderr, stdio);
    options = { ...options, sink: progress.sink };
  }
  const log = configureLog(options);
  let onSignal: ((outcome: Outcome) => void) | undefined;
  let signals = 0;
  const signalled = (signal: (typeof SIGNALS)[number]): void => {
    const outcome: Outcome = { reason: 'signal', signal };
    // A second signal, or a first one while stdout is still draining to a stuck reader: exit now.
    if (signals++ > 0 || finishing) return forceExit(log, outcome);
    setTimeout(() => forceExit(log, outcome), SIGNAL_GRACE_MS).unref();
    const settle = onSignal;
    onSignal = undefined;
    if (settle) settle(outcome);
    else void finish(log, stdio, outcome, undefined);
  };
  for (const name of SIGNALS) process.on(name, () => signalled(name));
  let outcome: Outcome;
  try {
    outcome = await work({ log, stdio, onSignal: (fn) => { onSignal = fn; } }, settings);
    // A tap's verdict (--expect-bytes) turns a clean end into a failure.
    outcome = (await import('./taps.js')).judge(outcome, settings);
  } catch (err) {
    return finish(log, stdio, outcomeOf(err), settings.verbose >= 3 ? err : undefined);
  }
  return finish(log, stdio, outcome, undefined);
}

/** A usage error found before or by the parser (unknown flag, missing argument): exit 2. */
export function usageFailure(error: UsageError, format: unknown): Promise<void> {
  const log = configureLog({ format: format === 'json' ? 'json' : 'text' });
  return finish(log, undefined, outcomeOf(error), undefined);
}

let finishing = false;
async function finish(log: Logger, stdio: Stdio | undefined, outcome: Outcome, err: unknown): Promise<void> {
  if (finishing) return;
  finishing = true;
  progress?.stop();
  if (outcome.error !== undefined) {
    log.log('ERROR', outcome.error);
    if (err instanceof Error && err.stack) log.log('TRACE', err.stack);
    if (outcome.reason === 'usage' && log.format === 'text') process.stderr.write(`${outcome.hint ?? "Try 'mona-nc --help' for the commands and their options."}\n`);
  }
  writeExit(log, outcome);
  await stdio?.flush();
  await drained(process.stderr);
  process.exit(exitCode(outcome));
}

/** Exit without waiting for stdout: the user asked twice, or the grace after a signal is over. */
function forceExit(log: Logger, outcome: Outcome): void {
  writeExit(log, outcome);
  process.exit(exitCode(outcome));
}

let exitWritten = false;
// The exit event: always in JSON; in text only for a success (a failure is its single ERROR line).
function writeExit(log: Logger, outcome: Outcome): void {
  const code = exitCode(outcome);
  if (exitWritten || (log.format !== 'json' && code !== 0)) return;
  exitWritten = true;
  log.event('exit', { code, reason: outcome.reason }, `exit ${code} (${outcome.reason})`);
}

const drained = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => {
  if (stream.writableLength === 0) return resolve();
  stream.write('', () => resolve());
});
