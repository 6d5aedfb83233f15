// What /proc says about a child process: peak RSS, open file descriptors. Linux only; undefined elsewhere.
import { readdirSync, readFileSync } from 'node:fs';

/** Peak resident set size (VmHWM) in bytes, or undefined once the process is gone. */
export function peakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Sample a process's peak RSS every 25 ms until `stop()`; the highest value seen (0 if none). */
export function watchPeakRss(pid: number): () => number {
  let peak = 0;
  const sample = (): void => { peak = Math.max(peak, peakRss(pid) ?? 0); };
  sample();
  const timer = setInterval(sample, 25);
  return () => {
    sample();
    clearInterval(timer);
    return peak;
  };
}

/** Open file descriptors of a process, or undefined when /proc cannot tell. */
export function openFds(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** Whether /proc is there to read (the fd and RSS checks skip without it). */
export const hasProc = (): boolean => openFds(process.pid) !== undefined;
