// One table of failure causes: the words we print, the exit status and the JSON exit reason.

export const EXIT = { OK: 0, FAILURE: 1, USAGE: 2, SIGINT: 130, SIGTERM: 143 } as const;

export type ExitReason =
  | 'done' | 'refused' | 'unreachable' | 'timeout' | 'dns' | 'in-use' | 'denied' | 'reset' | 'usage' | 'script' | 'signal' | 'io';

interface Cause { readonly text: string; readonly reason: ExitReason }

// errno (or our own) code -> cause. describeError() is the only place errno text is produced.
const CAUSES: Readonly<Record<string, Cause>> = {
  ECONNREFUSED: { text: 'connection refused', reason: 'refused' },
  ECONNRESET: { text: 'connection reset by peer', reason: 'reset' },
  EPIPE: { text: 'broken pipe', reason: 'reset' },
  ECONNABORTED: { text: 'connection aborted', reason: 'reset' },
  ETIMEDOUT: { text: 'timed out', reason: 'timeout' },
  EHOSTUNREACH: { text: 'host unreachable', reason: 'unreachable' },
  ENETUNREACH: { text: 'network unreachable', reason: 'unreachable' },
  EHOSTDOWN: { text: 'host is down', reason: 'unreachable' },
  ENETDOWN: { text: 'network is down', reason: 'unreachable' },
  EADDRNOTAVAIL: { text: 'address not available', reason: 'unreachable' },
  EAFNOSUPPORT: { text: 'address family not supported', reason: 'unreachable' },
  ENOTFOUND: { text: 'unknown host', reason: 'dns' },
  EAI_AGAIN: { text: 'name resolution failed, try again', reason: 'dns' },
  EAI_FAIL: { text: 'name resolution failed', reason: 'dns' },
  ENODATA: { text: 'unknown host', reason: 'dns' },
  EADDRINUSE: { text: 'address in use', reason: 'in-use' },
  EACCES: { text: 'permission denied', reason: 'denied' },
  EPERM: { text: 'operation not permitted', reason: 'denied' },
  EMSGSIZE: { text: 'message too long', reason: 'unreachable' },
  ENOBUFS: { text: 'no buffer space available', reason: 'unreachable' },
  EMFILE: { text: 'too many open files', reason: 'denied' },
  ENOSPC: { text: 'no space left on device', reason: 'io' },
  EIO: { text: 'input/output error', reason: 'io' },
  EISDIR: { text: 'is a directory', reason: 'io' },
  ENOENT: { text: 'no such file or directory', reason: 'io' },
  EFBIG: { text: 'file too large', reason: 'io' },
  EDQUOT: { text: 'disk quota exceeded', reason: 'io' },
  ERR_REST_OVERFLOW: { text: 'rest buffer over its cap', reason: 'script' },
  ERR_SEND_OVERFLOW: { text: 'send queue over its cap', reason: 'script' },
  ERR_SOCKET_DGRAM_NOT_RUNNING: { text: 'socket closed', reason: 'reset' },
};

/** An error with a code and, where one is involved, the address: Node's ExceptionWithHostPort, our words. */
export class MonaError extends Error {
  readonly code: string;
  readonly address: string | undefined;
  constructor(message: string, code: string, address?: string) {
    super(message);
    this.name = 'MonaError';
    this.code = code;
    this.address = address;
  }
}

const codeOf = (err: unknown): string => {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return 'EUNKNOWN';
};

/** The short cause of an error, e.g. "connection refused", as it goes between parentheses. */
export function causeOf(err: unknown): string {
  const known = CAUSES[codeOf(err)];
  if (known) return known.text;
  if (err instanceof Error) return err.message.replace(/^[A-Z_]+: /, '');
  return String(err);
}

/** The JSON exit reason for an error (falls back to `fallback` for causes we do not classify). */
export function reasonOf(err: unknown, fallback: ExitReason = 'unreachable'): ExitReason {
  return CAUSES[codeOf(err)]?.reason ?? fallback;
}

/** Why a connection closed, for the `closed` event: a clean end (no error code), a reset, a timeout, or an error. */
export function closeReasonOf(code: string | undefined): 'eof' | 'reset' | 'timeout' | 'error' {
  if (!code) return 'eof';
  const reason = CAUSES[code]?.reason;
  return reason === 'reset' || reason === 'timeout' ? reason : 'error';
}

/** "Unable to connect to 127.0.0.1:9 (connection refused)": one sentence naming the address and the cause. */
export function describeError(what: string, address: string, err: unknown): MonaError {
  const code = codeOf(err);
  return new MonaError(`${what} ${address} (${causeOf(err)})`, code, address);
}

export { codeOf };
