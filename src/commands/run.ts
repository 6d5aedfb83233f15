// mona-nc run <script> [args...]: a MonaServer Lua socket script, unchanged, or a JS/TS one, on the same mona API.
import type { Command } from './command.js';

export const run: Command = {
  name: 'run',
  aliases: [],
  describe: 'run a Mona socket script: .lua (MonaServer\'s, unchanged), .js, .mjs or .ts, with a global `mona`',
  positionals: [{ name: 'script', required: true, describe: 'the script; what follows it is its own arguments, options included (Lua: arg, ...; JS: args)' }],
  rest: 'args..',
  examples: [
    ['$0 run examples/seed-tcp-server.lua', 'the seed\'s echo server on port 1234'],
    ['$0 run examples/length-prefixed.lua 8080', 'a script and its own arguments'],
  ],
  async run(session, s, args, rest) {
    // MonaServer shows INFO by default and scripts log their payloads with INFO(...): theirs show unless a flag
    // chose a level; mona-nc's own lifecycle lines stay at -v.
    const chosen = s.verbose > 0 || s.quiet === true || s.logLevel !== undefined;
    const { runScript } = await import('../script/script.js');
    return runScript(session, args.script ?? '', {
      args: rest, onDataReturn: s.onData, stacks: s.verbose >= 3, handlerTimeout: s.handlerTimeout, sendCap: s.sendCap,
      scriptMemory: s.scriptMemory, scriptLevel: chosen ? session.log.level : 'INFO',
    });
  },
};
