import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { DebbieEvent } from '@debbie/model';

// Issue 4's done-when, as a person would do it: a collector running, `debbie tail --source tool`
// watching, and a demo scenario sent to the collector live.
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const exec = promisify(execFile);
const cwd = mkdtempSync(join(tmpdir(), 'debbie-live-'));
const children: ChildProcessWithoutNullStreams[] = [];

function start(args: string[], ready: RegExp): Promise<{ child: ChildProcessWithoutNullStreams; match: RegExpExecArray; output: () => string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) resolve({ child, match: m, output: () => out });
    });
    child.once('exit', (code) => reject(new Error(`debbie ${args[0]} exited ${code}: ${out}`)));
  });
}

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('a demo scenario against a running collector, watched with debbie tail', () => {
  it('tail --source tool shows only tool events, live', async () => {
    const collect = await start(
      ['collect', '--otlp-port', '0', '--stream-port', '0', '--store', 'c.duckdb', '--no-commentary'],
      /OTLP\/HTTP on (http:\/\/[^/\s]+)\/v1\/traces[\s\S]*live stream on (ws:\/\/\S+)/,
    );
    const [, url, streamUrl] = collect.match;
    const tail = spawn(process.execPath, [bin, 'tail', '--source', 'tool', '--url', streamUrl!, '--no-replay', '--format', 'jsonl'], { cwd });
    children.push(tail);
    let tailOut = '';
    tail.stdout.on('data', (d: Buffer) => {
      tailOut += d.toString();
    });
    await new Promise((r) => setTimeout(r, 1000)); // tail connected before anything is sent
    const { stdout } = await exec(process.execPath, [bin, 'demo', '--scenario', 'slow-tool', '--url', url!, '--format', 'json'], { cwd });
    const [summary] = JSON.parse(stdout);
    const expectedTools = summary.events_per_source.tool as number;
    for (let i = 0; i < 100 && tailOut.trim().split('\n').filter(Boolean).length < expectedTools; i++) await new Promise((r) => setTimeout(r, 100));
    tail.kill('SIGINT');
    await new Promise((r) => tail.once('exit', r));
    const lines: DebbieEvent[] = tailOut
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(expectedTools);
    expect(lines.every((e) => e.source === 'tool')).toBe(true);
    expect(new Set(lines.map((e) => e.session_id))).toEqual(new Set(summary.session_ids));
    // The collector stored them too, and the demo's timeline/report were read back from it.
    const sessions = JSON.parse((await exec(process.execPath, [bin, 'sessions', '--url', url!, '--format', 'json'], { cwd })).stdout);
    expect(sessions.map((s: { session_id: string }) => s.session_id)).toEqual(summary.session_ids);
    expect(summary.reports).toHaveLength(1);
    collect.child.kill('SIGTERM');
    await new Promise((r) => collect.child.once('exit', r));
  }, 120_000);
});
