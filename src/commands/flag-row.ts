// One row of the flag table and what rows are made of (commands, modes, value parsers): flags.ts assembles the
// table from row groups, one file per concern (flags-*.ts), so a new flag is a row in its group.
import { UsageError } from '../core/outcome.js';
import { parseSeconds } from '../core/parse.js';

export type CommandName = 'tcp-client' | 'tcp-server' | 'udp connect' | 'udp bind' | 'run' | 'replay';
/** What a command does with its endpoints; a selector flag picks it (none: the command's first). */
export type ModeName = 'pipe' | 'fan-out' | 'echo' | 'script' | 'replay' | 'scan' | 'http-proxy' | 'exec' | 'broker' | 'chat';

export interface Flag<K extends string = string, T = unknown> {
  /** The key in yargs' argv (camelCase) and in the settings. */
  readonly key: K;
  readonly long: string;
  readonly short?: string;
  /** `list`: a value that may be given many times (`--allow A --allow B`); the parser gets every one, in order. */
  readonly kind: 'boolean' | 'count' | 'value' | 'list';
  /** The value's name in help (SECS, LEVEL). */
  readonly value?: string;
  readonly describe: string;
  readonly commands: readonly CommandName[];
  /** The modes that use it (default: every mode of its commands). */
  readonly modes?: readonly ModeName[];
  /** Given (and true), it picks this mode; a later selector in the table loses to an earlier one. */
  readonly selects?: ModeName;
  /** Keys of flags that cannot go with it. */
  readonly conflicts?: readonly string[];
  /** Keys of flags one of which it needs (it only shapes what they do: --seed, --fault-dir). */
  readonly needs?: readonly string[];
  /** The value the command gets: parsed, checked, defaulted. `name` is how the user wrote the flag, for messages. */
  parse(raw: unknown, name: string): T;
}

export const row = <K extends string, T>(flag: Flag<K, T>): Flag<K, T> => flag;

export const NET: readonly CommandName[] = ['tcp-client', 'tcp-server', 'udp connect', 'udp bind'];
export const TCP: readonly CommandName[] = ['tcp-client', 'tcp-server'];
export const UDP: readonly CommandName[] = ['udp connect', 'udp bind'];
export const SERVERS: readonly CommandName[] = ['tcp-server', 'udp bind'];
export const ALL: readonly CommandName[] = [...NET, 'run', 'replay'];
/** The modes that read stdin and write stdout. */
export const STDIO: readonly ModeName[] = ['pipe', 'fan-out', 'broker', 'chat'];

export const bool = (raw: unknown): boolean | undefined => (raw === undefined ? undefined : Boolean(raw));
export const text = (raw: unknown): string | undefined => (raw === undefined ? undefined : String(raw));
/** Every value of a `list` flag, in the order given (none: empty). */
export const list = (raw: unknown): string[] => (raw === undefined ? [] : (Array.isArray(raw) ? raw : [raw]).map(String));
export const duration = (raw: unknown, name: string): number | undefined => parseSeconds(name, text(raw));

/** A value among `choices`, or a usage error that lists them. */
export function oneOf<C extends string>(flag: string, value: string | undefined, choices: readonly C[]): C | undefined {
  if (value === undefined) return undefined;
  if ((choices as readonly string[]).includes(value)) return value as C;
  throw new UsageError(`${flag} ${value}: not one of ${choices.join(', ')}`);
}
