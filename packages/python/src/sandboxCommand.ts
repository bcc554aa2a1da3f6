/** Where a sandboxed run sees its work directory. */
export const SANDBOX_WORK_DIR = '/work';

export interface SandboxLimits {
  memoryLimitMb: number;
  cpuSeconds: number;
  /** The RLIMIT_NPROC value itself (it counts every task of the uid). */
  maxProcesses: number;
  maxFileMb: number;
  /** One tmpfs for /work, /tmp and /dev/shm together: its size … */
  tmpfsMb: number;
  /** … and its inode count (files and directories the script may create). */
  maxFiles: number;
}

export interface SandboxCommandInput {
  isolation: 'bubblewrap' | 'none';
  pythonPath: string;
  prlimitPath: string;
  bwrapPath: string;
  /** Host path of the run's work directory (inputs; never visible to the script as a directory). */
  workDir: string;
  /** The launcher script (python/debbie_launch.py). */
  launcherPath: string;
  /** Descriptor (in the child) of the seccomp program bubblewrap loads, when there is one. */
  seccompFd: number | null;
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
/** Descriptor on which the prelude writes its result (a pipe the parent reads). */
export const RESULT_FD = 4;
/** Descriptor of the seccomp program for bubblewrap. */
export const SECCOMP_FD = 3;
/** Files the prelude reads, bound read-only into the work directory. */
export const INPUT_FILES = ['debbie_prelude.py', 'script.py', 'logs.jsonl', 'context.json'] as const;
/** Subdirectory of the host work dir the launcher mounts the scratch tmpfs on. */
export const SCRATCH_DIR = 'scratch';

/**
 * The command line of one run: prlimit (memory, CPU, tasks, file size, no core dumps) around the
 * launcher (closes every inherited descriptor but 0, 1, 2, the seccomp program and the result
 * pipe; mounts one tmpfs capped in size and inodes for /work, /tmp and /dev/shm) around
 * bubblewrap (user namespace as uid 65534, all capabilities dropped, every namespace unshared so
 * no network, a read-only /usr, the prelude's inputs bound read-only, a seccomp filter, a cleared
 * environment) around the interpreter running the prelude.
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
  const keep = [input.seccompFd, RESULT_FD].filter((fd): fd is number => fd !== null).join(',');
  const scratch = `${input.workDir}/${SCRATCH_DIR}`;
  const launcher = (mountScratch: boolean) => [
    input.pythonPath,
    '-I',
    '-S',
    input.launcherPath,
    keep,
    mountScratch ? scratch : '-',
    String(limits.tmpfsMb * MB),
    String(limits.maxFiles),
    '--',
  ];
  if (input.isolation === 'none') {
    return { command: input.prlimitPath, args: [...prlimit, ...launcher(false), ...python, 'debbie_prelude.py'], cwd: input.workDir };
  }
  const binds = input.readOnlyBinds.flatMap((p) => ['--ro-bind', p, p]);
  const inputs = INPUT_FILES.flatMap((f) => ['--ro-bind', `${input.workDir}/${f}`, `${SANDBOX_WORK_DIR}/${f}`]);
  const bwrap = [
    input.bwrapPath,
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--uid',
    '65534',
    '--gid',
    '65534',
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--ro-bind',
    '/etc/alternatives',
    '/etc/alternatives',
    '--ro-bind',
    '/etc/ld.so.cache',
    '/etc/ld.so.cache',
    ...binds,
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--bind',
    `${scratch}/tmp`,
    '/tmp',
    '--bind',
    `${scratch}/shm`,
    '/dev/shm',
    '--bind',
    `${scratch}/work`,
    SANDBOX_WORK_DIR,
    ...inputs,
    '--chdir',
    SANDBOX_WORK_DIR,
    ...(input.seccompFd !== null ? ['--seccomp', String(input.seccompFd)] : []),
    '--clearenv',
    '--setenv',
    'PATH',
    '/usr/bin',
    '--setenv',
    'HOME',
    SANDBOX_WORK_DIR,
    '--setenv',
    'OPENBLAS_NUM_THREADS',
    '1',
    '--setenv',
    'OMP_NUM_THREADS',
    '1',
    '--setenv',
    'MPLCONFIGDIR',
    '/tmp',
    '--setenv',
    'MPLBACKEND',
    'Agg',
  ];
  return {
    command: input.prlimitPath,
    args: [...prlimit, ...launcher(true), ...bwrap, ...python, `${SANDBOX_WORK_DIR}/debbie_prelude.py`],
    cwd: '/',
  };
}
