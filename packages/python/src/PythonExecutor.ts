import { createHash, randomInt } from 'node:crypto';
import { constants } from 'node:fs';
import { access, chown, copyFile, mkdir, mkdtemp, open, realpath, rm, writeFile } from 'node:fs/promises';
import { constants as osConstants, tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DebbieError, type EventSink } from '@debbie/model';
import {
  DEFAULT_ALLOWED_IMPORTS,
  DEFAULT_MAX_FILE_MB,
  DEFAULT_MAX_LOG_EVENTS,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_MAX_PROCESSES,
  DEFAULT_MAX_VARIABLE_BYTES,
  DEFAULT_MAX_VARIABLES_BYTES,
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_PYTHON_PATH,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TMPFS_MB,
  DEFAULT_MAX_FILES,
  MAX_RESULT_BYTES,
} from './defaults.js';
import { executionEvent } from './executionEvent.js';
import { parsePreludeResult } from './readResult.js';
import { runProcess, type ProcessOutcome } from './runProcess.js';
import { countTasksOfUid, reapUid } from './taskCount.js';
import { buildSandboxCommand, SCRATCH_DIR, SECCOMP_FD, type SandboxLimits } from './sandboxCommand.js';
import { buildSeccompFilter, seccompSupported } from './seccompFilter.js';
import { writeLogFile, type LogFileStats, type LogInput } from './writeLogFile.js';

export type Isolation = 'bubblewrap' | 'none';

export interface PythonExecutorOptions {
  /** The interpreter. Default `/usr/bin/python3` (Debian's, which has pandas), or env DEBBIE_PYTHON. */
  pythonPath?: string;
  /**
   * 'bubblewrap' (default): refuse to run when bubblewrap or prlimit is missing.
   * 'none': run with prlimit only, no namespaces; only for trusted scripts, and only when asked.
   */
  isolation?: Isolation;
  /** Default `/usr/bin/bwrap`. */
  bwrapPath?: string;
  /** Default `/usr/bin/prlimit`. */
  prlimitPath?: string;
  /** Wall-clock limit per run; the whole process group is killed past it. Default 30 000 ms. */
  timeoutMs?: number;
  /** Address-space cap per process (prlimit --as). Default 512 MB. */
  memoryLimitMb?: number;
  /** CPU-time cap per process. Default: the timeout in seconds, rounded up, plus 1. */
  cpuSeconds?: number;
  /**
   * Tasks (processes and threads) the script may add. Under root each run gets a uid of its own,
   * so this is its whole budget; otherwise it is added to the user's current task count. Default 32.
   */
  maxProcesses?: number;
  /** Largest file the script may write. Default 64 MB. */
  maxFileMb?: number;
  /** Size of the one private tmpfs behind /work, /tmp and /dev/shm. Default 64 MB. */
  tmpfsMb?: number;
  /** Files and directories the script may create there (the tmpfs's inode cap). Default 10,000. */
  maxFiles?: number;
  /** Modules the script itself may import (top-level names). Default DEFAULT_ALLOWED_IMPORTS. */
  allowedImports?: readonly string[];
  /** Whether scripts may use pandas (`df`, `import pandas`). Default true; false tests the fallbacks. */
  usePandas?: boolean;
  /** Bytes kept of each of stdout and stderr. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Bytes of the variables snapshot (all / one variable). Defaults 1 MiB / 256 KiB. */
  maxVariablesBytes?: number;
  maxVariableBytes?: number;
  /** Events given to a script; the rest are dropped and counted. Default 200 000 (they fit in 512 MB with `df`). */
  maxLogEvents?: number;
  /** Host paths mounted read-only at the same place, e.g. an interpreter outside /usr. Default none. */
  readOnlyBinds?: readonly string[];
  /** Where work directories are made. Default os.tmpdir(). */
  tmpDir?: string;
  /** Keep each run's work directory (for debugging the executor). Default false. */
  keepWorkDir?: boolean;
  /** Receives one `python_exec` event per run. Default none. */
  sink?: EventSink;
}

/** What a script sees besides its own code. */
export interface ExecutionContext {
  /** The events, exposed as `logs` (and `df`). */
  logs?: LogInput;
  /** Session metadata, exposed as `session` (attribute access). */
  session?: Record<string, unknown> | null;
  /** Exposed as `state`. */
  state?: unknown;
  /** Script parameters, exposed as `params`. */
  params?: Record<string, unknown>;
  /** Recorded on the python_exec event. */
  sessionId?: string | null;
  /** Library script name, recorded on the python_exec event. */
  scriptName?: string;
}

export type ErrorKind = 'exception' | 'timeout' | 'killed' | 'crashed';

export interface ExecutionResult {
  /** The script's stdout (capped at maxOutputBytes). */
  output: string;
  stderr: string;
  /** One line: "ZeroDivisionError: division by zero", "timed out after 2 s …"; null on success. */
  error: string | null;
  error_kind: ErrorKind | null;
  /** The Python exception class, when the script raised. */
  error_type: string | null;
  traceback: string | null;
  /** Seconds spent in the script body (as the seed reports it); the wall time when it was killed. */
  execution_time: number;
  /** Seconds the prelude spent before the script: reading the events, building `df`. */
  setup_time: number;
  /** Milliseconds from spawn to exit, sandbox start-up included. */
  wall_time_ms: number;
  /** JSON-safe snapshot of the script's top-level variables. */
  variables: Record<string, unknown>;
  /** Variables left out because the snapshot reached its cap. */
  variables_omitted: string[];
  output_bytes: number;
  output_truncated: boolean;
  stderr_truncated: boolean;
  events_loaded: number;
  events_dropped: number;
  /** Events that could not be serialized (or parsed by the prelude), skipped one by one. */
  events_invalid: number;
  script_sha256: string;
  isolation: Isolation;
  /** The host uid the run had (a fresh one per run when Node is root), or null. */
  sandbox_uid: number | null;
  exit_code: number | null;
  signal: string | null;
}

const PRELUDE_PATH = fileURLToPath(new URL('../python/debbie_prelude.py', import.meta.url));
const LAUNCHER_PATH = fileURLToPath(new URL('../python/debbie_launch.py', import.meta.url));
const MAX_SCRIPT_BYTES = 1 << 20;
// A run started as root gets a uid of its own in this range, so prlimit --nproc counts only
// its own tasks (the kernel exempts root from RLIMIT_NPROC) and concurrent runs do not share it.
const SANDBOX_UID_BASE = 1_000_000_000;
const SANDBOX_UID_SPAN = 1_000_000_000;

/**
 * Runs Python scripts over session logs in a real CPython inside bubblewrap + prlimit.
 *
 * @example
 * const py = new PythonExecutor({ timeoutMs: 10_000 });
 * const r = await py.execute('print(len(logs))', { logs: events });
 * r.output; // "42\n"
 */
export class PythonExecutor {
  readonly isolation: Isolation;
  private readonly pythonPath: string;
  private readonly bwrapPath: string;
  private readonly prlimitPath: string;
  private readonly timeoutMs: number;
  private readonly limits: SandboxLimits;
  private readonly allowedImports: readonly string[];
  private readonly usePandas: boolean;
  private readonly maxOutputBytes: number;
  private readonly maxVariablesBytes: number;
  private readonly maxVariableBytes: number;
  private readonly maxLogEvents: number;
  private readonly readOnlyBinds: readonly string[];
  private readonly tmpDir: string;
  private readonly keepWorkDir: boolean;
  private readonly sink: EventSink | undefined;
  private checked: Promise<void> | undefined;

  constructor(options: PythonExecutorOptions = {}) {
    this.isolation = options.isolation ?? 'bubblewrap';
    if (this.isolation !== 'bubblewrap' && this.isolation !== 'none') {
      throw new DebbieError('invalid_option', `isolation must be 'bubblewrap' or 'none', not ${JSON.stringify(this.isolation)}`, 'PythonExecutor');
    }
    this.pythonPath = options.pythonPath ?? process.env.DEBBIE_PYTHON ?? DEFAULT_PYTHON_PATH;
    this.bwrapPath = options.bwrapPath ?? '/usr/bin/bwrap';
    this.prlimitPath = options.prlimitPath ?? '/usr/bin/prlimit';
    this.timeoutMs = positive(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
    this.limits = {
      memoryLimitMb: positive(options.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB, 'memoryLimitMb'),
      cpuSeconds: positive(options.cpuSeconds ?? Math.ceil(this.timeoutMs / 1000) + 1, 'cpuSeconds'),
      maxProcesses: positive(options.maxProcesses ?? DEFAULT_MAX_PROCESSES, 'maxProcesses'),
      maxFileMb: positive(options.maxFileMb ?? DEFAULT_MAX_FILE_MB, 'maxFileMb'),
      tmpfsMb: positive(options.tmpfsMb ?? DEFAULT_TMPFS_MB, 'tmpfsMb'),
      maxFiles: positive(options.maxFiles ?? DEFAULT_MAX_FILES, 'maxFiles'),
    };
    this.allowedImports = [...(options.allowedImports ?? DEFAULT_ALLOWED_IMPORTS)];
    for (const name of this.allowedImports) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        throw new DebbieError('invalid_option', `allowedImports: ${JSON.stringify(name)} is not a top-level module name`, 'PythonExecutor');
      }
    }
    this.usePandas = options.usePandas ?? true;
    this.maxOutputBytes = positive(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES, 'maxOutputBytes');
    this.maxVariablesBytes = positive(options.maxVariablesBytes ?? DEFAULT_MAX_VARIABLES_BYTES, 'maxVariablesBytes');
    this.maxVariableBytes = positive(options.maxVariableBytes ?? DEFAULT_MAX_VARIABLE_BYTES, 'maxVariableBytes');
    this.maxLogEvents = positive(options.maxLogEvents ?? DEFAULT_MAX_LOG_EVENTS, 'maxLogEvents');
    this.readOnlyBinds = [...(options.readOnlyBinds ?? [])];
    this.tmpDir = options.tmpDir ?? tmpdir();
    this.keepWorkDir = options.keepWorkDir ?? false;
    this.sink = options.sink;
  }

  /**
   * Runs `script` with the context injected. Script failures (exceptions, timeouts, limits) come
   * back in the result; a missing sandbox or interpreter throws a DebbieError.
   */
  async execute(script: string, context: ExecutionContext = {}): Promise<ExecutionResult> {
    if (typeof script !== 'string') throw new DebbieError('invalid_script', 'the script must be a string', 'PythonExecutor.execute');
    const scriptBytes = Buffer.byteLength(script);
    if (scriptBytes > MAX_SCRIPT_BYTES) {
      throw new DebbieError('invalid_script', `the script is ${scriptBytes} bytes, over the ${MAX_SCRIPT_BYTES}-byte cap`, 'PythonExecutor.execute');
    }
    this.checked ??= this.checkEnvironment();
    try {
      await this.checked;
    } catch (error) {
      this.checked = undefined; // let a later call re-check once the machine is fixed
      throw error;
    }
    const startedAt = Date.now();
    const sha256 = createHash('sha256').update(script).digest('hex');
    const workDir = await mkdtemp(join(this.tmpDir, 'debbie-py-'));
    try {
      const uid = process.getuid?.() === 0 ? SANDBOX_UID_BASE + randomInt(SANDBOX_UID_SPAN) : undefined;
      const stats = await this.prepareWorkDir(workDir, script, context);
      await mkdir(join(workDir, SCRATCH_DIR), { mode: 0o700 });
      if (uid !== undefined) {
        await chown(workDir, uid, uid);
        await chown(join(workDir, SCRATCH_DIR), uid, uid);
      }
      // The seccomp program goes to bubblewrap as descriptor 3; the file stays outside the sandbox.
      const sandboxed = this.isolation === 'bubblewrap';
      const seccompPath = join(workDir, 'seccomp.bpf');
      if (sandboxed) await writeFile(seccompPath, buildSeccompFilter(), { mode: 0o600 });
      const seccomp = sandboxed ? await open(seccompPath, 'r') : undefined;
      const cmd = buildSandboxCommand({
        isolation: this.isolation,
        pythonPath: this.pythonPath,
        prlimitPath: this.prlimitPath,
        bwrapPath: this.bwrapPath,
        workDir,
        launcherPath: LAUNCHER_PATH,
        seccompFd: sandboxed ? SECCOMP_FD : null,
        limits: { ...this.limits, maxProcesses: await this.processLimit(uid) },
        readOnlyBinds: this.readOnlyBinds,
      });
      let outcome: ProcessOutcome;
      try {
        outcome = await runProcess({
          command: cmd.command,
          args: cmd.args,
          cwd: cmd.cwd,
          env: this.childEnv(workDir),
          timeoutMs: this.timeoutMs,
          maxOutputBytes: this.maxOutputBytes,
          maxResultBytes: MAX_RESULT_BYTES,
          ...(seccomp ? { fd3: seccomp.fd } : {}),
          ...(uid !== undefined ? { uid, gid: uid } : {}),
        });
      } finally {
        await seccomp?.close();
        // Nothing of the run may outlive it: under root the run had a uid of its own, so every
        // process of that uid is the sandbox's (one may still be dying when the pipes close).
        if (uid !== undefined) await reapUid(uid);
      }
      if (outcome.spawnError) {
        throw new DebbieError('sandbox_unavailable', `could not start ${cmd.command}: ${outcome.spawnError.message}`, 'PythonExecutor');
      }
      const result = await this.interpret(outcome, workDir, stats, sha256, uid ?? null);
      this.record(result, script, context, startedAt);
      return result;
    } finally {
      // The script owns the directory and may have made parts of it unremovable for a non-root
      // user (chmod 000): a leftover temp directory must not cost the caller the result.
      if (!this.keepWorkDir) await rm(workDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * RLIMIT_NPROC counts every task of the real uid, and the kernel exempts root from it. A run
   * started as root has a fresh uid, so the budget is the limit; otherwise the user's own tasks
   * are counted and the budget added on top of them.
   */
  private async processLimit(uid: number | undefined): Promise<number> {
    if (uid !== undefined) return this.limits.maxProcesses;
    const own = await countTasksOfUid(process.getuid?.() ?? -1);
    return Number.isFinite(own) ? own + this.limits.maxProcesses : this.limits.maxProcesses;
  }

  private async prepareWorkDir(workDir: string, script: string, context: ExecutionContext) {
    await copyFile(PRELUDE_PATH, join(workDir, 'debbie_prelude.py'));
    await writeFile(join(workDir, 'script.py'), script, { mode: 0o644 });
    const stats = await writeLogFile(join(workDir, 'logs.jsonl'), context.logs, this.maxLogEvents);
    const ctx = {
      allowed_imports: this.allowedImports,
      pandas: this.usePandas,
      memory_limit_mb: this.limits.memoryLimitMb,
      max_variables_bytes: this.maxVariablesBytes,
      max_variable_bytes: this.maxVariableBytes,
      session: context.session ?? null,
      state: context.state ?? null,
      params: context.params ?? {},
      events_dropped: stats.dropped,
    };
    await writeFile(join(workDir, 'context.json'), JSON.stringify(ctx), { mode: 0o644 });
    return stats;
  }

  private childEnv(workDir: string): NodeJS.ProcessEnv {
    // Nothing of the parent's environment reaches the sandbox, not even through bwrap's own memory.
    const env: NodeJS.ProcessEnv = { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' };
    if (this.isolation === 'none') {
      Object.assign(env, { HOME: workDir, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MPLCONFIGDIR: workDir, MPLBACKEND: 'Agg' });
    }
    return env;
  }

  private async interpret(outcome: ProcessOutcome, _workDir: string, stats: LogFileStats, sha256: string, uid: number | null): Promise<ExecutionResult> {
    const base = {
      output: outcome.stdout.text(),
      stderr: outcome.stderr.text(),
      wall_time_ms: outcome.wallMs,
      output_bytes: outcome.stdout.total,
      output_truncated: outcome.stdout.truncated,
      stderr_truncated: outcome.stderr.truncated,
      events_dropped: stats.dropped,
      events_invalid: stats.invalid,
      script_sha256: sha256,
      isolation: this.isolation,
      sandbox_uid: uid,
      exit_code: outcome.exitCode,
      signal: outcome.signal,
    };
    const failed = (kind: ErrorKind, error: string): ExecutionResult => ({
      ...base,
      error,
      error_kind: kind,
      error_type: null,
      traceback: null,
      execution_time: outcome.wallMs / 1000,
      setup_time: 0,
      variables: {},
      variables_omitted: [],
      events_loaded: 0,
    });
    if (outcome.timedOut) {
      return failed('timeout', `timed out after ${formatSeconds(this.timeoutMs)} s (wall clock); the sandbox's process group was killed`);
    }
    const prelude = parsePreludeResult(outcome.result.text(), outcome.result.total, MAX_RESULT_BYTES);
    if (typeof prelude === 'string') {
      if (this.isolation === 'bubblewrap' && outcome.exitCode !== 0 && /^bwrap:/m.test(base.stderr)) {
        throw new DebbieError(
          'sandbox_failed',
          `bubblewrap could not set up the sandbox: ${firstLine(base.stderr.slice(base.stderr.indexOf('bwrap:')))}`,
          'PythonExecutor',
        );
      }
      if (outcome.exitCode === 125 && /^debbie-launch:/m.test(base.stderr)) {
        throw new DebbieError(
          'sandbox_failed',
          `the sandbox launcher failed: ${firstLine(base.stderr.slice(base.stderr.indexOf('debbie-launch:')))}`,
          'PythonExecutor',
        );
      }
      // bubblewrap reports a child killed by signal N as exit code 128 + N.
      const signal = outcome.signal ?? (this.isolation === 'bubblewrap' ? signalFromExitCode(outcome.exitCode) : null);
      if (signal) return failed('killed', `the interpreter was killed by ${signal}${signalHint(signal, this.limits)}`);
      const tail = base.stderr.trim().split('\n').slice(-3).join(' | ');
      return failed('crashed', `the interpreter exited with code ${outcome.exitCode} and ${prelude}${tail ? `: ${tail}` : ''}`);
    }
    return {
      ...base,
      // The prelude itself exits 0 after catching the script's failure: report the code the script
      // would have exited with on its own (1 for an exception, n for exit(n)).
      exit_code: scriptExitCode(prelude.error, outcome.exitCode),
      error: prelude.error?.message ?? null,
      error_kind: prelude.error ? 'exception' : null,
      error_type: prelude.error?.type ?? null,
      traceback: prelude.error?.traceback ?? null,
      execution_time: prelude.execution_time,
      setup_time: prelude.setup_time,
      variables: prelude.variables,
      variables_omitted: prelude.variables_omitted,
      events_loaded: prelude.events_loaded,
      events_invalid: stats.invalid + prelude.events_skipped,
    };
  }

  private record(result: ExecutionResult, script: string, context: ExecutionContext, startedAt: number): void {
    if (!this.sink) return;
    try {
      this.sink.write(executionEvent(result, script, context, startedAt));
    } catch {
      // A sink must not throw (EventSink contract); if one does, the run's result still stands.
    }
  }

  private async checkEnvironment(): Promise<void> {
    const missing = async (path: string) =>
      access(path, constants.X_OK).then(
        () => false,
        () => true,
      );
    if (this.isolation === 'bubblewrap') {
      if (await missing(this.bwrapPath)) {
        throw new DebbieError(
          'sandbox_unavailable',
          `bubblewrap not found at ${this.bwrapPath}: refusing to run Python scripts without a sandbox. ` +
            `Install it (apt-get install bubblewrap) or, for trusted scripts only, pass isolation: 'none'.`,
          'PythonExecutor',
        );
      }
      if (!seccompSupported()) {
        throw new DebbieError(
          'sandbox_unavailable',
          `no seccomp syscall table for ${process.arch} (x64 and arm64 have one): refusing to run Python scripts without the filter. ` +
            `For trusted scripts only, pass isolation: 'none'.`,
          'PythonExecutor',
        );
      }
    }
    if (await missing(this.prlimitPath)) {
      throw new DebbieError(
        'sandbox_unavailable',
        `prlimit not found at ${this.prlimitPath}: it caps the script's memory and CPU. Install util-linux.`,
        'PythonExecutor',
      );
    }
    if (await missing(this.pythonPath)) {
      throw new DebbieError(
        'python_not_found',
        `no executable Python at ${this.pythonPath}. Install python3 (Debian's python3-pandas for pandas) or set pythonPath / DEBBIE_PYTHON.`,
        'PythonExecutor',
      );
    }
    if (this.isolation === 'bubblewrap') {
      const real = await realpath(this.pythonPath);
      const visible = ['/usr', ...this.readOnlyBinds].some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep));
      if (!visible) {
        throw new DebbieError(
          'python_not_found',
          `${this.pythonPath} resolves to ${real}, which the sandbox cannot see (only /usr is mounted). ` +
            `Use an interpreter under /usr or add its prefix to readOnlyBinds.`,
          'PythonExecutor',
        );
      }
    }
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new DebbieError('invalid_option', `${name} must be a positive number, not ${value}`, 'PythonExecutor');
  }
  return value;
}

function formatSeconds(ms: number): string {
  return Number.isInteger(ms / 1000) ? String(ms / 1000) : (ms / 1000).toFixed(1);
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}

function signalFromExitCode(code: number | null): string | null {
  if (code === null || code <= 128 || code > 128 + 64) return null;
  const entry = Object.entries(osConstants.signals).find(([, n]) => n === code - 128);
  return entry ? entry[0] : null;
}

function signalHint(signal: string, limits: SandboxLimits): string {
  if (signal === 'SIGXCPU') return `: the CPU time limit of ${limits.cpuSeconds} s was exceeded`;
  if (signal === 'SIGXFSZ') return `: a file grew past the ${limits.maxFileMb} MB limit`;
  if (signal === 'SIGKILL') return ` (the CPU time limit of ${limits.cpuSeconds} s, or the kernel's out-of-memory killer)`;
  if (signal === 'SIGSEGV' || signal === 'SIGABRT') return ` (possibly out of memory under the ${limits.memoryLimitMb} MB limit)`;
  return '';
}

function scriptExitCode(error: { type: string; message: string } | null, interpreterCode: number | null): number | null {
  if (!error) return interpreterCode;
  if (error.type !== 'SystemExit') return 1;
  const code = /^SystemExit: (-?\d+)$/.exec(error.message)?.[1];
  return code === undefined ? 1 : Number(code);
}
