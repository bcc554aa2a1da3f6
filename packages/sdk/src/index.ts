export { DebbieLogger } from './DebbieLogger.js';
export type { LogInit, CommentInit, SpanInit, DebbieLoggerOptions } from './DebbieLogger.js';
export { DebbieSpan } from './DebbieSpan.js';
export { DebbieSpanProcessor } from './DebbieSpanProcessor.js';
export type { DebbieSpanProcessorOptions } from './DebbieSpanProcessor.js';
export { DebbieLogRecordProcessor } from './DebbieLogRecordProcessor.js';
export type { DebbieLogRecordProcessorOptions } from './DebbieLogRecordProcessor.js';
export { ConsoleSink } from './ConsoleSink.js';
export type { ConsoleSinkOptions } from './ConsoleSink.js';
export { JsonlFileSink } from './JsonlFileSink.js';
export type { JsonlFileSinkOptions } from './JsonlFileSink.js';
export { InMemorySink } from './InMemorySink.js';
export { createDebbie, ensureContextManager } from './createDebbie.js';
export { debbieProcessors } from './debbieProcessors.js';
export type { DebbieProcessors, DebbieProcessorsOptions, CommentaryFactory } from './debbieProcessors.js';
export type { CreateDebbieOptions, Debbie } from './createDebbie.js';
export { startDebbie } from './startDebbie.js';
export type { StartDebbieOptions, StartedDebbie } from './startDebbie.js';
export { getDebbieContext, withDebbieContext } from './context.js';
export type { DebbieContext } from './context.js';
export { loadConfig, parseConfig } from './config/loadConfig.js';
export { validateConfig } from './config/validateConfig.js';
export { ConfigError } from './config/ConfigError.js';
export { defaultConfig, defaultSettings, SEED_FORMAT, SEED_DATEFMT } from './config/DebbieConfig.js';
export type {
  DebbieConfig,
  DebbieSettings,
  FormatterConfig,
  HandlerConfig,
  ConsoleHandlerConfig,
  RotatingFileHandlerConfig,
  RealtimeHandlerConfig,
  LoggerConfig,
  CommentarySection,
  PythonExecutionConfig,
} from './config/DebbieConfig.js';
export { LineFormatter, strftime, pythonJson, FORMAT_FIELDS } from './config/LineFormatter.js';
export { RotatingFileSink } from './config/RotatingFileSink.js';
export type { RotatingFileSinkOptions } from './config/RotatingFileSink.js';
export { LoggerRouter, loggerNameFor } from './config/LoggerRouter.js';
export type { RoutedHandler } from './config/LoggerRouter.js';
export { buildLogging } from './config/buildLogging.js';
export type { BuildLoggingOptions } from './config/buildLogging.js';
