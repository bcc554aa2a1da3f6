import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DebbieEvent, SessionSummary } from '@debbie/model';

// The CLI as a user runs it: the built binary (`pnpm build` first), in a temporary directory.
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const exec = promisify(execFile);
const cwd = mkdtempSync(join(tmpdir(), 'debbie-demo-'));
const debbie = (...args: string[]) => exec(process.execPath, [bin, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });

describe('debbie demo → sessions → events (the foundation, end to end)', () => {
  let sessions: SessionSummary[];
  let demoOut: string;
  beforeAll(async () => {
    demoOut = (await debbie('demo', '--scenario', 'all', '--store', 'S.duckdb')).stdout;
    sessions = JSON.parse((await debbie('sessions', '--store', 'S.duckdb', '--format', 'json')).stdout);
  }, 120_000);

  it('puts at least six sessions into the store and prints a summary per scenario', () => {
    expect(sessions.length).toBeGreaterThanOrEqual(6);
    for (const name of ['healthy', 'continuation-stall', 'tool-loop', 'error-burst', 'slow-tool', 'websocket-timeout']) {
      expect(demoOut).toContain(`== ${name}:`);
    }
    expect(demoOut).toMatch(/\d+ sessions, \d+ events stored in S\.duckdb/);
    expect(existsSync(join(cwd, 'debug_timelines', `session_${sessions[0]!.session_id}.html`))).toBe(true);
    expect(existsSync(join(cwd, 'debug_reports', `session_${sessions[0]!.session_id}.md`))).toBe(true);
  });

  it('prints events with every id, and parent links that form one tree per turn', async () => {
    const sources = new Set<string>();
    let untraced = 0;
    let total = 0;
    for (const s of sessions) {
      const events: DebbieEvent[] = JSON.parse((await debbie('events', '--session', s.session_id, '--store', 'S.duckdb', '--format', 'json')).stdout);
      expect(events).toHaveLength(s.event_count);
      total += events.length;
      const turns = new Map<string, DebbieEvent[]>();
      for (const e of events) {
        sources.add(e.source);
        expect(e.session_id).toBe(s.session_id);
        if (e.source === 'debbie' || e.source === 'debbie_comment') continue; // Debbie's own, checked elsewhere
        if (e.trace_id === null) {
          // Only point events that happen outside any operation (a frame the server ignores, a
          // reply that arrives after the client gave up) have no trace; they are few.
          expect(e.kind, `${e.source}/${e.action} without a trace`).toBe('log');
          untraced += 1;
          continue;
        }
        expect(e.trace_id).toMatch(/^[0-9a-f]{32}$/);
        expect(e.span_id).toMatch(/^[0-9a-f]{16}$/);
        expect(e.correlation_id).toBeTruthy();
        if (['agent', 'ai_service', 'tool'].includes(e.source)) expect(e.agent_id).toBeTruthy();
        if (e.correlation_id!.includes('-turn-')) turns.set(e.correlation_id!, [...(turns.get(e.correlation_id!) ?? []), e]);
      }
      expect(turns.size).toBeGreaterThan(0);
      for (const [id, group] of turns) {
        const ids = new Set(group.map((e) => e.event_id));
        const roots = group.filter((e) => !e.parent_id || !ids.has(e.parent_id));
        expect(roots, `turn ${id}`).toHaveLength(1);
        expect(new Set(group.map((e) => e.trace_id)).size, `turn ${id}`).toBe(1);
        expect(group.filter((e) => e.source === 'agent').length, `turn ${id} has an agent`).toBeGreaterThan(0);
      }
    }
    for (const source of ['server', 'agent', 'ai_service', 'tool', 'session', 'websocket', 'user_script']) expect(sources).toContain(source);
    expect(untraced / total).toBeLessThan(0.01);
  }, 180_000);

  it('filters events by source and level from flags', async () => {
    const withToolErrors = sessions.filter((s) => s.error_count > 0 && (s.events_per_source.tool ?? 0) > 0);
    let id = '';
    for (const s of withToolErrors) {
      const all: DebbieEvent[] = JSON.parse((await debbie('events', '--session', s.session_id, '--store', 'S.duckdb', '--format', 'json')).stdout);
      if (all.some((e) => e.source === 'tool' && e.level === 'ERROR')) id = s.session_id;
    }
    expect(id).not.toBe('');
    const errors: DebbieEvent[] = JSON.parse(
      (await debbie('events', '--session', id, '--min-level', 'ERROR', '--source', 'tool', '--store', 'S.duckdb', '--format', 'json')).stdout,
    );
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e).toMatchObject({ source: 'tool' });
    expect(errors.every((e) => e.level === 'ERROR' || e.level === 'CRITICAL')).toBe(true);
  }, 120_000);

  it('answers bad input with a clear message and a non-zero exit', async () => {
    await expect(debbie('demo', '--scenario', 'nope', '--store', 'S.duckdb')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown scenario "nope"; expected one of healthy/),
    });
    await expect(debbie('events', '--session', 'x', '--source', 'robot', '--store', 'S.duckdb')).rejects.toMatchObject({
      stderr: expect.stringMatching(/unknown source "robot"/),
    });
    await expect(debbie('sessions', '--store', 'missing.duckdb')).rejects.toMatchObject({ stderr: expect.stringMatching(/missing\.duckdb/) });
    await expect(debbie('frobnicate')).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command "frobnicate"/) });
    const help = await debbie('demo', '--help');
    expect(help.stdout).toMatch(/Usage: debbie demo/);
  });
});
