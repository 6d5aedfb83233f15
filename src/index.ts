// The package's public API: `import { mona, NOTE } from 'mona-nc'`.
export * from './mona/index.js';
export {
  FATAL, CRITIC, ERROR, WARN, NOTE, INFO, DEBUG, TRACE,
  configureLog, createLogger, logger, LEVELS, type Logger, type LoggerOptions, type LevelName, type LogFormat,
} from './log.js';
