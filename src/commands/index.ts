// The commands, as an explicit list (a bundler sees every one).
import type { Command } from './command.js';
import { replay } from './replay.js';
import { run } from './run.js';
import { tcpClient } from './tcp-client.js';
import { tcpServer } from './tcp-server.js';
import { udpBind, udpConnect } from './udp.js';

export const COMMANDS: readonly Command[] = [tcpClient, tcpServer, udpConnect, udpBind, run, replay];
