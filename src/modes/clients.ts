// Per-connection bookkeeping shared by the modes: closed events, idle timers, flow limits, a clean close.
import type { TCPClient } from '../mona/index.js';
import type { Logger } from '../log.js';
import { closeReasonOf } from '../mona/errors.js';
import { closed } from './events.js';

/** Pause a producer while a socket's send queue holds this much; resume on its onFlush. */
export const QUEUE_LIMIT = 256 * 1024;

/** Call `onIdle` once `sinceActivity()` reaches `ms`; re-arms itself on activity. Returns the canceller. */
export function watchIdle(sinceActivity: () => number, ms: number | undefined, onIdle: () => void): () => void {
  if (ms === undefined || ms <= 0) return () => undefined;
  let timer: NodeJS.Timeout;
  const check = (): void => {
    const idle = sinceActivity();
    if (idle >= ms) onIdle();
    else timer = setTimeout(check, ms - idle);
  };
  timer = setTimeout(check, ms);
  return () => clearTimeout(timer);
}

export interface Watch {
  /** Close this client for a reason of ours ('timeout' for -i, 'local' otherwise). */
  close(reason: 'local' | 'timeout'): void;
}

/**
 * A server's client: its closed event, its idle timeout, and `gone()` once it is over. A failing client is a WARN,
 * never the server's failure.
 */
export function watchClient(log: Logger, client: TCPClient, id: number, idleTimeout: number | undefined, gone: () => void): Watch {
  const since = Date.now();
  const peer = client.peerAddress;
  let localReason: 'local' | 'timeout' | undefined;
  const close = (reason: 'local' | 'timeout'): void => {
    localReason ??= reason;
    client.close();
  };
  const cancelIdle = watchIdle(() => client.idleTime, idleTimeout, () => close('timeout'));
  client.onDisconnection = function (_peer, error) {
    cancelIdle();
    closed(log, { peer, id, bytesIn: this.bytesIn, bytesOut: this.bytesOut, since, reason: localReason ?? closeReasonOf(this.errorCode) });
    if (error && !localReason) log.log('WARN', error);
    gone();
  };
  return { close };
}

/** Flush what is queued, then close (a signal's clean end: data sent so far is not dropped). */
export function flushThenClose(client: TCPClient): void {
  client.disconnect();
  if (client.queueing === 0) client.close();
  else client.onFlush = function () { this.close(); };
}
