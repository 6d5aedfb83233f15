// The package's public API: `import { mona, NOTE } from 'mona-nc'`.
// Its types name Node's (Buffer, net.Socket): the reference (kept in index.d.ts) loads a project's @types/node without
// "types": ["node"] in its tsconfig, which TypeScript 7 needs otherwise (it loads no @types package by default).
/// <reference types="node" preserve="true" />
export * from './mona/index.js';
export {
  FATAL, CRITIC, ERROR, WARN, NOTE, INFO, DEBUG, TRACE,
  configureLog, createLogger, logger, LEVELS, type Logger, type LoggerOptions, type LevelName, type LogFormat,
} from './log.js';
