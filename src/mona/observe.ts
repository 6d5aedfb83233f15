// Internal: lets a host (the script runner) see the listeners a script opens, to log "listening on ..." for them.
import type { SocketAddress } from './address.js';

export const observers: { listening?: ((address: SocketAddress, transport: 'tcp' | 'udp' | 'tls' | 'unix') => void) | undefined } = {};
