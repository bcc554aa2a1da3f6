/** Where a sandboxed run sees its work directory. */
export const SANDBOX_WORK_DIR = '/work';

export interface SandboxLimits {
  memoryLimitMb: number;
  cpuSeconds: number;
  /** The RLIMIT_NPROC value itself (it counts every task of the uid). */
  maxProcesses: number;
  maxFileMb: number;
  tmpfsMb: number;
}

export interface SandboxCommandInput {
  isolation: 'bubblewrap' | 'none';
  pythonPath: string;
  prlimitPath: string;
  bwrapPath: string;
  /** Host path of the run's work directory. */
  workDir: string;
  limits: SandboxLimits;
  /** Extra host paths mounted read-only at the same place (e.g. an interpreter outside /usr). */
  readOnlyBinds: readonly string[];
}

export interface SandboxCommand {
  command: string;
  args: string[];
  /** The directory the child is started in. */
  cwd: string;
}

const MB = 1024 * 1024;

/**
 * The command line of one run: prlimit (memory, CPU, tasks, file size, no core dumps) around
 * bubblewrap (user namespace as uid 65534, all capabilities dropped, every namespace unshared so
 * no network, a read-only /usr, a private size-capped /tmp, the work directory as the only
 * writable host path, a cleared environment) around the interpreter running the prelude.
 * This is the line DESIGN.md records as checked on this machine; never drop --unshare-user and
 * --cap-drop ALL (without them root inside could remount / read-write).
 */
export function buildSandboxCommand(input: SandboxCommandInput): SandboxCommand {
  const { limits } = input;
  const prlimit = [
    `--as=${limits.memoryLimitMb * MB}`,
    // soft:hard, so the script gets SIGXCPU (a clear cause) a second before the hard SIGKILL.
    `--cpu=${limits.cpuSeconds}:${limits.cpuSeconds + 1}`,
    `--fsize=${limits.maxFileMb * MB}`,
    '--core=0',
    `--nproc=${limits.maxProcesses}`,
    '--',
  ];
  const python = [input.pythonPath, '-I', '-B'];
  if (input.isolation === 'none') {
    return { command: input.prlimitPath, args: [...prlimit, ...python, 'debbie_prelude.py'], cwd: input.workDir };
  }
  const binds = input.readOnlyBinds.flatMap((p) => ['--ro-bind', p, p]);
  const bwrap = [
    input.bwrapPath,
    '--unshare-all', '--unshare-user', '--disable-userns',
    '--uid', '65534', '--gid', '65534',
    '--cap-drop', 'ALL',
    '--die-with-parent', '--new-session',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--ro-bind', '/etc/alternatives', '/etc/alternatives',
    '--ro-bind', '/etc/ld.so.cache', '/etc/ld.so.cache',
    ...binds,
    '--dev', '/dev',
    '--proc', '/proc',
    '--size', String(limits.tmpfsMb * MB), '--tmpfs', '/tmp',
    '--bind', input.workDir, SANDBOX_WORK_DIR,
    '--chdir', SANDBOX_WORK_DIR,
    '--clearenv',
    '--setenv', 'PATH', '/usr/bin',
    '--setenv', 'HOME', SANDBOX_WORK_DIR,
    '--setenv', 'OPENBLAS_NUM_THREADS', '1',
    '--setenv', 'OMP_NUM_THREADS', '1',
    '--setenv', 'MPLCONFIGDIR', '/tmp',
    '--setenv', 'MPLBACKEND', 'Agg',
  ];
  return {
    command: input.prlimitPath,
    args: [...prlimit, ...bwrap, ...python, `${SANDBOX_WORK_DIR}/debbie_prelude.py`],
    cwd: '/',
  };
}
