import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DebbieEvent } from '@debbie/model';
import { openStore } from '@debbie/store';

// Issue 11's done-when: `debbie collect` with commentary ON and `debbie demo --url` for every
// scenario. The demo's own pipeline comments (on the simulator's clock); the collector must store
// each of those comments once, not comment again with today's wall clock, and its stop line must
// count every event that arrived through POST /api/events.
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const exec = promisify(execFile);
const cwd = mkdtempSync(join(tmpdir(), 'debbie-once-'));
let collect: ChildProcessWithoutNullStreams | undefined;

afterAll(() => {
  if (collect && collect.exitCode === null) collect.kill('SIGKILL');
  rmSync(cwd, { recursive: true, force: true });
});

const COMMENT_SOURCES = new Set(['debbie_comment', 'debbie']);

describe('one pipeline: collect (commentary on) + demo --url, every scenario', () => {
  it('stores each insight once with simulated timestamps, and the stop line counts every event', async () => {
    collect = spawn(process.execPath, [bin, 'collect', '--otlp-port', '0', '--stream-port', '0', '--store', 'c.duckdb'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    collect.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    collect.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const url = await new Promise<string>((resolve, reject) => {
      collect!.stdout.on('data', () => {
        const m = /OTLP\/HTTP on (http:\/\/[^/\s]+)\/v1\/traces[\s\S]*commentary on/.exec(out);
        if (m) resolve(m[1]!);
      });
      collect!.once('exit', (code) => reject(new Error(`collect exited ${code}: ${out}`)));
    });
    const { stdout } = await exec(process.execPath, [bin, 'demo', '--scenario', 'all', '--url', url, '--format', 'json', '--out-dir', cwd], {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
    });
    const summaries = JSON.parse(stdout) as { scenario: string; events: number; commentary: string[]; session_ids: string[] }[];
    const sent = summaries.reduce((n, s) => n + s.events, 0);
    const demoComments = summaries.reduce((n, s) => n + s.commentary.length, 0);
    expect(demoComments).toBeGreaterThan(0); // the scenarios do make insights

    const exited = new Promise<number | null>((resolve) => collect!.once('exit', resolve));
    collect.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Every event that arrived (all through POST /api/events) is counted, and none was commented again.
    expect(out).toMatch(new RegExp(`stopped; ${sent} events received .*, ${sent} stored \\(comments included\\), 0 comments`));

    const store = await openStore(join(cwd, 'c.duckdb'), { readOnly: true });
    try {
      const all: DebbieEvent[] = [];
      for await (const page of store.streamEvents({})) all.push(...page);
      expect(all).toHaveLength(sent);
      expect(new Set(all.map((e) => e.event_id)).size).toBe(all.length);
      const comments = all.filter((e) => COMMENT_SOURCES.has(e.source));
      expect(comments).toHaveLength(demoComments);
      // Each comment sits on its session's simulated clock, not today's wall clock.
      for (const c of comments) {
        const session = all.filter((e) => e.session_id === c.session_id && !COMMENT_SOURCES.has(e.source));
        const first = Math.min(...session.map((e) => Date.parse(e.timestamp)));
        const last = Math.max(...session.map((e) => Date.parse(e.timestamp) + (e.duration_ms ?? 0)));
        const at = Date.parse(c.timestamp);
        expect(at, `${c.event_summary} at ${c.timestamp}`).toBeGreaterThanOrEqual(first);
        expect(at, `${c.event_summary} at ${c.timestamp}`).toBeLessThanOrEqual(last + 10 * 60_000);
      }
      for (const s of summaries) {
        const stored = comments.filter((c) => s.session_ids.includes(c.session_id ?? '')).length;
        expect(stored, s.scenario).toBe(s.commentary.length);
      }
    } finally {
      await store.close();
    }
  }, 300_000);
});
