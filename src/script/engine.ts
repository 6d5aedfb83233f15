// What a script engine (Lua or JS/TS) is to `run`, what it gets, and how a script's sockets are closed at its end:
// apart from script.ts, which loads the engines (they need these, and it needs them).
import type { OnDataReturn, TCPClient, TCPServer, UDPSocket } from '../mona/index.js';
import type { LevelName, Logger } from '../log.js';

export interface Script {
  /** Run the main chunk / module body, then onStart; rejects with the script's error (file:line). */
  main(): Promise<void>;
  /** onStop, then close every socket of the script. */
  stop(): Promise<void>;
}

export interface ScriptOptions {
  args: readonly string[];
  onDataReturn: OnDataReturn;
  /** Tracebacks in error logs (-vvv). */
  stacks: boolean;
  /** Milliseconds a Lua handler may run before the watchdog stops it (--handler-timeout); 0: no limit. */
  handlerTimeout: number;
  /** Bytes the Lua runtime's memory may grow to (--script-memory). */
  scriptMemory: number;
  /** Bytes a socket's send queue may hold before it is closed with an ERROR (--send-cap). */
  sendCap: number;
  /** The level of the script's own log functions: INFO by default under `run`, as MonaServer shows. */
  scriptLevel: LevelName;
}

/** Where a script's output goes: stdout's bytes with backpressure, stderr, and os.exit(). */
export interface ScriptOutput {
  /** Bytes for stdout; false: its reader is behind, wait for onDrain. */
  stdout(chunk: Buffer): boolean;
  onDrain(fn: () => void): void;
  stderr(chunk: Buffer): void;
  exit(code: number): void;
}

/** What both engines get: the options, the script's logger, its output, and the options of its TCP sockets. */
export interface EngineOptions extends ScriptOptions {
  log: Logger;
  output: ScriptOutput;
  client: { sendCap: number; sendHighWater: number };
}

/** Any socket a script makes. */
export type AnySocket = TCPClient | TCPServer | UDPSocket;

/**
 * Close a script's sockets at its end: listeners and UDP sockets at once; TCP connections flush what was sent to
 * them and half-close, and are cut after `graceMs` if the peer does not close.
 */
export function closeAll(sockets: Iterable<AnySocket>, graceMs = 1000): Promise<void> {
  const open: TCPClient[] = [];
  for (const s of sockets) {
    if ('stop' in s) s.stop();
    else if ('idleTime' in s) {
      if (!s.connected) continue;
      s.disconnect();
      open.push(s);
    } else s.close();
  }
  if (!open.length) return Promise.resolve();
  return new Promise((resolve) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const late = Date.now() - started >= graceMs;
      if (late) for (const c of open) c.close();
      if (late || open.every((c) => !c.connected)) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
}
