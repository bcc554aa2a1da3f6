import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// One owner for pattern analysis (issue 11): `debbie analyze`, the demo's reports and MCP's
// analyze_session all replay @debbie/commentary's detectors over the stored session, so their
// Patterns sections are the same, for every demo scenario.
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'debbie-patterns-'));
const exec = promisify(execFile);
const debbie = (...args: string[]) => exec(process.execPath, [bin, ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });

type TextResult = { content: { type: string; text: string }[] };
const textOf = (r: unknown) => (r as TextResult).content.map((c) => c.text).join('');

/** The "## Patterns" section of a Markdown report. */
function patterns(md: string): string {
  const start = md.indexOf('## Patterns');
  expect(start, 'report has a Patterns section').toBeGreaterThanOrEqual(0);
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end < 0 ? undefined : end).trim();
}

describe('analyze, the demo report and MCP analyze_session agree on Patterns', () => {
  const client = new Client({ name: 'debbie-patterns-test', version: '1.0.0' });
  let runs: { scenario: string; session_ids: string[]; reports: string[] }[];
  beforeAll(async () => {
    runs = JSON.parse((await debbie('demo', '--scenario', 'all', '--store', 'P.duckdb', '--format', 'json')).stdout);
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', '--store', 'P.duckdb'], cwd, stderr: 'pipe' }));
  }, 180_000);
  afterAll(async () => client.close());

  it('for every scenario and session, with one finding per insight', async () => {
    expect(runs.length).toBeGreaterThanOrEqual(8);
    for (const run of runs) {
      run.session_ids.forEach((id, i) => expect(run.reports[i]).toContain(id));
      for (const [i, id] of run.session_ids.entries()) {
        const demo = patterns(readFileSync(join(cwd, run.reports[i]!), 'utf8'));
        const cli = patterns((await debbie('analyze', '--session', id, '--store', 'P.duckdb')).stdout);
        const mcp = patterns(textOf(await client.callTool({ name: 'analyze_session', arguments: { session_id: id } })));
        expect(cli, `${run.scenario} ${id}: analyze vs demo`).toBe(demo);
        expect(mcp, `${run.scenario} ${id}: MCP vs demo`).toBe(demo);
        // no insight listed twice (opened, updated, resolved fold into one line)
        const json = JSON.parse((await debbie('analyze', '--session', id, '--store', 'P.duckdb', '--format', 'json')).stdout);
        const ids = json.patterns.findings.map((f: { insight?: { insight_id: string } }) => f.insight?.insight_id).filter(Boolean);
        expect(new Set(ids).size, `${run.scenario}: one finding per insight`).toBe(ids.length);
        expect(json.patterns.findings.filter((f: { origin: string }) => f.origin === 'analyzer')).toEqual([]);
        if (run.scenario !== 'healthy') expect(json.patterns.findings.length, `${run.scenario} has findings`).toBeGreaterThan(0);
      }
    }
  }, 300_000);
});
