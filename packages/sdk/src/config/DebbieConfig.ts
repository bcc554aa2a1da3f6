import type { LogLevel } from '@debbie/model';

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

/** `debbie_config.commentary` as the YAML gives it; @debbie/commentary resolves it into its `CommentaryConfig`. */
export interface CommentarySection {
  enabled: boolean;
  insight_level: 'brief' | 'detailed';
  pattern_detection: boolean;
  /** Detector thresholds, passed to @debbie/commentary (which validates them and names bad keys). */
  thresholds: Record<string, unknown>;
  /** Interventions (enabled, dry_run, max_per_session, …), passed to @debbie/commentary likewise. */
  interventions: Record<string, unknown>;
}

export interface PythonExecutionConfig {
  enabled: boolean;
  /** Seconds. */
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

export const DEFAULT_ALLOWED_IMPORTS = ['json', 'asyncio', 'requests', 'pandas', 'matplotlib', 'numpy', 're', 'datetime', 'collections'];

export function defaultSettings(): DebbieSettings {
  return {
    aggregation: { correlation_timeout: 300, buffer_size: 100_000 },
    sessions: { keys: [] },
    commentary: { enabled: true, insight_level: 'detailed', pattern_detection: true, thresholds: {}, interventions: {} },
    python_execution: { enabled: true, timeout: 30, memory_limit: 512 * 1024 * 1024, allowed_imports: [...DEFAULT_ALLOWED_IMPORTS], python: '/usr/bin/python3' },
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
