// The commands, as an explicit list (a bundler sees every one).
import type { CommandModule } from 'yargs';
import { replayCommand } from './replay.js';
import { runCommandModule } from './run.js';
import { tcpClient } from './tcp-client.js';
import { tcpServer } from './tcp-server.js';
import { udp } from './udp.js';

/** The commands; `run` gets the script's own arguments, split off argv before yargs sees them. */
export const commands = (scriptArgs: readonly string[]): CommandModule[] =>
  [tcpClient, tcpServer, udp, runCommandModule(scriptArgs), replayCommand] as unknown as CommandModule[];
