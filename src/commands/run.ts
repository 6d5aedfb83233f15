// mona-nc run <script> [args...]: a MonaServer Lua socket script, unchanged, or a JS/TS one, on the same mona API.
import type { Argv, CommandModule } from 'yargs';
import type { Flag } from './flag-row.js';
import { FLAGS, withFlags } from './flags.js';

interface Args { script: string }

/** Options of ours that take a value: the script starts at the first word that is neither an option nor one. */
const VALUED = new Set((FLAGS as readonly Flag[]).filter((f) => f.kind === 'value' && f.commands.includes('run')).map((f) => `--${f.long}`));

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

export function runCommandModule(scriptArgs: readonly string[]): CommandModule<object, Args> {
  return {
    command: 'run <script> [args..]',
    describe: 'run a Mona socket script: .lua (MonaServer\'s, unchanged), .js, .mjs or .ts, with a global `mona`',
    builder: (y: Argv) => withFlags(y, 'run')
      .positional('script', { type: 'string', demandOption: true, describe: 'the script; what follows it is its own arguments (Lua: arg, ...; JS: args)' })
      .example('$0 run examples/seed-tcp-server.lua', 'the seed\'s echo server on port 1234')
      .example('$0 run fake-server.ts', 'a TypeScript fixture, no build step') as unknown as Argv<Args>,
    handler: async (argv) => (await import('./run-command.js')).runCommand('run', argv, async (session, s) => {
      // MonaServer shows INFO by default and scripts log their payloads with INFO(...): theirs show unless a flag
      // chose a level; mona-nc's own lifecycle lines stay at -v.
      const chosen = s.verbose > 0 || s.quiet === true || s.logLevel !== undefined;
      const { runScript } = await import('../script/script.js');
      return runScript(session, argv.script, {
        args: scriptArgs, onDataReturn: s.onData, stacks: s.verbose >= 3, handlerTimeout: s.handlerTimeout, sendCap: s.sendCap,
        scriptMemory: s.scriptMemory, scriptLevel: chosen ? session.log.level : 'INFO',
      });
    }),
  };
}
