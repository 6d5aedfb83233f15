// What tcp-server and udp bind share: listen on the row's address, then run the mode the flags chose.
import type { Outcome } from '../core/outcome.js';
import type { Session } from '../core/session.js';
import type { Transport } from '../transports/contract.js';
import { TRANSPORTS } from '../transports/index.js';
import type { Settings } from './flags.js';
import { tapListener } from './taps.js';

export async function serve(session: Session, transport: Transport, argv: { address: string; port?: string | undefined }, s: Settings): Promise<Outcome> {
  const listener = tapListener(await transport.listen(session, transport.listenAddress(argv.address, argv.port, s), s), session, s);
  if (s.mode === 'echo') return (await import('../modes/echo.js')).echo(session, listener, s);
  if (s.mode === 'http-proxy') return (await import('../modes/http-proxy.js')).httpProxy(session, listener, s, (host, port) => TRANSPORTS.tcp.connect(session, { kind: 'inet', host, port }, { family: s.family }));
  if (s.mode === 'fan-out') return (await import('../modes/fan-out.js')).fanOut(session, listener, s);
  return (await import('../modes/pipe.js')).pipeFirst(session, listener, s);
}
