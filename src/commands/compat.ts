// --compat ncat|openbsd|traditional: the command line read as that netcat reads stdin EOF, -k, -q, -w and -i, by
// rewriting it once, before the flag table checks and parses it, into mona-nc's own flags plus a few settings that
// only a preset sets (the `Compat` below). Modes never know a preset was used. The differences, and what each was
// measured against: docs/compat.md.
import { UsageError } from '../core/outcome.js';
import type { CommandName } from './flag-row.js';

type Args = Record<string, unknown>;
export type Preset = 'ncat' | 'openbsd' | 'traditional';

/** Settings no flag of ours sets: what some netcat's meaning needs. */
export interface Compat {
  /** -q expiring is a failure (ncat: "Idle timeout expired", exit 1). */
  readonly quitFails?: boolean | undefined;
  /** -i expiring is a normal end (OpenBSD nc's -w: exit 0). */
  readonly idleIsEnd?: boolean | undefined;
  /** Pause this long before each line sent (OpenBSD and traditional -i); `first`: before the first one too. */
  readonly lineDelay?: { readonly ms: number; readonly first: boolean } | undefined;
  /** SO_KEEPALIVE on the connection (traditional -k). */
  readonly keepAlive?: boolean | undefined;
  /** -k serves one client at a time, the next once it is gone (OpenBSD -k). */
  readonly serial?: boolean | undefined;
}

/** What a preset rewrote: the command line as mona-nc reads it, and settings that replace the parsed ones. */
export interface Rewritten {
  readonly argv: Args;
  readonly overrides: Compat & { linger?: number | undefined };
}

const given = (argv: Args, key: string): boolean => argv[key] !== undefined;
/** "-1" and other negative -q values: wait forever (nc.traditional, Debian nc). */
const negative = (raw: unknown): boolean => typeof raw === 'string' ? /^\s*-/.test(raw) : typeof raw === 'number' && raw < 0;

/** Seconds as a preset's line delay takes them (its own parser: -i is not a duration flag of ours any more here). */
function seconds(raw: unknown, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s)?\s*$/.exec(String(raw));
  if (!m) throw new UsageError(`${name} ${String(raw)}: not a duration`);
  return Math.round(Number(m[1]) * (m[2] === 'ms' ? 1 : 1000));
}

export function rewrite(command: CommandName, input: Args): Rewritten {
  const preset = input.compat as Preset | undefined;
  const argv: Args = { ...input };
  const overrides: { -readonly [K in keyof Rewritten['overrides']]: Rewritten['overrides'][K] } = {};
  if (preset === undefined) return { argv, overrides };
  const tcp = command === 'tcp-client' || command === 'tcp-server';
  const client = command === 'tcp-client' || command === 'udp connect';
  const explicitLinger = given(input, 'linger');

  if (preset === 'ncat') {
    // ncat 7.96+: the client quits at the server's EOF; -k in connect mode keeps it running until stdin's EOF.
    if (command === 'tcp-client' && !explicitLinger) {
      if (argv.keepOpen === true) overrides.linger = undefined;
      else overrides.linger = 0;
      delete argv.keepOpen;
    }
    if (given(argv, 'quitAfter')) overrides.quitFails = true;
    return { argv, overrides };
  }

  // OpenBSD nc and nc.traditional: stdin EOF sends no FIN (-N, or -q, asks for one).
  if (tcp && !given(argv, 'shutdown')) argv.shutdown = false;
  if (given(argv, 'quitAfter')) {
    if (negative(argv.quitAfter)) delete argv.quitAfter;
    else {
      if (tcp && !given(input, 'shutdown')) argv.shutdown = true;
      // netcat-openbsd 1.219 sends the FIN at EOF but, on TCP, does not quit while the peer stays open (measured).
      if (preset === 'openbsd' && tcp) delete argv.quitAfter;
    }
  }
  // -i: a pause between lines sent.
  if (given(argv, 'idleTimeout')) {
    if (!tcp) throw new UsageError(`cannot use -i with --compat ${preset} on ${command} (its line interval is emulated on TCP only)`);
    overrides.lineDelay = { ms: seconds(argv.idleTimeout, '-i'), first: preset === 'traditional' };
    delete argv.idleTimeout;
  }
  // -w
  if (given(argv, 'wait')) {
    const wait = argv.wait;
    if (!client) {
      // OpenBSD: no effect with -l; traditional: gives up waiting for the client.
      if (preset === 'traditional') argv.idleTimeout = wait;
      delete argv.wait;
    } else if (preset === 'openbsd') {
      // Connect timeout, and an idle timeout that is a normal end.
      argv.idleTimeout = wait;
      overrides.idleIsEnd = true;
      if (command !== 'tcp-client') delete argv.wait;
    } else {
      // traditional: connect timeout, and quit once the network stays quiet after stdin's EOF.
      if (!given(argv, 'quitAfter')) argv.quitAfter = wait;
      if (command !== 'tcp-client') delete argv.wait;
    }
  }
  // -k
  if (argv.keepOpen === true) {
    if (preset === 'traditional') {
      if (tcp) overrides.keepAlive = true;
      delete argv.keepOpen;
    } else if (command === 'tcp-server') {
      overrides.serial = true;
    } else if (command === 'tcp-client') {
      throw new UsageError('cannot use -k with tcp-client and --compat openbsd (its -k needs -l)');
    }
  }
  // The client keeps sending until stdin's EOF after the server's (OpenBSD), or quits at once (traditional).
  if (!explicitLinger && tcp) overrides.linger = preset === 'openbsd' && command === 'tcp-client' ? undefined : 0;
  return { argv, overrides };
}
