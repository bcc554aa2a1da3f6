import { mkdtempSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALLOWED_IMPORTS } from './defaults.js';
import { PythonExecutor } from './PythonExecutor.js';

// The sandbox, not the import policy, is the security boundary: these probes open the policy
// (os, socket) and check that bubblewrap + prlimit contain each one with a clear error.
const open = new PythonExecutor({ allowedImports: [...DEFAULT_ALLOWED_IMPORTS, 'os', 'socket'], timeoutMs: 10_000 });
const REPO_FILE = resolve(fileURLToPath(new URL('../../../package.json', import.meta.url)));

/**
 * Host processes still running as the run's uid (none may outlive a run). Zombies are left out:
 * they run nothing, and a killed sandbox's init is reaped by the host's pid 1 (which in some
 * containers never reaps).
 */
function processesOf(uid: number): string[] {
  const left: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status) && !/^State:\s+Z/m.test(status)) left.push(pid);
    } catch {
      // the process ended while we looked
    }
  }
  return left;
}

describe('sandbox containment (issue 13: descriptors, seccomp, disk/shm/file caps)', () => {
  const small = new PythonExecutor({ allowedImports: [...DEFAULT_ALLOWED_IMPORTS, 'os', 'ctypes', 'mmap'], timeoutMs: 20_000, tmpfsMb: 8, maxFiles: 300 });

  it('sees only descriptors 0, 1, 2 and its result pipe', async () => {
    const r = await open.execute("import os\nfds = sorted(int(f) for f in os.listdir('/proc/self/fd') if os.path.exists('/proc/self/fd/' + f))");
    expect(r.error).toBeNull();
    expect(r.variables.fds).toEqual([0, 1, 2, 4]);
  });

  it('ptrace and the other denied syscalls fail with EPERM (seccomp)', async () => {
    const r = await small.execute(
      [
        'import ctypes, os',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'def errno_of(rc): return ctypes.get_errno() if rc == -1 else 0',
        'ptrace_traceme = errno_of(libc.ptrace(0, 0, 0, 0))',
        'ptrace_attach = errno_of(libc.ptrace(16, 1, 0, 0))',
        'unshare = errno_of(libc.unshare(0x00020000))',
        'mount = errno_of(libc.mount(b"none", b"/tmp", b"tmpfs", 0, None))',
        'bpf = errno_of(libc.syscall(321, 0, 0, 0))',
        'io_uring = errno_of(libc.syscall(425, 1, 0))',
        'getpid_ok = os.getpid() > 0',
      ].join('\n'),
    );
    expect(r.error).toBeNull();
    expect(r.variables).toMatchObject({ ptrace_traceme: 1, ptrace_attach: 1, unshare: 1, mount: 1, bpf: 1, io_uring: 1, getpid_ok: true });
  });

  it('cannot exceed its disk cap in the work directory, /tmp or /dev/shm (one 8 MB tmpfs)', async () => {
    const r = await small.execute(
      [
        'import os',
        'def fill(path):',
        '    written = 0',
        '    try:',
        '        with open(path, "wb") as f:',
        '            for _ in range(64):',
        '                f.write(b"x" * (1 << 20)); f.flush(); written += 1',
        '    except OSError as e:',
        '        return (written, e.errno)',
        '    finally:',
        '        try: os.remove(path)',
        '        except OSError: pass',
        '    return (written, 0)',
        'work = fill("/work/big")',
        'tmp = fill("/tmp/big")',
        'shm = fill("/dev/shm/big")',
      ].join('\n'),
    );
    expect(r.error).toBeNull();
    for (const where of ['work', 'tmp', 'shm']) {
      const [mb, errno] = r.variables[where] as [number, number];
      expect(errno, where).toBe(28); // ENOSPC
      expect(mb, where).toBeLessThanOrEqual(8);
    }
  });

  it('cannot create more files than its inode cap', async () => {
    const r = await small.execute(
      [
        'import os',
        'made = 0',
        'err = 0',
        'try:',
        '    for i in range(100000):',
        '        open(f"/work/f{i}", "w").close(); made += 1',
        'except OSError as e:',
        '    err = e.errno',
      ].join('\n'),
    );
    expect(r.error).toBeNull();
    expect(r.variables.err).toBe(28);
    expect(r.variables.made as number).toBeLessThan(300);
  });

  const hostDir = mkdtempSync(join(tmpdir(), 'debbie-py-probe-'));
  afterAll(() => rmSync(hostDir, { recursive: true, force: true }));

  it('refuses a TCP connection to a server listening on the host 127.0.0.1', async () => {
    let connections = 0;
    const server = createServer((s) => {
      connections += 1;
      s.destroy();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    try {
      const r = await open.execute(`import socket\ns = socket.create_connection(('127.0.0.1', ${port}), timeout=2)`);
      expect(r.error).toMatch(/ConnectionRefusedError|Network is unreachable/);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('cannot resolve a DNS name', async () => {
    const r = await open.execute(`import socket\nsocket.getaddrinfo('example.com', 443)`);
    expect(r.error).toMatch(/gaierror: \[Errno -\d+\] (Temporary failure in name resolution|Name or service not known)/);
  });

  it('cannot read /etc/shadow nor the repository, and sees a minimal /', async () => {
    const shadow = await open.execute(`import os\nroot = sorted(os.listdir('/'))\netc = sorted(os.listdir('/etc'))\nopen('/etc/shadow').read()`);
    expect(shadow.error).toMatch(/FileNotFoundError: \[Errno 2\] No such file or directory: '\/etc\/shadow'/);
    expect(shadow.variables.root).toEqual(['bin', 'dev', 'etc', 'lib', 'lib64', 'proc', 'tmp', 'usr', 'work']);
    expect(shadow.variables.etc).toEqual(['alternatives', 'ld.so.cache']);
    const repo = await open.execute(`open(${JSON.stringify(REPO_FILE)}).read()`);
    expect(repo.error).toMatch(/FileNotFoundError/);
  });

  it('cannot write outside its work directory', async () => {
    const target = join(hostDir, 'escaped.txt');
    const r = await open.execute(
      `import os\ntry:\n    open('/usr/escaped.txt', 'w')\nexcept OSError as e:\n    usr_error = str(e)\nopen(${JSON.stringify(target)}, 'w').write('x')`,
    );
    expect(r.variables.usr_error).toMatch(/Read-only file system/);
    expect(r.error).toMatch(/FileNotFoundError/);
    expect(existsSync(target)).toBe(false);
  });

  it('stops a fork bomb: the wall-clock timeout kills the whole process group', async () => {
    const py = new PythonExecutor({ allowedImports: ['os'], timeoutMs: 3000 });
    const r = await py.execute('import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass');
    expect(r.error_kind).toBe('timeout');
    expect(r.error).toBe("timed out after 3 s (wall clock); the sandbox's process group was killed");
    if (r.sandbox_uid !== null) expect(processesOf(r.sandbox_uid)).toEqual([]);
  });

  it('caps the number of processes (prlimit --nproc; under root, a uid of its own per run)', async () => {
    const py = new PythonExecutor({ allowedImports: ['os', 'time'], maxProcesses: 16 });
    const r = await py.execute(
      [
        'import os, time',
        'forked = 0',
        'while forked < 200:',
        '    pid = os.fork()',
        '    if pid == 0:',
        '        time.sleep(5)',
        '        os._exit(0)',
        '    forked += 1',
      ].join('\n'),
    );
    expect(r.error).toMatch(/BlockingIOError: \[Errno 11\] Resource temporarily unavailable/);
    expect(r.variables.forked).toBeLessThan(16);
    if (r.sandbox_uid !== null) expect(processesOf(r.sandbox_uid)).toEqual([]);
  });

  it('kills a CPU-bound script at its CPU-time limit (SIGXCPU) before the wall clock', async () => {
    const py = new PythonExecutor({ cpuSeconds: 1, timeoutMs: 20_000 });
    const r = await py.execute('while True:\n    pass');
    expect(r.error_kind).toBe('killed');
    expect(r.error).toBe('the interpreter was killed by SIGXCPU: the CPU time limit of 1 s was exceeded');
  });

  it('turns a 2 GB allocation into a MemoryError naming the limit', async () => {
    const r = await open.execute('x = bytearray(2 * 1024 ** 3)');
    expect(r.error).toBe('MemoryError: the script exceeded the sandbox memory limit of 512 MB');
    expect(r.error_type).toBe('MemoryError');
  });

  it('kills an infinite loop at the timeout and keeps what it printed before', async () => {
    const py = new PythonExecutor({ timeoutMs: 2000 });
    const r = await py.execute("print('before the loop')\nwhile True:\n    pass");
    expect(r.error).toBe("timed out after 2 s (wall clock); the sandbox's process group was killed");
    expect(r.output).toBe('before the loop\n');
  });

  it('does not see an environment secret of the parent, not even in /proc', async () => {
    process.env.DEBBIE_PROBE_SECRET = 'hunter2-do-not-leak';
    try {
      const script = [
        'import os',
        "in_env = [k for k, v in os.environ.items() if 'hunter2' in v]",
        'in_proc = []',
        "for _pid in [p for p in os.listdir('/proc') if p.isdigit()]:",
        '    try:',
        "        if b'hunter2' in open(f'/proc/{_pid}/environ', 'rb').read():",
        '            in_proc.append(_pid)',
        '    except OSError:',
        '        pass',
        "os.environ['DEBBIE_PROBE_SECRET']",
      ].join('\n');
      for (const py of [open, new PythonExecutor({ isolation: 'none', allowedImports: ['os'] })]) {
        const r = await py.execute(script);
        expect(r.error).toBe("KeyError: 'DEBBIE_PROBE_SECRET'");
        expect(r.variables).toEqual({ in_env: [], in_proc: [] });
      }
    } finally {
      delete process.env.DEBBIE_PROBE_SECRET;
    }
  });

  it('refuses imports outside the allow-list with an error naming the policy', async () => {
    const py = new PythonExecutor();
    for (const stmt of ['import os', 'from subprocess import run', "__import__('socket')", 'import importlib']) {
      const r = await py.execute(stmt);
      expect(r.error_type).toBe('ImportPolicyError');
      expect(r.error).toMatch(/import of '\w+' is not allowed by Debbie's Python import policy \(allowed: asyncio, collections, dataclasses, datetime/);
    }
    const allowed = await py.execute('import json, re, collections.abc\nfrom datetime import timedelta\nok = True');
    expect(allowed.error).toBeNull();
  });

  it('cannot forge its result through a planted file: the result comes over a pipe', async () => {
    const r = await open.execute("import os\nos.symlink('/etc/hostname', 'result.json')\nos._exit(0)");
    expect(r.error_kind).toBe('crashed');
    expect(r.error).toMatch(/the script produced no result/);
  });

  it('refuses to run without bubblewrap unless isolation is explicitly off', async () => {
    const py = new PythonExecutor({ bwrapPath: '/nonexistent/bwrap' });
    await expect(py.execute('print(1)')).rejects.toThrow(
      /bubblewrap not found at \/nonexistent\/bwrap: refusing to run Python scripts without a sandbox\. Install it \(apt-get install bubblewrap\) or, for trusted scripts only, pass isolation: 'none'\./,
    );
    const unsandboxed = new PythonExecutor({ bwrapPath: '/nonexistent/bwrap', isolation: 'none' });
    const r = await unsandboxed.execute('print(1)');
    expect(r).toMatchObject({ output: '1\n', error: null, isolation: 'none' });
  });
});
