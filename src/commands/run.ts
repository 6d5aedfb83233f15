// mona-nc run <script> [args...]: a MonaServer Lua socket script, unchanged, or a JS/TS one, on the same mona API.
import type { Argv, CommandModule } from 'yargs';
import { parseSeconds, type LogArgs } from './options.js';
import { UsageError } from './usage.js';

interface Args extends LogArgs {
  script: string;
  onData?: string | undefined;
  handlerTimeout?: string | undefined;
  sendCap?: string | undefined;
  scriptMemory?: string | undefined;
}

/** Options of ours that take a value: the script starts at the first word that is neither an option nor one. */
const VALUED = new Set(['--log-level', '--log-format', '--on-data', '--handler-timeout', '--send-cap', '--script-memory']);

const MiB = 1024 * 1024;
/** The limits of a script run, and why: docs/scripts.md. */
export const RUN_DEFAULTS = { handlerTimeout: '5s', sendCap: 64 * MiB, scriptMemory: 512 * MiB } as const;

/**
 * Split argv at the script of `run`: everything after the script belongs to it, options included (as with `node`).
 * Returns argv for yargs and the script's arguments.
 */
export function splitScriptArgs(argv: readonly string[]): { argv: string[]; scriptArgs: string[] } {
  const run = argv.indexOf('run');
  if (run < 0 || argv.slice(0, run).some((a) => !a.startsWith('-'))) return { argv: [...argv], scriptArgs: [] };
  for (let i = run + 1; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') return { argv: [...argv.slice(0, i), ...argv.slice(i + 1, i + 2)], scriptArgs: argv.slice(i + 2) };
    if (VALUED.has(a)) { i++; continue; }
    if (!a.startsWith('-') || a === '-') return { argv: argv.slice(0, i + 1), scriptArgs: argv.slice(i + 1) };
  }
  return { argv: [...argv], scriptArgs: [] };
}

/** A size in bytes: "65536", "64k", "64M", "1G" (K, M, G are powers of 1024; a trailing "iB" or "B" is allowed). */
export function parseBytes(flag: string, text: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmg])(?:i?b)?|b)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`${flag} ${text}: not a size (BYTES, or with K, M, G)`);
  const unit = { k: 1024, m: MiB, g: 1024 * MiB }[(m[2] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < min) throw new UsageError(`${flag} ${text}: too small (at least ${min} bytes)`);
  if (bytes > max) throw new UsageError(`${flag} ${text}: too large (at most ${max} bytes)`);
  return bytes;
}

export function runCommandModule(scriptArgs: readonly string[]): CommandModule<object, Args> {
  return {
    command: 'run <script> [args..]',
    describe: 'run a Mona socket script: .lua (MonaServer\'s, unchanged), .js, .mjs or .ts, with a global `mona`',
    builder: (y: Argv) => y
      .positional('script', { type: 'string', demandOption: true, describe: 'the script; what follows it is its own arguments (Lua: arg, ...; JS: args)' })
      .option('on-data', { type: 'string', choices: ['rest', 'consumed'], describe: "how onData's return value reads: the documented rest (default) or MonaServer 1.x's bytes consumed" })
      .option('handler-timeout', { type: 'string', describe: 'stop a Lua handler that runs longer than SECS with an ERROR, the script goes on (default 5s; 0: never)' })
      .option('send-cap', { type: 'string', describe: 'close a socket whose send queue passes BYTES with an ERROR (default 64M)' })
      .option('script-memory', { type: 'string', describe: 'cap the Lua heap at BYTES: past it a handler fails with "not enough memory" (default 512M)' })
      .example('$0 run examples/tcp-echo-server.lua 1234', 'the seed\'s echo server on port 1234')
      .example('$0 run fake-server.ts', 'a TypeScript fixture, no build step') as unknown as Argv<Args>,
    handler: async (argv) => (await import('./run-command.js')).runCommand(argv, async (ctx) => {
      const onDataReturn = argv.onData === 'consumed' ? 'consumed' : 'rest';
      if (argv.onData !== undefined && argv.onData !== 'rest' && argv.onData !== 'consumed') throw new UsageError(`--on-data ${argv.onData}: rest or consumed`);
      const handlerTimeout = parseSeconds('--handler-timeout', argv.handlerTimeout ?? RUN_DEFAULTS.handlerTimeout) ?? 0;
      const sendCap = parseBytes('--send-cap', argv.sendCap, 1024) ?? RUN_DEFAULTS.sendCap;
      // The Lua runtime starts with 16 MiB of WebAssembly memory and cannot address more than 2 GiB.
      const scriptMemory = parseBytes('--script-memory', argv.scriptMemory, 32 * MiB, 2048 * MiB) ?? RUN_DEFAULTS.scriptMemory;
      // MonaServer shows INFO by default and scripts log their payloads with INFO(...): theirs show unless a flag
      // chose a level; mona-nc's own lifecycle lines stay at -v.
      const chosen = (argv.verbose ?? 0) > 0 || argv.quiet || argv.logLevel !== undefined;
      const { runScript } = await import('../script/script.js');
      return runScript(ctx, argv.script, {
        args: scriptArgs, onDataReturn, stacks: (argv.verbose ?? 0) >= 3, handlerTimeout, sendCap, scriptMemory,
        scriptLevel: chosen ? ctx.log.level : 'INFO',
      });
    }),
  };
}
