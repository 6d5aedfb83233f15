// Unix socket files of a TCPServer: a stale one (its server crashed) is replaced, a live one refused ("address in
// use"), and ours is removed at exit even when the process ends without stopping the server. Abstract names have no file.
import { lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import type { UnixAddress } from './address.js';

const addressInUse = (): Error => Object.assign(new Error('address in use'), { code: 'EADDRINUSE' });

/** Make way for a listener on `address`: nothing there, or a socket file nobody answers on (then removed). */
export async function clearStale(address: UnixAddress): Promise<void> {
  if (address.path.startsWith('\0')) return;
  let isSocket: boolean;
  try {
    isSocket = lstatSync(address.path).isSocket();
  } catch {
    return;
  }
  // A file that is not a socket is never ours to remove.
  if (!isSocket) throw addressInUse();
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect({ path: address.path });
    probe.once('connect', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  });
  if (live) throw addressInUse();
  unlinkSync(address.path);
}

// Socket files we created, by path, with their inode: removed at exit only if still ours.
const ours = new Map<string, number>();
let hooked = false;

/** Remove the socket file at `address` when the process exits (if a later run has not replaced it). */
export function removeOnExit(address: UnixAddress): void {
  if (address.path.startsWith('\0')) return;
  try {
    ours.set(address.path, lstatSync(address.path).ino);
  } catch {
    return;
  }
  if (hooked) return;
  hooked = true;
  process.once('exit', () => {
    for (const [path, ino] of ours) {
      try {
        if (lstatSync(path).ino === ino) unlinkSync(path);
      } catch { /* already gone */ }
    }
  });
}

/** The server closed (Node removed the file itself). */
export const forget = (address: UnixAddress): boolean => ours.delete(address.path);
