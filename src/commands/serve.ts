// What tcp-server and udp bind share: listen on the row's address, then run the mode the flags chose.
import type { Outcome } from '../core/outcome.js';
import type { Session } from '../core/session.js';
import type { Transport } from '../transports/contract.js';
import type { Settings } from './flags.js';
import { tapListener } from './taps.js';

/**
 * `[address] <port>` as yargs fills it: the required `port` gets the first word and `address` the second, so one
 * word is a port (or host:port) and two are a host and a port.
 */
export async function serve(session: Session, transport: Transport, argv: { address?: string | undefined; port: string }, s: Settings): Promise<Outcome> {
  const where = transport.listenAddress(argv.port, argv.address, s);
  const listener = tapListener(await transport.listen(session, where, s), session, s);
  if (s.mode === 'echo') return (await import('../modes/echo.js')).echo(session, listener, s);
  if (s.mode === 'fan-out') return (await import('../modes/fan-out.js')).fanOut(session, listener, s);
  return (await import('../modes/pipe.js')).pipeFirst(session, listener, s);
}
