import { describe, expect, it } from 'vitest';
import { buildSandboxCommand, type SandboxCommandInput } from './sandboxCommand.js';

const input: SandboxCommandInput = {
  isolation: 'bubblewrap', pythonPath: '/usr/bin/python3', prlimitPath: '/usr/bin/prlimit', bwrapPath: '/usr/bin/bwrap',
  workDir: '/tmp/debbie-py-x', readOnlyBinds: [],
  limits: { memoryLimitMb: 512, cpuSeconds: 31, maxProcesses: 32, maxFileMb: 64, tmpfsMb: 64 },
};

describe('buildSandboxCommand', () => {
  it('wraps bubblewrap in prlimit with the memory, CPU, task, file-size and core limits', () => {
    const { command, args } = buildSandboxCommand(input);
    expect(command).toBe('/usr/bin/prlimit');
    expect(args.slice(0, args.indexOf('--'))).toEqual([
      '--as=536870912', '--cpu=31:32', '--fsize=67108864', '--core=0', '--nproc=32',
    ]);
    expect(args[args.indexOf('--') + 1]).toBe('/usr/bin/bwrap');
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

  it('binds /usr read-only and the work directory as the only writable host path', () => {
    const { args, cwd } = buildSandboxCommand({ ...input, readOnlyBinds: ['/opt/py'] });
    const joined = args.join(' ');
    expect(joined).toContain('--ro-bind /usr /usr');
    expect(joined).toContain('--ro-bind /opt/py /opt/py');
    expect(joined).toContain('--bind /tmp/debbie-py-x /work');
    expect(args.filter((a) => a === '--bind')).toHaveLength(1);
    expect(joined).toContain('--size 67108864 --tmpfs /tmp');
    expect(joined).toContain('--setenv OPENBLAS_NUM_THREADS 1');
    expect(args.slice(-4)).toEqual(['/usr/bin/python3', '-I', '-B', '/work/debbie_prelude.py']);
    expect(cwd).toBe('/');
  });

  it("without isolation runs the prelude under prlimit in the work directory", () => {
    const { command, args, cwd } = buildSandboxCommand({ ...input, isolation: 'none' });
    expect(command).toBe('/usr/bin/prlimit');
    expect(args).not.toContain('/usr/bin/bwrap');
    expect(args.slice(-4)).toEqual(['/usr/bin/python3', '-I', '-B', 'debbie_prelude.py']);
    expect(cwd).toBe('/tmp/debbie-py-x');
  });
});
