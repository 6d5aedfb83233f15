// mona-nc replay FILE (--connect TARGET | --listen ADDR) [--fast] [--strict]: play one side of a --record file back
// against a real program, as its client or its server; the transport is the recording's.
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../core/outcome.js';
import { scriptOf, type Script } from '../core/recording.js';
import { causeOf } from '../mona/errors.js';
import { TRANSPORTS } from '../transports/index.js';
import type { Command } from './command.js';
import { openListener } from './serve.js';
import { tapPeer } from './taps.js';

/** Recordings are read whole: past this size, a usage error rather than a process that runs out of memory. */
const MAX_RECORDING = 256 * 1024 * 1024;

function load(file: string, play: 'client' | 'server'): Script {
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new UsageError(`replay ${file}: not a regular file`);
    if (statSync(file).size > MAX_RECORDING) throw new UsageError(`replay ${file}: over ${MAX_RECORDING / 1024 / 1024} MiB`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`replay ${file}: ${causeOf(err)}`);
  }
  return scriptOf(text, file, play);
}

export const replay: Command = {
  name: 'replay',
  aliases: [],
  describe: 'play one side of a --record file back: the client with --connect, the server with --listen',
  positionals: [{ name: 'file', required: true, describe: 'a file written by --record' }],
  examples: [
    ['$0 replay session.jsonl --listen 127.0.0.1:0 --strict', 'be the recorded server; fail with a diff if the client differs'],
    ['$0 replay session.jsonl --connect 127.0.0.1:8080 --fast', 'be the recorded client, without its pauses'],
  ],
  async run(session, s, args) {
    const file = args.file ?? '';
    if ((s.connect === undefined) === (s.listen === undefined)) throw new UsageError('replay needs --connect TARGET or --listen ADDR');
    const play = s.connect !== undefined ? 'client' : 'server';
    const script = load(file, play);
    if (script.others > 0) session.log.log('INFO', `replay ${file}: playing its first connection (${script.others} more not played)`);
    const transport = TRANSPORTS[script.transport];
    const { replay: play1, replayFirst } = await import('../modes/replay.js');
    const options = { fast: s.fast === true, strict: s.strict === true, idleTimeout: s.idleTimeout };
    if (s.connect !== undefined) {
      const peer = tapPeer(await transport.connect(session, transport.target(s.connect, undefined, s), s), session, s);
      return play1(session, peer, script, file, options);
    }
    const listener = await openListener(session, transport, transport.listenAddress(s.listen ?? '', undefined, s), s);
    return replayFirst(session, listener, script, file, options);
  },
};
