/** The seed design's `python_execution.allowed_imports`. */
export const SEED_ALLOWED_IMPORTS: readonly string[] = ['json', 'asyncio', 'requests', 'pandas', 'matplotlib', 'numpy', 're', 'datetime', 'collections'];

/**
 * The default import allow-list, the one definition (debbie.yaml's loader takes it from here):
 * the seed's list plus the pure standard-library modules an analyst reaches for. The list is a
 * convenience, not the security boundary (the sandbox is). The policy applies to the script's own
 * import statements only; pandas and numpy import what they need internally.
 */
export const DEFAULT_ALLOWED_IMPORTS: readonly string[] = [
  ...SEED_ALLOWED_IMPORTS,
  ...['math', 'statistics', 'itertools', 'functools', 'collections', 're', 'json', 'datetime', 'typing', 'dataclasses', 'textwrap', 'difflib'].filter(
    (m) => !SEED_ALLOWED_IMPORTS.includes(m),
  ),
];

/** Debian's interpreter: the one that has python3-pandas. */
export const DEFAULT_PYTHON_PATH = '/usr/bin/python3';
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MEMORY_LIMIT_MB = 512;
/** Tasks (processes + threads) the sandbox may hold at once; bounds a fork bomb. */
export const DEFAULT_MAX_PROCESSES = 32;
/** Largest single file the script may write in its work directory. */
export const DEFAULT_MAX_FILE_MB = 64;
/** Size of the sandbox's private /tmp (a tmpfs, so it is memory). */
export const DEFAULT_TMPFS_MB = 64;
/** Cap for each of stdout and stderr kept from a run. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1 << 20;
/** Cap for the JSON snapshot of the script's top-level variables (all of them together). */
export const DEFAULT_MAX_VARIABLES_BYTES = 1 << 20;
/** Cap for one variable in that snapshot; a larger one is replaced by a preview. */
export const DEFAULT_MAX_VARIABLE_BYTES = 256 << 10;
/**
 * Events written to the script's log file; the rest are dropped and counted. Measured: 100k
 * events take ~130 MB in the interpreter and ~300 MB with `df`, so 200k fit the default 512 MB;
 * raise memoryLimitMb with this.
 */
export const DEFAULT_MAX_LOG_EVENTS = 200_000;
/** Largest result.json the TypeScript side will read. */
export const MAX_RESULT_BYTES = 8 << 20;
/** Files and directories a script may create in its tmpfs (/work, /tmp, /dev/shm together). */
export const DEFAULT_MAX_FILES = 10_000;

/** `debbie_config.python_execution` with nothing set, in the YAML's units (seconds, bytes). */
export function defaultPythonExecution(): { enabled: boolean; timeout: number; memory_limit: number; allowed_imports: string[]; python: string } {
  return {
    enabled: true,
    timeout: DEFAULT_TIMEOUT_MS / 1000,
    memory_limit: DEFAULT_MEMORY_LIMIT_MB * 1024 * 1024,
    allowed_imports: [...DEFAULT_ALLOWED_IMPORTS],
    python: DEFAULT_PYTHON_PATH,
  };
}
