// --max-conns, --allow, --deny: a listener whose peers are checked as they come, before any mode (or tap) sees them,
// so every server mode gets them without knowing. A refused peer is closed at once with a WARN.
import { readFile } from 'node:fs/promises';
import { admission, parseAccessFile, type AccessEntry, type Admit } from '../core/access.js';
import type { Endpoint, Listener } from '../core/endpoint.js';
import { UsageError } from '../core/outcome.js';
import type { Session } from '../core/session.js';
import { causeOf } from '../mona/errors.js';
import { observe } from '../taps/observe.js';
import type { Settings } from './flags.js';

/** UDP senders warned about, at most: a refused sender's every datagram would otherwise be a WARN. */
const WARNED_MAX = 1024;

async function fileEntries(flag: string, file: string | undefined): Promise<AccessEntry[]> {
  if (file === undefined) return [];
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${flag} ${file}: ${causeOf(err)}`);
  }
  return parseAccessFile(content, flag, file);
}

/** The check the flags ask for, ready before listening (files read, names resolved), or undefined for none. */
export async function accessGuard(s: Settings): Promise<((listener: Listener, session: Session) => Listener) | undefined> {
  const allow = [...s.allow, ...(await fileEntries('--allowfile', s.allowfile))];
  const deny = [...s.deny, ...(await fileEntries('--denyfile', s.denyfile))];
  const admit = await admission(allow, deny);
  // An --allowfile with no entry allows nobody (an empty list is not "no list").
  const none: Admit | undefined = s.allowfile !== undefined && allow.length === 0 ? () => 'not in --allowfile (it is empty)' : undefined;
  const check = none ?? admit;
  if (!check && s.maxConns === undefined) return undefined;
  return (listener, session) => guard(listener, session, check, s.maxConns);
}

function guard(listener: Listener, session: Session, admit: Admit | undefined, maxConns: number | undefined): Listener {
  let open = 0;
  const warned = new Set<string>();
  const refuse = (peer: Endpoint, why: string): void => {
    // A TCP peer is one WARN a connection; a UDP sender one WARN until it has been quiet (forgotten) a while.
    if (!listener.datagram || !warned.has(peer.label)) session.log.log('WARN', `refused ${peer.label}: ${why}`);
    if (listener.datagram) {
      if (warned.size >= WARNED_MAX) warned.clear();
      warned.add(peer.label);
    }
    peer.close('local', false);
  };
  return {
    ...listener,
    take(fn) {
      listener.take(fn && ((peer) => {
        const host = peer.peerAddress?.host;
        const why = admit && (host === undefined ? 'its address is unknown' : admit(host));
        if (why) return refuse(peer, why);
        if (maxConns !== undefined && open >= maxConns) return refuse(peer, `--max-conns ${maxConns} reached`);
        open++;
        fn(observe(peer, { closed: () => { open--; } }));
      }));
    },
  };
}
