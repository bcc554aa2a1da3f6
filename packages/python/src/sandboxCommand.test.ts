import { describe, expect, it } from 'vitest';
import { buildSandboxCommand, type SandboxCommandInput } from './sandboxCommand.js';

const input: SandboxCommandInput = {
  isolation: 'bubblewrap',
  pythonPath: '/usr/bin/python3',
  prlimitPath: '/usr/bin/prlimit',
  bwrapPath: '/usr/bin/bwrap',
  workDir: '/tmp/debbie-py-x',
  readOnlyBinds: [],
  launcherPath: '/pkg/python/debbie_launch.py',
  seccompFd: 3,
  limits: { memoryLimitMb: 512, cpuSeconds: 31, maxProcesses: 32, maxFileMb: 64, tmpfsMb: 64, maxFiles: 10_000 },
};

describe('buildSandboxCommand', () => {
  it('wraps bubblewrap in prlimit with the memory, CPU, task, file-size and core limits', () => {
    const { command, args } = buildSandboxCommand(input);
    expect(command).toBe('/usr/bin/prlimit');
    expect(args.slice(0, args.indexOf('--'))).toEqual(['--as=536870912', '--cpu=31:32', '--fsize=67108864', '--core=0', '--nproc=32']);
    // then the launcher: keeps descriptors 3 (seccomp) and 4 (result), mounts the capped scratch tmpfs
    const launcher = args.slice(args.indexOf('--') + 1);
    expect(launcher.slice(0, 9)).toEqual([
      '/usr/bin/python3',
      '-I',
      '-S',
      '/pkg/python/debbie_launch.py',
      '3,4',
      '/tmp/debbie-py-x/scratch',
      '67108864',
      '10000',
      '--',
    ]);
    expect(launcher[9]).toBe('/usr/bin/bwrap');
  });

  it('never drops the user namespace and the capability drop, and unshares the network', () => {
    const { args } = buildSandboxCommand(input);
    for (const flag of ['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session', '--clearenv']) {
      expect(args).toContain(flag);
    }
    expect(args.join(' ')).toContain('--cap-drop ALL');
    expect(args.join(' ')).toContain('--uid 65534 --gid 65534');
    expect(args.join(' ')).not.toContain('--share-net');
  });

  it('binds /usr read-only, the inputs read-only, and only the capped scratch tmpfs writable', () => {
    const { args, cwd } = buildSandboxCommand({ ...input, readOnlyBinds: ['/opt/py'] });
    const joined = args.join(' ');
    expect(joined).toContain('--ro-bind /usr /usr');
    expect(joined).toContain('--ro-bind /opt/py /opt/py');
    expect(joined).toContain('--bind /tmp/debbie-py-x/scratch/work /work');
    expect(joined).toContain('--bind /tmp/debbie-py-x/scratch/tmp /tmp');
    expect(joined).toContain('--dev /dev --proc /proc --bind /tmp/debbie-py-x/scratch/tmp /tmp --bind /tmp/debbie-py-x/scratch/shm /dev/shm');
    expect(args.filter((a) => a === '--bind')).toHaveLength(3);
    expect(joined).toContain('--ro-bind /tmp/debbie-py-x/script.py /work/script.py');
    expect(joined).toContain('--seccomp 3');
    expect(joined).toContain('--setenv OPENBLAS_NUM_THREADS 1');
    expect(args.slice(-4)).toEqual(['/usr/bin/python3', '-I', '-B', '/work/debbie_prelude.py']);
    expect(cwd).toBe('/');
  });

  it('without isolation runs the prelude under prlimit in the work directory', () => {
    const { command, args, cwd } = buildSandboxCommand({ ...input, isolation: 'none' });
    expect(command).toBe('/usr/bin/prlimit');
    expect(args).not.toContain('/usr/bin/bwrap');
    expect(args).toContain('/pkg/python/debbie_launch.py'); // descriptors are closed here too
    expect(args).not.toContain('--seccomp');
    expect(args.slice(-4)).toEqual(['/usr/bin/python3', '-I', '-B', 'debbie_prelude.py']);
    expect(cwd).toBe('/tmp/debbie-py-x');
  });
});
