// `mona-nc run`: the engine a file asks for, and the loop that runs it until its work is done.
import { extname } from 'node:path';
import { MonaError } from '../mona/errors.js';
import { observers } from '../mona/observe.js';
import { createLogger } from '../log.js';
import { listening } from '../core/events.js';
import { DONE, UsageError, type Outcome } from '../core/outcome.js';
import { SIGNAL_GRACE_MS, type Session } from '../core/session.js';
import type { EngineOptions, Script, ScriptOptions, ScriptOutput } from './engine.js';
import { watchSignals } from './watchdog.js';

/** Send queue past which a script's socket stops being read until it drains (as --echo does). */
const SEND_HIGH_WATER = 256 * 1024;

const ENGINES: Record<string, 'lua' | 'js'> = { '.lua': 'lua', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.ts': 'js', '.mts': 'js', '.cts': 'js' };

/** Load the engine a file's extension asks for (lazily: `--help` never pays for Lua or TypeScript). */
async function load(file: string, options: EngineOptions): Promise<Script> {
  const engine = ENGINES[extname(file).toLowerCase()];
  if (!engine) throw new UsageError(`${file}: not a script mona-nc runs (.lua, .js, .mjs, .ts)`);
  if (engine === 'lua') {
    return (await import('./lua.js')).loadLua(file, {
      onDataReturn: options.onDataReturn, args: options.args, tracebacks: options.stacks, handlerTimeout: options.handlerTimeout,
      memoryCap: options.scriptMemory, client: options.client, log: options.log, output: options.output,
    });
  }
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
  // Signals are also watched from a thread of their own, in case a handler never gives the main thread back. Its
  // start-up overlaps the engine's loading.
  watchSignals(SIGNAL_GRACE_MS, ctx.log.format);
  let exited: Outcome | undefined;
  let onExit: ((outcome: Outcome) => void) | undefined;
  const output: ScriptOutput = {
    stdout: (chunk) => ctx.stdio.write(chunk),
    onDrain: (fn) => ctx.stdio.onDrain(fn),
    stderr: (chunk) => { process.stderr.write(chunk); },
    exit: (code) => {
      exited ??= { code, reason: code === 0 ? 'done' : 'script' };
      onExit?.(exited);
    },
  };
  const log = createLogger({ level: options.scriptLevel, format: ctx.log.format, stacks: options.stacks });
  const client = { sendCap: options.sendCap, sendHighWater: Math.min(SEND_HIGH_WATER, options.sendCap) };
  let script: Script;
  try {
    script = await load(file, { ...options, log, output, client });
    await script.main();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as { code?: string }).code;
    const message = code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES'
      ? `Unable to read ${file} (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : 'permission denied'})`
      : (err as Error).message;
    return { reason: 'script', error: err instanceof MonaError || code ? message : String(err) };
  }
  if (exited) return exited;
  return new Promise((resolve) => {
    let ending = false;
    const end = (outcome: Outcome, stop = true): void => {
      if (ending) return;
      ending = true;
      process.off('beforeExit', natural);
      if (stop) void script.stop().then(() => resolve(outcome));
      else resolve(outcome);
    };
    // os.exit(code): no onStop, as the process of a C program ends (stdout is still flushed).
    onExit = (outcome) => end(outcome, false);
    // Nothing left to wait for: the script's work is done (onStop still runs, as at a MonaServer shutdown).
    const natural = (): void => end(DONE);
    process.on('beforeExit', natural);
    ctx.onSignal(end);
  });
}
