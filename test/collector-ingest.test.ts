import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '@debbie/store';
import { PUBLIC_DATA } from './sharedData.js';

// `debbie ingest` as the built CLI: files into a store, read back by the store (another reader).
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/dist/bin.js');
let dir: string;

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first`);
  dir = mkdtempSync(join(tmpdir(), 'debbie-ingest-e2e-'));
});

const line = (t: string, logger: string, level: string, msg: string) => `2025-06-02 21:${t} 1398427 MainThread ${logger} - ${level} - ${msg}`;

describe('debbie ingest (built CLI)', () => {
  it('ingests an AIWhisperer server log with a traceback and garbage, reports counts, and the store holds every line', async () => {
    const log = join(dir, 'server.log');
    writeFileSync(
      log,
      Buffer.concat([
        Buffer.from(
          [
            line('05:15,941', 'aiwhisperer.server', 'INFO', 'Server logging configured.'),
            line('05:16,020', 'aiwhisperer.tools.tool_registry', 'INFO', '✅ Tool list_rfcs completed in 0.010s'),
            line('05:17,000', 'aiwhisperer.server', 'ERROR', 'boom'),
            'Traceback (most recent call last):',
            '  File "x.py", line 1, in <module>',
            'RuntimeError: boom',
            '',
          ].join('\n'),
        ),
        Buffer.from([0xde, 0xad, 0x00, 0xbe, 0xef, 0x0a]),
        Buffer.from(`${line('05:18,000', 'aiwhisperer.server', 'INFO', 'after the garbage')}\n`),
      ]),
    );
    const store = join(dir, 'a.duckdb');
    const run = spawnSync(process.execPath, [bin, 'ingest', log, '--store', store, '--output-format', 'json'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const [result] = JSON.parse(run.stdout) as { format: string; events: number; unparseable: number }[];
    expect(result).toMatchObject({ format: 'python-log', events: 5, unparseable: 1 });
    // A missing file is reported and skipped; the other files are still ingested.
    const other = join(dir, 'other.log');
    writeFileSync(other, `${line('05:19,000', 'aiwhisperer.agents.agent', 'INFO', 'from the other file')}\n`);
    const missing = spawnSync(process.execPath, [bin, 'ingest', join(dir, 'nope.log'), other, '--store', store], { encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope\.log: cannot read: ENOENT/);
    expect(missing.stdout).toMatch(/other\.log: python-log .* 1 lines → 1 events/);
    const s = await openStore(store, { readOnly: true });
    try {
      const events = await s.queryEvents({ sources: ['server', 'tool'] });
      expect(events.map((e) => e.event_summary)).toEqual([
        'Server logging configured.',
        '✅ Tool list_rfcs completed in 0.010s',
        'boom',
        expect.stringContaining('\\x00'),
        'after the garbage',
      ]);
      expect(events[2]!.stack_trace).toMatch(/RuntimeError: boom$/);
    } finally {
      await s.close();
    }
  });

  it('--follow reads appends and a rotated file until interrupted', async () => {
    const log = join(dir, 'follow.log');
    writeFileSync(log, `${line('06:00,000', 'aiwhisperer.server', 'INFO', 'one')}\n`);
    const store = join(dir, 'b.duckdb');
    const child = spawn(process.execPath, [bin, 'ingest', log, '--follow', '--store', store, '--output-format', 'json', '--no-commentary']);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('following')) resolve();
      }),
    );
    appendFileSync(log, `${line('06:01,000', 'aiwhisperer.server', 'INFO', 'two')}\n`);
    renameSync(log, `${log}.1`);
    writeFileSync(log, `${line('06:02,000', 'aiwhisperer.server', 'INFO', 'three')}\n`);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(JSON.parse(out)[0]).toMatchObject({ events: 3, rotations: 1 });
    const s = await openStore(store, { readOnly: true });
    try {
      expect((await s.queryEvents({})).map((e) => e.event_summary)).toEqual(['one', 'two', 'three']);
    } finally {
      await s.close();
    }
  });
  it('reads OpenHands and SWE-agent runs (public data) into sessions the store lists, with --session for a run', async () => {
    const store = join(dir, 'agents.duckdb');
    const oh = `${PUBLIC_DATA}/openhands/evaluation/benchmarks/multi_swe_bench/examples/output.jsonl`;
    const swe = `${PUBLIC_DATA}/swe_agent/tests/test_data/trajectories/gpt4__swe-bench-dev-easy_first_only__default__t-0.00__p-0.95__c-3.00__install-1/pydicom__pydicom-1458.traj`;
    const run = spawnSync(process.execPath, [bin, 'ingest', oh, swe, '--store', store, '--format', 'json', '--no-commentary'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as { format: string; events: number; unparseable: number }[];
    expect(results.map((r) => r.format)).toEqual(['openhands', 'swe-agent']);
    const mine = spawnSync(process.execPath, [bin, 'ingest', swe, '--session', 'my-swe-run', '--store', store, '--no-commentary'], { encoding: 'utf8' });
    expect(mine.status, mine.stderr).toBe(0);
    const s = await openStore(store, { readOnly: true });
    try {
      const sessions = (await s.listSessions()).map((x) => x.session_id).sort();
      expect(sessions).toHaveLength(5);
      expect(sessions).toContain('my-swe-run');
      expect(sessions.filter((id) => id.startsWith('ponylang__ponyc-'))).toHaveLength(3);
      const tools = await s.queryEvents({ sessionId: 'my-swe-run', sources: ['tool'] });
      expect(tools).toHaveLength(12);
      expect(tools[0]!.details).toMatchObject({ tool_name: 'create', tool_arguments: 'reproduce_bug.py' });
    } finally {
      await s.close();
    }
  });
});
