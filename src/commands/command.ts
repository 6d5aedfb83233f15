// What a command is: its words, positionals, help, and the work it does with a session and the flags' settings.
// The command line is parsed from these (argv.ts); yargs renders their help and completion only (help.ts).
import type { Outcome } from '../core/outcome.js';
import type { Session } from '../core/session.js';
import type { CommandName } from './flag-row.js';
import type { Settings } from './flags.js';

export interface Positional {
  readonly name: string;
  readonly required: boolean;
  readonly describe: string;
}

export interface Command {
  /** Its words: 'tcp-client', 'udp connect'. */
  readonly name: CommandName;
  readonly aliases: readonly string[];
  readonly describe: string;
  /** In the order they are written. With fewer words than positionals, the required ones are filled first. */
  readonly positionals: readonly Positional[];
  /** The name of what may follow the positionals (`run`: the script's own arguments), for the usage line. */
  readonly rest?: string;
  readonly examples: ReadonlyArray<readonly [string, string]>;
  /** `rest`: what follows the positionals, for a command that takes it (`run`: the script's own arguments). */
  run(session: Session, s: Settings, args: Readonly<Record<string, string | undefined>>, rest: readonly string[]): Promise<Outcome>;
}

/** The usage line: "tcp-server [address] <port>". */
export const usageOf = (c: Command): string =>
  [c.name, ...c.positionals.map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`)), ...(c.rest ? [`[${c.rest}]`] : [])].join(' ');
