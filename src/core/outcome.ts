// How a session ended, and the one table from its reason to the exit code: modes return reasons, never numbers.
import { constants } from 'node:os';
import { EXIT, reasonOf, type ExitReason } from '../mona/errors.js';

/** How a session ended: the JSON exit reason, the one ERROR line of a failure, and the signal that ended it. */
export interface Outcome {
  readonly reason: ExitReason;
  readonly error?: string | undefined;
  readonly signal?: NodeJS.Signals | undefined;
  /** For a usage error: the line after the ERROR that says what to type instead. */
  readonly hint?: string | undefined;
  /** An exit status chosen by the session itself (a script's os.exit(code)), over the table's. */
  readonly code?: number | undefined;
}

export const DONE: Outcome = { reason: 'done' };

/** Bad usage (unknown flag, bad port, conflicting options): exit 2 with one ERROR line and a hint line. */
export class UsageError extends Error {
  override name = 'UsageError';
  /** What to type instead ("did you mean: mona-nc tcp-client 127.0.0.1 80"); default: a pointer to --help. */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/** The exit code of an outcome: 0 done, 2 usage, 128 + N for signal N (130 SIGINT, 143 SIGTERM), 1 any failure. */
export function exitCode(outcome: Outcome): number {
  if (outcome.code !== undefined) return outcome.code;
  if (outcome.reason === 'done') return EXIT.OK;
  if (outcome.reason === 'usage') return EXIT.USAGE;
  if (outcome.reason === 'signal') return 128 + (constants.signals[outcome.signal ?? 'SIGTERM'] ?? 15);
  return EXIT.FAILURE;
}

/** The outcome of an exception: usage errors are usage, MonaErrors carry their cause, anything else is a failure. */
export function outcomeOf(err: unknown): Outcome {
  if (err instanceof UsageError) return { reason: 'usage', error: err.message, hint: err.hint };
  return { reason: reasonOf(err), error: err instanceof Error ? err.message : String(err) };
}
