// mona-nc run <script> [args...]: a MonaServer Lua socket script, unchanged, or a JS/TS one, on the same mona API.
import type { Argv, CommandModule } from 'yargs';
import type { LogArgs } from './options.js';
import { UsageError } from './usage.js';

interface Args extends LogArgs { script: string; onData?: string | undefined }

/** Options of ours that take a value: the script starts at the first word that is neither an option nor one. */
const VALUED = new Set(['--log-level', '--log-format', '--on-data']);

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
    builder: (y: Argv) => y
      .positional('script', { type: 'string', demandOption: true, describe: 'the script; what follows it is its own arguments (Lua: arg, ...; JS: args)' })
      .option('on-data', { type: 'string', choices: ['rest', 'consumed'], describe: "how onData's return value reads: the documented rest (default) or MonaServer 1.x's bytes consumed" })
      .example('$0 run examples/seed-tcp-server.lua', 'the seed\'s echo server on port 1234')
      .example('$0 run examples/length-prefixed.lua 8080', 'a script and its own arguments') as unknown as Argv<Args>,
    handler: async (argv) => (await import('./run-command.js')).runCommand(argv, async (ctx) => {
      const onDataReturn = argv.onData === 'consumed' ? 'consumed' : 'rest';
      if (argv.onData !== undefined && argv.onData !== 'rest' && argv.onData !== 'consumed') throw new UsageError(`--on-data ${argv.onData}: rest or consumed`);
      const { runScript } = await import('../script/script.js');
      return runScript(ctx, argv.script, { args: scriptArgs, onDataReturn, stacks: (argv.verbose ?? 0) >= 3 });
    }),
  };
}
