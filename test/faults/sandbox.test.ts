import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './collectProcess.js';

// Promises (issue 13 item 4, issue 17 item 1), checked through the real `debbie run-script`,
// which holds the DuckDB store open while the script runs:
// - no descriptor of the parent reaches the script (it cannot read the store, nor any session);
// - the script cannot exceed its disk, /dev/shm and file-count caps, and ptrace fails;
// - its python_exec event goes to a session of its own, linked to the analysed one, so
//   `debbie sessions` is unchanged for the analysed session; `--format json` reports the
//   script's real exit code when it fails.

const exec = promisify(execFile);
let dir: string;
let session: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
async function debbie(args: string[]): Promise<Run> {
  return exec(process.execPath, [BIN, ...args], { cwd: dir, maxBuffer: 64 << 20 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
async function runScript(script: string, extra: string[] = []): Promise<Run> {
  writeFileSync(join(dir, 'probe.py'), script);
  writeFileSync(join(dir, 'debbie.yaml'), 'debbie_config:\n  python_execution: {timeout: 20, allowed_imports: [os, json, ctypes]}\n');
  return debbie(['run-script', 'probe.py', '--session', session, '--store', 's.duckdb', '--config', 'debbie.yaml', ...extra]);
}
async function sessions(): Promise<Record<string, unknown>[]> {
  return JSON.parse((await debbie(['sessions', '--store', 's.duckdb', '--format', 'json'])).stdout);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-fault-sandbox-'));
  const demo = await debbie(['demo', '--scenario', 'healthy', '--store', 's.duckdb', '--format', 'json', '--interventions', 'off']);
  session = JSON.parse(demo.stdout)[0].session_ids[0];
}, 120_000);

describe('fault: sandbox escapes and resource floods through debbie run-script', () => {
  it('the script sees only 0, 1, 2 and its result pipe, though the store is open in the parent', async () => {
    const r = await runScript(
      [
        'import os, json',
        'fds = {}',
        'for f in os.listdir("/proc/self/fd"):',
        '    try: fds[f] = os.readlink("/proc/self/fd/" + f)',
        '    except OSError: pass',
        'leaked = []',
        'for f, target in fds.items():',
        '    if int(f) > 2 and "socket" not in target and "pipe" not in target:',
        '        try: leaked.append((target, len(os.pread(int(f), 4096, 0))))',
        '        except OSError as e: leaked.append((target, str(e)))',
        'print(json.dumps({"fds": sorted(int(f) for f in fds), "leaked": leaked}))',
      ].join('\n'),
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { fds: number[]; leaked: unknown[] };
    expect(out.fds).toEqual([0, 1, 2, 4]);
    expect(out.leaked).toEqual([]);
  }, 60_000);

  it('ptrace fails (EPERM) and a flood of disk, /dev/shm and files stops at the caps', async () => {
    const r = await runScript(
      [
        'import os, json, ctypes',
        'libc = ctypes.CDLL(None, use_errno=True)',
        'ptrace = (libc.ptrace(0, 0, 0, 0), ctypes.get_errno())',
        'def fill(path):',
        '    n = 0',
        '    try:',
        '        with open(path, "wb") as f:',
        '            while n < 4096:',
        '                f.write(b"x" * (1 << 20)); f.flush(); n += 1',
        '    except OSError as e:',
        '        os.remove(path); return [n, e.errno]',
        '    return [n, 0]',
        'disk = fill("/work/flood")',
        'shm = fill("/dev/shm/flood")',
        'files, err = 0, 0',
        'try:',
        '    while files < 1000000:',
        '        open("/tmp/f%d" % files, "w").close(); files += 1',
        'except OSError as e:',
        '    err = e.errno',
        'print(json.dumps({"ptrace": ptrace, "disk": disk, "shm": shm, "files": [files, err]}))',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, [number, number]>;
    expect(out.ptrace).toEqual([-1, 1]);
    // ENOSPC at the 64 MB tmpfs or EFBIG at the 64 MB file-size cap, whichever comes first; never GBs of host disk or RAM
    expect([27, 28]).toContain(out.disk[1]);
    expect(out.disk[0]).toBeLessThanOrEqual(64);
    expect([27, 28]).toContain(out.shm[1]);
    expect(out.shm[0]).toBeLessThanOrEqual(64);
    expect(out.files[1]).toBe(28); // ENOSPC at the inode cap, not a million files
    expect(out.files[0]).toBeLessThanOrEqual(10_000);
  }, 120_000);

  it('records runs in a session of their own: sessions is unchanged for the analysed session', async () => {
    const before = (await sessions()).find((s) => s.session_id === session);
    const ok = await runScript('print(len(logs))');
    const failed = await runScript('1/0', ['--format', 'json']);
    const after = await sessions();
    expect(ok.code).toBe(0);
    expect(after.find((s) => s.session_id === session)).toEqual(before);
    const runs = after.find((s) => s.session_id === `python_exec-${session}`);
    expect(runs).toMatchObject({ event_count: expect.any(Number) });
    const events = JSON.parse((await debbie(['events', '--session', `python_exec-${session}`, '--store', 's.duckdb', '--format', 'json'])).stdout);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.every((e: { details: { analysed_session_id: string } }) => e.details.analysed_session_id === session)).toBe(true);
    // --format json: the failed script's real exit code, and the command's own
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ exit_code: 1, error: 'ZeroDivisionError: division by zero' });
  }, 120_000);
});
