import { spawn } from 'node:child_process';
import { CappedBuffer } from './CappedBuffer.js';

export interface RunProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Wall-clock limit; past it the whole process group is killed. */
  timeoutMs: number;
  maxOutputBytes: number;
  /** An open descriptor handed to the child as descriptor 3 (the seccomp program), if any. */
  fd3?: number;
  /** Cap on what the child writes to descriptor 4 (its result pipe). */
  maxResultBytes: number;
  /** Run as this uid/gid (only when Node runs as root). */
  uid?: number;
  gid?: number;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: CappedBuffer;
  stderr: CappedBuffer;
  /** What the child wrote to descriptor 4. */
  result: CappedBuffer;
  timedOut: boolean;
  wallMs: number;
  /** Set when the command could not be started at all (ENOENT, EACCES). */
  spawnError: Error | null;
}

/**
 * Runs a command in its own process group (detached) with capped stdout/stderr. On timeout it
 * SIGKILLs the whole group; after a normal exit it kills the group too, so nothing the script
 * forked outlives the run.
 */
export function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  const started = performance.now();
  const stdout = new CappedBuffer(options.maxOutputBytes);
  const stderr = new CappedBuffer(options.maxOutputBytes);
  const result = new CappedBuffer(options.maxResultBytes);
  return new Promise((resolve) => {
    let timedOut = false;
    let spawnError: Error | null = null;
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      // 3: the seccomp program (or nothing), 4: the result pipe. Every other descriptor the
      // process holds is closed by the launcher before the script starts.
      stdio: ['ignore', 'pipe', 'pipe', options.fd3 ?? 'ignore', 'pipe'],
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    });
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    const resultPipe = child.stdio[4] as NodeJS.ReadableStream | null;
    resultPipe?.on('data', (chunk: Buffer) => result.push(chunk));
    resultPipe?.on('error', () => undefined);
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      killGroup();
      resolve({ exitCode: code, signal, stdout, stderr, result, timedOut, wallMs: performance.now() - started, spawnError });
    };
    child.on('error', (error) => {
      spawnError = error;
      if (child.pid === undefined) finish(null, null); // never started: no 'close' to wait for
    });
    child.on('exit', () => killGroup());
    child.on('close', (code, signal) => finish(code, signal));
  });
}
