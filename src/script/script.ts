// What `mona-nc run` needs of a script engine (Lua or JS/TS), and the loop that runs one until its work is done.
import { extname } from 'node:path';
import type { OnDataReturn, TCPClient, TCPServer, UDPSocket } from '../mona/index.js';
import { MonaError } from '../mona/errors.js';
import { observers } from '../mona/observe.js';
import { listening } from '../core/events.js';
import { DONE, UsageError, type Outcome } from '../core/outcome.js';
import type { Session } from '../core/session.js';

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
}

const ENGINES: Record<string, 'lua' | 'js'> = { '.lua': 'lua', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.ts': 'js', '.mts': 'js', '.cts': 'js' };

/** Load the engine a file's extension asks for (lazily: `--help` never pays for Lua or TypeScript). */
async function load(file: string, options: ScriptOptions): Promise<Script> {
  const engine = ENGINES[extname(file).toLowerCase()];
  if (!engine) throw new UsageError(`${file}: not a script mona-nc runs (.lua, .js, .mjs, .ts)`);
  if (engine === 'lua') return (await import('./lua.js')).loadLua(file, { onDataReturn: options.onDataReturn, args: options.args, tracebacks: options.stacks });
  if (options.onDataReturn !== 'rest') throw new UsageError('--on-data consumed is for Lua scripts written for MonaServer 1.x');
  return (await import('./js.js')).loadJs(file, options);
}

/**
 * Run a script: it lives while any of its sockets or timers does (Node's own loop tells), and ends on SIGINT/SIGTERM
 * after onStop and closing its sockets.
 */
export async function runScript(ctx: Session, file: string, options: ScriptOptions): Promise<Outcome> {
  // A script's listeners announce their real address like the CLI's, so a shell test can read the port.
  observers.listening = (address, transport) => listening(ctx.log, address, transport);
  let script: Script;
  try {
    script = await load(file, options);
    await script.main();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as { code?: string }).code;
    const message = code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES'
      ? `Unable to read ${file} (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'permission denied'})`
      : (err as Error).message;
    return { reason: 'script', error: err instanceof MonaError || code ? message : String(err) };
  }
  return new Promise((resolve) => {
    let ending = false;
    const end = (outcome: Outcome): void => {
      if (ending) return;
      ending = true;
      process.off('beforeExit', natural);
      void script.stop().then(() => resolve(outcome));
    };
    // Nothing left to wait for: the script's work is done (onStop still runs, as at a MonaServer shutdown).
    const natural = (): void => end(DONE);
    process.on('beforeExit', natural);
    ctx.onSignal(end);
  });
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
