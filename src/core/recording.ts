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

/** One side's part of a recorded connection: what it sends, what it waits for, in order. */
export type Step =
  | { readonly kind: 'send'; readonly at: number; readonly data: Buffer }
  | { readonly kind: 'expect'; readonly at: number; readonly data: Buffer }
  | { readonly kind: 'end'; readonly at: number };

export interface Script {
  readonly transport: 'tcp' | 'udp';
  readonly steps: readonly Step[];
  /** Connections in the file past the one played. */
  readonly others: number;
}

/**
 * The first connection of a recording as `play` (the client or the server) sees it: the chunks that side sent become
 * `send` steps, the other side's become `expect` steps, that side's EOF an `end`; `at` is ms since the connection opened.
 */
export function scriptOf(text: string, file: string, play: 'client' | 'server'): Script {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let open: Extract<RecordLine, { type: 'open' }> | undefined;
  const ids = new Set<number>();
  const steps: Step[] = [];
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
    if (line.type === 'data') steps.push({ kind: mine(line.dir) ? 'send' : 'expect', at, data: Buffer.from(line.data, 'base64') });
    else if (line.type === 'eof' && mine(line.dir)) steps.push({ kind: 'end', at });
  }
  if (!open) throw new UsageError(`${file}: no connection in this recording`);
  if (open.transport !== 'tcp' && open.transport !== 'udp') throw new UsageError(`${file}: unknown transport ${String(open.transport)}`);
  return { transport: open.transport, steps, others: ids.size - 1 };
}
