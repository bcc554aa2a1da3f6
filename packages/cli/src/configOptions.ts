import { resolveCommentaryConfig, type CommentaryConfig } from '@debbie/commentary';
import { loadConfig, type DebbieConfig, type PythonExecutionConfig } from '@debbie/sdk';
import type { PythonExecutorOptions } from '@debbie/python';
import { DebbieError } from '@debbie/model';
import type { CommandIO, ParsedValues } from './Command.js';
import { str } from './flags.js';

/** debbie.yaml as the commands use it: the validated file plus the parts other packages validate. */
export interface CliConfig {
  config: DebbieConfig;
  /** `debbie_config.commentary`, resolved and validated by @debbie/commentary. */
  commentary: CommentaryConfig;
  /** `debbie_config.aggregation.correlation_timeout` in ms: when idle sessions are forgotten. */
  correlationTimeoutMs: number;
  /** `debbie_config.aggregation.buffer_size`: events the pipeline may hold before it drops (and counts). */
  bufferSize: number;
  python: PythonExecutionConfig;
}

/** Loads and validates the configuration named by --config (or found by default). */
export function loadCliConfig(values: ParsedValues, io: CommandIO): CliConfig {
  const explicit = str(values.config);
  const config = loadConfig(explicit, { cwd: io.cwd, env: io.env });
  let commentary: CommentaryConfig;
  try {
    // @debbie/commentary owns the section's keys and defaults.
    commentary = resolveCommentaryConfig(config.debbie_config.commentary);
  } catch (error) {
    if (error instanceof DebbieError && config.source) throw new DebbieError(error.code, error.message, config.source);
    throw error;
  }
  return {
    config,
    commentary,
    correlationTimeoutMs: config.debbie_config.aggregation.correlation_timeout * 1000,
    bufferSize: config.debbie_config.aggregation.buffer_size,
    python: config.debbie_config.python_execution,
  };
}

/** `debbie_config.python_execution` as PythonExecutor options (seconds → ms, bytes → MB). */
export function pythonExecutorOptions(python: PythonExecutionConfig): PythonExecutorOptions & { enabled: boolean } {
  return {
    enabled: python.enabled,
    timeoutMs: Math.round(python.timeout * 1000),
    memoryLimitMb: Math.max(1, Math.floor(python.memory_limit / (1024 * 1024))),
    allowedImports: python.allowed_imports,
    pythonPath: python.python,
  };
}
