// The --record file: JSON lines, one per moment of a conversation, written by taps/record.ts and played back by
// replay (core/recorded.ts). Directions are the recorder's: `in` it received, `out` it sent; `role` says whether it
// was the client or the server, so either side can be played back.
import { UsageError } from './outcome.js';

/** Milliseconds since the recording started; `id` numbers the connections (a -k server records many). */
export type RecordLine =
  | { t: number; type: 'open'; id: number; transport: 'tcp' | 'udp'; role: 'client' | 'server'; peer: string }
  | { t: number; type: 'data'; id: number; dir: 'in' | 'out'; data: string }
  | { t: number; type: 'eof'; id: number; dir: 'in' | 'out' }
  | { t: number; type: 'close'; id: number; reason?: string };

/** What the played side does, in order: send a chunk, or finish sending (EOF); `needs` is how many of the other
 * side's chunks come before it in the recording (it waits for them), `at` ms since the connection opened. */
export interface Move {
  readonly kind: 'send' | 'end';
  readonly at: number;
  readonly data: Buffer;
  readonly needs: number;
}

/** A chunk the other side sent in the recording. */
export interface Expected {
  readonly at: number;
  readonly data: Buffer;
}

export interface Script {
  readonly transport: 'tcp' | 'udp';
  readonly moves: readonly Move[];
  readonly expected: readonly Expected[];
  /** Connections in the file past the one played. */
  readonly others: number;
}

/** The first connection of a recording as `play` (the client or the server) sees it. */
export function scriptOf(text: string, file: string, play: 'client' | 'server'): Script {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let open: Extract<RecordLine, { type: 'open' }> | undefined;
  const ids = new Set<number>();
  const moves: Move[] = [];
  const expected: Expected[] = [];
  for (const [i, raw] of lines.entries()) {
    let line: RecordLine;
    try {
      line = JSON.parse(raw) as RecordLine;
    } catch {
      throw new UsageError(`${file}:${i + 1}: not a JSON line`);
    }
    if (typeof line !== 'object' || line === null || typeof line.t !== 'number' || typeof line.id !== 'number') throw new UsageError(`${file}:${i + 1}: not a recording line`);
    ids.add(line.id);
    if (line.type === 'open' && !open) open = line;
    if (!open || line.id !== open.id) continue;
    const at = line.t - open.t;
    // The side played sent what the recorder sent if the recorder was that side, and received otherwise.
    const mine = (dir: 'in' | 'out'): boolean => (open?.role === play) === (dir === 'out');
    if (line.type === 'data') {
      const data = Buffer.from(String(line.data), 'base64');
      if (mine(line.dir)) moves.push({ kind: 'send', at, data, needs: expected.length });
      else expected.push({ at, data });
    } else if (line.type === 'eof' && mine(line.dir)) {
      moves.push({ kind: 'end', at, data: Buffer.alloc(0), needs: expected.length });
    }
  }
  if (!open) throw new UsageError(`${file}: no connection in this recording`);
  if (open.transport !== 'tcp' && open.transport !== 'udp') throw new UsageError(`${file}: unknown transport ${String(open.transport)}`);
  return { transport: open.transport, moves, expected, others: ids.size - 1 };
}
