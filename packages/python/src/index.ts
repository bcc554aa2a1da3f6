export { PythonExecutor } from './PythonExecutor.js';
export type { PythonExecutorOptions, ExecutionContext, ExecutionResult, ErrorKind, Isolation } from './PythonExecutor.js';
export type { LogInput } from './writeLogFile.js';
export { executionEvent, scriptRunSessionId } from './executionEvent.js';
export { buildSeccompFilter, DENIED_SYSCALLS } from './seccompFilter.js';
export { buildSandboxCommand, SANDBOX_WORK_DIR } from './sandboxCommand.js';
export type { SandboxCommand, SandboxCommandInput, SandboxLimits } from './sandboxCommand.js';
export {
  SEED_ALLOWED_IMPORTS,
  DEFAULT_ALLOWED_IMPORTS,
  DEFAULT_PYTHON_PATH,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_MAX_PROCESSES,
} from './defaults.js';
export { listLibraryScripts, getLibraryScript, parseScript, LIBRARY_SCRIPT_NAMES } from './ScriptLibrary.js';
export type { LibraryScript, LibraryScriptName, ScriptParam } from './ScriptLibrary.js';
