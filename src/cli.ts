// mona-nc's command line: the argv read from the command and flag tables, then the command's work; help and
// completion by yargs, loaded only for them. Usage errors are one ERROR line and a hint, exit 2.
// First, before anything else runs: SIGUSR1 prints statistics and never opens Node's inspector.
import './core/connections.js';
import { parseArgv } from './commands/argv.js';
import { runCommand, usageFailure } from './commands/run-command.js';
import { UsageError } from './core/outcome.js';
import { version } from './version.js';

const argv = process.argv.slice(2);
// The log format must be known even when parsing fails, so a JSON consumer gets JSON.
const format = argv.some((a, i) => a === '--log-format=json' || (a === '--log-format' && argv[i + 1] === 'json')) ? 'json' : 'text';

try {
  const parsed = parseArgv(argv);
  if (parsed.kind === 'version') process.stdout.write(`${version()}\n`);
  else if (parsed.kind === 'run') void runCommand(parsed.command.name, parsed.flags, (session, s) => parsed.command.run(session, s, parsed.args, parsed.rest));
  else {
    const { kind } = parsed;
    const words = kind === 'help' ? parsed.words : [];
    void import('./commands/help.js').then((h) => h.answer(kind, words, argv));
  }
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  void usageFailure(err, format);
}
