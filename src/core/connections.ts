// The connections open now, for SIGUSR1's statistics (as socat 1.8's): SIGUSR1 prints each one's byte counts and
// age at NOTE. Loaded first by the CLI, so that from its first moment SIGUSR1 is ours: Node would otherwise open its
// inspector on 127.0.0.1:9229, where any local user could run code as this process.
import { logger } from '../log.js';

interface Open {
  readonly id: number;
  readonly peer: string;
  readonly since: number;
  bytesIn(): number;
  bytesOut(): number;
}

const open = new Set<Open>();

/** Count a connection as open until the returned function is called (at its `closed` event). */
export function track(connection: Open): () => void {
  open.add(connection);
  return () => open.delete(connection);
}

/** One NOTE per open connection: "#1 127.0.0.1:5000: 10 bytes in, 20 bytes out, 3.2 s". */
export function report(): void {
  const log = logger();
  if (open.size === 0) return log.log('NOTE', 'statistics: no open connection');
  const now = Date.now();
  for (const c of open) log.log('NOTE', `statistics #${c.id} ${c.peer}: ${c.bytesIn()} bytes in, ${c.bytesOut()} bytes out, ${((now - c.since) / 1000).toFixed(1)} s`);
}

process.on('SIGUSR1', report);
