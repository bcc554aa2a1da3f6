import type { LogLevel } from '@debbie/model';
import { defaultPythonExecution } from '@debbie/python/defaults';

/** A formatter: Python logging's `%(name)s` format string and strftime date format. */
export interface FormatterConfig {
  format: string;
  datefmt: string;
}

export type HandlerConfig = ConsoleHandlerConfig | RotatingFileHandlerConfig | RealtimeHandlerConfig;

interface HandlerBase {
  level: LogLevel;
  formatter: string | undefined;
}

export interface ConsoleHandlerConfig extends HandlerBase {
  class: 'console';
  stream: 'stdout' | 'stderr';
}

export interface RotatingFileHandlerConfig extends HandlerBase {
  class: 'rotating_file';
  filename: string;
  /** Rotate when the file would grow past this many bytes (0 = never). */
  maxBytes: number;
  /** Rotated files kept: filename.1 … filename.N. */
  backupCount: number;
}

export interface RealtimeHandlerConfig extends HandlerBase {
  class: 'realtime';
  /** The stream's ring buffer (events replayed to new subscribers). */
  buffer_size: number;
  stream_port: number;
  host: string;
}

export interface LoggerConfig {
  level: LogLevel;
  handlers: string[];
  /** Also hand events to the parent logger's handlers (Python's default: true). */
  propagate: boolean;
}

/**
 * `debbie_config.commentary` as written: @debbie/commentary owns its keys and defaults
 * (resolveCommentaryConfig validates it and names bad keys), so the loader keeps it as given.
 */
export type CommentarySection = Record<string, unknown>;

export interface PythonExecutionConfig {
  enabled: boolean;
  /** Seconds. Defaults: @debbie/python's defaultPythonExecution(). */
  timeout: number;
  /** Bytes (the YAML takes "512MB"). */
  memory_limit: number;
  allowed_imports: string[];
  python: string;
}

export interface DebbieSettings {
  aggregation: { correlation_timeout: number; buffer_size: number };
  /** Attribute names that carry the session in your telemetry, read before the documented ones (docs/conventions.md). */
  sessions: { keys: string[] };
  commentary: CommentarySection;
  python_execution: PythonExecutionConfig;
}

/** The whole `debbie.yaml`: the seed's logging_config.yaml as Debbie's own configuration. */
export interface DebbieConfig {
  formatters: Record<string, FormatterConfig>;
  handlers: Record<string, HandlerConfig>;
  loggers: Record<string, LoggerConfig>;
  debbie_config: DebbieSettings;
  /** The file it came from, if any. */
  source: string | undefined;
}

export const SEED_FORMAT = '[%(asctime)s] [%(source)s] [%(levelname)s] [%(component)s] %(message)s | %(details)s';
export const SEED_DATEFMT = '%Y-%m-%d %H:%M:%S.%f';

export function defaultSettings(): DebbieSettings {
  return {
    aggregation: { correlation_timeout: 300, buffer_size: 100_000 },
    sessions: { keys: [] },
    // Each section's defaults come from the package that owns it.
    commentary: {},
    python_execution: defaultPythonExecution(),
  };
}

/** With no debbie.yaml: INFO and above to the console in the seed's format, nothing else. */
export function defaultConfig(): DebbieConfig {
  return {
    formatters: { debbie_formatter: { format: SEED_FORMAT, datefmt: SEED_DATEFMT } },
    handlers: { debbie_console: { class: 'console', level: 'INFO', formatter: 'debbie_formatter', stream: 'stdout' } },
    loggers: { debbie: { level: 'DEBUG', handlers: ['debbie_console'], propagate: true } },
    debbie_config: defaultSettings(),
    source: undefined,
  };
}
