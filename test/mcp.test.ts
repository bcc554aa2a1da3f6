import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `debbie mcp` as an AI agent's MCP client starts it: the built CLI over stdio, driven by the
// MCP SDK's own Client.
const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const cwd = mkdtempSync(join(tmpdir(), 'debbie-mcp-'));

type TextResult = { content: { type: string; text: string }[]; isError?: boolean };
const textOf = (r: unknown) => (r as TextResult).content.map((c) => c.text).join('');

describe('debbie mcp (Model Context Protocol over stdio)', () => {
  const client = new Client({ name: 'debbie-test-agent', version: '1.0.0' });
  let stallSession = '';
  let healthySession = '';
  beforeAll(async () => {
    const run = promisify(execFile);
    for (const scenario of ['continuation-stall', 'healthy']) {
      // Interventions off: the stalled session keeps its real 45 s silence for explain_stall to find.
      const out = await run(process.execPath, [bin, 'demo', '--scenario', scenario, '--interventions', 'off', '--store', 'mcp.duckdb', '--format', 'json'], {
        cwd,
      });
      const id = JSON.parse(out.stdout)[0].session_ids[0] as string;
      if (scenario === 'healthy') healthySession = id;
      else stallSession = id;
    }
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp', '--store', 'mcp.duckdb'], cwd, stderr: 'pipe' }));
  }, 120_000);
  afterAll(async () => client.close());

  it('lists its tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'analyze_session',
      'explain_stall',
      'export_session',
      'get_correlated_logs',
      'get_events',
      'list_sessions',
      'run_python',
      'write_timeline',
    ]);
    for (const t of tools) expect(t.description?.length).toBeGreaterThan(20);
  });

  it('round-trips an analysis', async () => {
    const report = await client.callTool({ name: 'analyze_session', arguments: { session_id: stallSession, format: 'json' } });
    expect((report as TextResult).isError).toBeFalsy();
    const json = JSON.parse(textOf(report));
    expect(json.session_id ?? json.sessionId ?? JSON.stringify(json)).toContain(stallSession);
    const md = textOf(await client.callTool({ name: 'analyze_session', arguments: { session_id: stallSession } }));
    expect(md).toMatch(/## Performance[\s\S]*## Errors[\s\S]*## Patterns[\s\S]*## Recommendations/);
    expect(md).toContain('list_rfcs');
  });

  it('lists sessions, pages events, follows a correlation id', async () => {
    const sessions = JSON.parse(textOf(await client.callTool({ name: 'list_sessions', arguments: {} })));
    expect(sessions.map((s: { session_id: string }) => s.session_id).sort()).toEqual([healthySession, stallSession].sort());
    const tools = JSON.parse(textOf(await client.callTool({ name: 'get_events', arguments: { session_id: stallSession, sources: ['tool'], limit: 3 } })));
    expect(tools).toHaveLength(3);
    expect(tools.every((e: { source: string }) => e.source === 'tool')).toBe(true);
    const group = JSON.parse(textOf(await client.callTool({ name: 'get_correlated_logs', arguments: { correlation_id: tools[0].correlation_id } })));
    expect(group.length).toBeGreaterThan(3);
    expect(new Set(group.map((e: { correlation_id: string }) => e.correlation_id))).toEqual(new Set([tools[0].correlation_id]));
  });

  it('explains the continuation stall the way the seed does', async () => {
    const stalls = JSON.parse(textOf(await client.callTool({ name: 'explain_stall', arguments: { session_id: stallSession } })));
    expect(stalls[0]).toMatchObject({ likely_cause: 'continuation_required', suggested_action: 'inject_continuation_prompt' });
    expect(stalls[0].duration_s).toBeGreaterThanOrEqual(45);
    expect(stalls[0].message).toMatch(/waiting for user input after tool execution/);
    const none = textOf(await client.callTool({ name: 'explain_stall', arguments: { session_id: healthySession } }));
    expect(none).toMatch(/No silence of 30s or more/);
  });

  it('writes a timeline and an export, and reports bad arguments as tool errors', async () => {
    const { path } = JSON.parse(textOf(await client.callTool({ name: 'write_timeline', arguments: { session_id: healthySession } })));
    expect(existsSync(path)).toBe(true);
    const summary = JSON.parse(
      textOf(await client.callTool({ name: 'export_session', arguments: { session_id: healthySession, format: 'jsonl', out: 'healthy.jsonl' } })),
    );
    expect(summary.written).toBeGreaterThan(10);
    expect(readFileSync(join(cwd, 'healthy.jsonl'), 'utf8').trim().split('\n')).toHaveLength(summary.written);
    const bad = await client.callTool({ name: 'run_python', arguments: { session_id: healthySession } });
    expect((bad as TextResult).isError).toBe(true);
    expect(textOf(bad)).toMatch(/exactly one of library or script/);
  });

  it('runs a library script in the sandbox', async () => {
    const result = await client.callTool({ name: 'run_python', arguments: { session_id: stallSession, library: 'tool_usage_patterns' } });
    expect((result as TextResult).isError, textOf(result)).toBeFalsy();
    const body = JSON.parse(textOf(result));
    expect(body.error).toBeNull();
    expect(body.output).toContain('list_rfcs');
    const runs = JSON.parse(
      textOf(await client.callTool({ name: 'get_events', arguments: { session_id: `python_exec-${stallSession}`, sources: ['python_exec'] } })),
    );
    expect(runs).toHaveLength(1);
    expect(runs[0].details.script_name).toBe('tool_usage_patterns');
  });
});
