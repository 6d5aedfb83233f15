// What a command's work gets from the process: the logger, stdin/stdout, and the one hook a signal calls.
import type { Logger } from '../log.js';
import type { Outcome } from './outcome.js';
import type { Stdio } from './stdio.js';

export interface Session {
  readonly log: Logger;
  readonly stdio: Stdio;
  /** What SIGINT/SIGTERM/SIGHUP must do now: close cleanly, then settle with the outcome given (the last one set wins). */
  onSignal(fn: (outcome: Outcome) => void): void;
}

/** After a signal, how long a clean close may take before the process is ended anyway (the script watchdog too). */
export const SIGNAL_GRACE_MS = 3000;
