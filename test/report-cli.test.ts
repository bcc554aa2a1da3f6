import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario, type ScenarioRun } from '@debbie/aiwhisperer-sim';
import { startCollector } from '@debbie/collector';
import type { AnalysisReport } from '@debbie/report';
import { openStore } from '@debbie/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `debbie analyze` and `debbie timeline` as the real binary (build first: pnpm exec tsc -b packages/cli),
// over a store filled with a simulated continuation-stall session.

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function debbie(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, DEBBIE_TOKEN: '' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

let dir: string;
let storePath: string;
let run: ScenarioRun;
let session: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-report-cli-'));
  storePath = join(dir, 'debbie.duckdb');
  run = await runScenario('continuation-stall', { seed: 2, jitter: 0 });
  session = run.sessionIds[0]!;
  const store = await openStore(storePath);
  await store.append(run.events);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('debbie analyze', () => {
  it('writes the JSON report of a stored session: every event counted, the stall after a tool found', async () => {
    const r = await debbie(['analyze', '--session', session, '--store', storePath, '--format', 'json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as AnalysisReport;
    expect(report.session_id).toBe(session);
    expect(report.event_count).toBe(run.events.filter((e) => e.session_id === session).length);
    const stallFault = run.truth.faults.find((f) => f.pattern === 'continuation_stall');
    const stalls = report.patterns!.findings.filter((f) => f.pattern === 'continuation_stall');
    if (stallFault) {
      expect(stalls.length).toBeGreaterThan(0);
      // the stall the report names starts inside the labelled interval
      expect(stalls.some((s) => s.timestamp! >= stallFault.start && s.timestamp! <= stallFault.end)).toBe(true);
    }
    expect(report.recommendations!.some((x) => /continu/i.test(x.action))).toBe(stalls.length > 0);
    // the commentary detectors ran over the session too: their findings point at stored events
    const detector = report.patterns!.findings.filter((f) => f.origin === 'detector');
    expect(report.patterns!.origins).toContain('detector');
    expect(detector.map((f) => f.pattern)).toEqual(expect.arrayContaining(['continuation_stall', 'nudge_pattern']));
    // one finding per insight: the report's own checks do not repeat what the detectors found
    expect(report.patterns!.findings.filter((f) => f.origin === 'analyzer')).toEqual([]);
    expect(new Set(detector.map((f) => f.insight!.insight_id)).size).toBe(detector.length);
    const ids = new Set(run.events.map((e) => e.event_id));
    for (const f of detector) {
      expect(f.event_id).toBeNull();
      expect(f.evidence.length).toBeGreaterThan(0);
      expect(f.evidence.every((id) => ids.has(id))).toBe(true);
    }
  });

  it('prints Markdown by default and writes HTML to --out', async () => {
    const md = await debbie(['analyze', '--session', session, '--store', storePath], dir);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# Debbie analysis report: session /);
    expect(md.stdout).toContain('## Recommendations');
    const html = await debbie(['analyze', '--session', session, '--store', storePath, '--format', 'html', '--out', 'reports/r.html'], dir);
    expect(html.code).toBe(0);
    expect(html.stderr).toContain('html report written to');
    expect(readFileSync(join(dir, 'reports', 'r.html'), 'utf8')).toContain('<section id="performance">');
  });

  it('limits the report with --focus and rejects bad flags with a clear message', async () => {
    const focus = await debbie(['analyze', '--session', session, '--store', storePath, '--format', 'json', '--focus', 'errors'], dir);
    expect(Object.keys(JSON.parse(focus.stdout))).not.toContain('performance');
    // Exit 2 for a usage error, 1 for a failure (docs/cli.md).
    const cases: [string[], string, number][] = [
      [['analyze', '--store', storePath], '--session: is required', 2],
      [['analyze', '--session', 'nope', '--store', storePath], 'no session "nope"', 1],
      [['analyze', '--session', session, '--store', storePath, '--format', 'pdf'], 'unknown format "pdf"', 2],
      [['analyze', '--session', session, '--store', storePath, '--focus', 'speed'], 'unknown report section "speed"', 2],
    ];
    const runs = await Promise.all(cases.map(([args]) => debbie(args, dir)));
    runs.forEach((r, i) => {
      expect(r.code, cases[i]![0].join(' ')).toBe(cases[i]![2]);
      expect(r.stderr).toContain(cases[i]![1]);
    });
  });

  it('reads the same session from a running collector with --url', async () => {
    const live = await openStore(join(dir, 'live.duckdb'));
    await live.append(run.events);
    const collector = await startCollector({ store: live, port: 0 });
    try {
      const viaUrl = await debbie(['analyze', '--session', session, '--url', collector.url, '--format', 'json'], dir);
      const viaStore = await debbie(['analyze', '--session', session, '--store', storePath, '--format', 'json'], dir);
      expect(viaUrl.stderr).toBe('');
      const a = JSON.parse(viaUrl.stdout) as AnalysisReport;
      const b = JSON.parse(viaStore.stdout) as AnalysisReport;
      expect({ ...a, generated_at: '' }).toEqual({ ...b, generated_at: '' });
    } finally {
      await collector.close();
    }
  });
});

describe('debbie timeline', () => {
  it('writes debug_timelines/session_<id>.html by default, with every event embedded', async () => {
    const r = await debbie(['timeline', '--session', session, '--store', storePath], dir);
    expect(r.code).toBe(0);
    const path = join(dir, 'debug_timelines', `session_${session}.html`);
    expect(r.stdout.trim()).toBe(path);
    expect(existsSync(path)).toBe(true);
    const html = readFileSync(path, 'utf8');
    const data = JSON.parse(/<script id="debbie-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!) as { count: number; session_id: string };
    expect(data.session_id).toBe(session);
    expect(data.count).toBe(run.events.filter((e) => e.session_id === session).length);
    expect(r.stderr).toMatch(/debbie timeline: \d+ events, \d+ stall\(s\)/);
  });

  it('honours --out and rejects an unknown session', async () => {
    const ok = await debbie(['timeline', '--session', session, '--store', storePath, '--out', 'x/t.html', '--max-events', '20'], dir);
    expect(ok.code).toBe(0);
    const total = run.events.filter((e) => e.session_id === session).length;
    expect(ok.stderr).toContain(`debbie timeline: 20 events`);
    expect(ok.stderr).toContain(`${total - 20} left out (over --max-events)`);
    const html = readFileSync(join(dir, 'x', 't.html'), 'utf8');
    const data = JSON.parse(/<script id="debbie-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
      count: number;
      total: number;
      dropped: number;
    };
    expect(data).toMatchObject({ count: 20, total, dropped: total - 20 });
    const bad = await debbie(['timeline', '--session', 'nope', '--store', storePath], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no session "nope"');
    const gap = await debbie(['timeline', '--session', session, '--store', storePath, '--gap-ms', 'soon'], dir);
    expect(gap.code).toBe(2);
    expect(gap.stderr).toContain('--gap-ms: "soon" is not a whole number ≥ 1');
  });
});
