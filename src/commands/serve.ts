// What tcp-server and udp bind share: listen on the row's address, then run the mode the flags chose.
import type { Listener } from '../core/endpoint.js';
import type { Outcome } from '../core/outcome.js';
import type { Session } from '../core/session.js';
import type { Transport } from '../transports/contract.js';
import type { ModeName } from './flag-row.js';
import type { Settings } from './flags.js';
import { tapListener } from './taps.js';

type Serve = (session: Session, listener: Listener, s: Settings) => Promise<Outcome>;

/** The mode's code, loaded before listening: its first peer is taken the moment it comes (a single-client server
 * closes its listener behind it at once). */
async function load(mode: ModeName): Promise<Serve> {
  if (mode === 'echo') return (await import('../modes/echo.js')).echo;
  if (mode === 'fan-out') return (await import('../modes/fan-out.js')).fanOut;
  if (mode === 'exec') return (await import('../modes/exec.js')).execServe;
  if (mode === 'broker') return (await import('../modes/broker.js')).broker;
  if (mode === 'chat') return (await import('../modes/broker.js')).chat;
  return (await import('../modes/pipe.js')).pipeFirst;
}

/**
 * `[address] <port>` as yargs fills it: the required `port` gets the first word and `address` the second, so one
 * word is a port (or host:port) and two are a host and a port.
 */
export async function serve(session: Session, transport: Transport, argv: { address?: string | undefined; port: string }, s: Settings): Promise<Outcome> {
  const where = transport.listenAddress(argv.port, argv.address, s);
  const mode = await load(s.mode);
  // Access rules are ready (files read, names resolved) before the port opens; refused peers are never tapped.
  const guard = await (await import('./access.js')).accessGuard(s);
  const listening = await transport.listen(session, where, s);
  const listener = tapListener(guard ? guard(listening, session) : listening, session, s);
  return mode(session, listener, s);
}
