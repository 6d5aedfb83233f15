// The commands, as an explicit list (a bundler sees every one).
import type { CommandModule } from 'yargs';
import { tcpClient } from './tcp-client.js';
import { tcpServer } from './tcp-server.js';
import { udp } from './udp.js';

export const commands = [tcpClient, tcpServer, udp] as unknown as CommandModule[];
