// Received and read buffers live outside V8's heap, and V8 only collects them once ~64 MB of them have piled up:
// a bulk transfer's RSS would climb by that much. A minor GC every few MiB of churn frees them while they are young.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Bytes of short-lived buffers between two minor collections. */
export const RECLAIM_EVERY = 4 * 1024 * 1024;

type Gc = (options: { type: 'minor' | 'major' }) => void;
let gc: Gc | null | undefined;
let churned = 0;

function exposeGc(): Gc | null {
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    return typeof fn === 'function' ? (fn as Gc) : null;
  } catch {
    return null;
  }
}

/** Count `bytes` of buffers that die young (a received chunk, a stdin read); collect them now and then. */
export function churn(bytes: number): void {
  churned += bytes;
  if (churned < RECLAIM_EVERY) return;
  churned = 0;
  gc ??= exposeGc();
  gc?.({ type: 'minor' });
}
