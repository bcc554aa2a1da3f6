import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryClient } from '@debbie/collector';
import { openStore } from '@debbie/store';

// End to end against the BUILT CLI (`pnpm build` first): `debbie collect` as a child process,
// a stock OpenTelemetry app as another, and the data read back over the query API and from the file.
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'packages/cli/dist/bin.js');
const app = join(root, 'packages/collector/test-fixtures/otel-app.mjs');

let dir: string;
let collector: ChildProcess;
let url: string;
let streamUrl: string;
let output = '';

beforeAll(async () => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`pnpm build\` first`);
  dir = mkdtempSync(join(tmpdir(), 'debbie-collect-e2e-'));
  collector = spawn(process.execPath, [bin, 'collect', '--otlp-port', '0', '--stream-port', '0', '--store', join(dir, 'events.duckdb')], {
    cwd: dir,
    env: { ...process.env, DEBBIE_TOKEN: '' },
  });
  collector.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  url = await new Promise<string>((resolve, reject) => {
    collector.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /query API on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(output);
      const w = /live stream on (ws:\/\/127\.0\.0\.1:\d+\/?)/.exec(output);
      if (m && w) {
        streamUrl = w[1]!;
        resolve(m[1]!);
      }
    });
    collector.once('exit', (code) => reject(new Error(`debbie collect exited with ${code}: ${output}`)));
  });
});

afterAll(() => {
  if (collector.exitCode === null) collector.kill('SIGKILL');
});

const post = (path: string, body: BodyInit, type: string) => fetch(`${url}${path}`, { method: 'POST', body, headers: { 'Content-Type': type } });

describe('debbie collect (built CLI) with a stock OpenTelemetry app', () => {
  it('answers bad input with clear errors and stays up', async () => {
    const truncated = await post('/v1/traces', Buffer.from([0x0a, 0x20, 0x0a, 0x05]), 'application/x-protobuf');
    expect(truncated.status).toBe(400);
    expect((await post('/v1/logs', 'x', 'text/csv')).status).toBe(415);
    const invalid = await post('/v1/traces', '{', 'application/json');
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { message: string }).message).toMatch(/not valid JSON/);
    expect((await post('/v1/traces', Buffer.alloc(17 * 1024 * 1024, 32), 'application/json')).status).toBe(413);
    const badIds = await post(
      '/v1/traces',
      JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'zz', spanId: 'zz', name: 'bad' }] }] }] }),
      'application/json',
    );
    expect(await badIds.json()).toMatchObject({ partialSuccess: { rejectedSpans: '1' } });
    expect(collector.exitCode).toBeNull();
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it('shows the app in `debbie sessions --url` with all its attributes, and its tool spans live in `debbie tail --source tool`', async () => {
    const tail = spawn(process.execPath, [bin, 'tail', '--url', streamUrl, '--source', 'tool', '--format', 'jsonl', '--count', '2'], {
      env: { ...process.env, DEBBIE_TOKEN: '' },
    });
    let tailOut = '';
    tail.stdout!.on('data', (d: Buffer) => {
      tailOut += d.toString();
    });
    const tailDone = new Promise<number | null>((resolve) => tail.once('exit', resolve));
    const run = spawnSync(process.execPath, [app], {
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: url, APP_SESSION_ID: 'stock-session' },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(await tailDone).toBe(0);
    const tailed = tailOut
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { source: string; component: string });
    expect(tailed.map((e) => e.source)).toEqual(['tool', 'tool']);
    expect(tailed.map((e) => e.component).sort()).toEqual(['list_rfcs', 'read_file']);
    const cli = spawnSync(process.execPath, [bin, 'sessions', '--url', url, '--format', 'json'], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).toBe(0);
    const listed = JSON.parse(cli.stdout) as { session_id: string; event_count: number; agents: string[]; events_per_source: Record<string, number> }[];
    const stock = listed.find((s) => s.session_id === 'stock-session')!;
    // The app's 5 events, plus whatever Debbie's commentary (on) said about them.
    const comments = stock.events_per_source.debbie_comment ?? 0;
    expect(stock).toMatchObject({ event_count: 5 + comments, agents: ['p'] });
    const client = new QueryClient({ url });
    const sessions = await client.listSessions();
    const session = sessions.find((s) => s.session_id === 'stock-session');
    expect(session).toMatchObject({ event_count: 5 + comments, error_count: 1 });
    // The log record carries no source hint of its own: it is a server event linked to its tool span.
    expect(session!.events_per_source).toMatchObject({ agent: 1, ai_service: 1, tool: 2, server: 1 });
    const events = await client.queryEvents({ sessionId: 'stock-session' });
    const byName = (n: string) => events.find((e) => e.event_summary === n)!;
    const turn = byName('invoke_agent planner');
    expect(turn).toMatchObject({ source: 'agent', agent_id: 'p', service_name: 'stock-otel-app', kind: 'span' });
    expect(turn.details).toMatchObject({ agent_name: 'planner', 'app.turn': 1 });
    const chat = byName('chat gpt-4o');
    expect(chat).toMatchObject({
      source: 'ai_service',
      component: 'gpt-4o',
      parent_id: turn.span_id,
      performance_metrics: { input_tokens: 321, output_tokens: 54 },
    });
    expect(chat.details).toMatchObject({ model: 'gpt-4o', finish_reasons: ['tool_calls'] });
    const tool = byName('execute_tool list_rfcs');
    expect(tool).toMatchObject({ source: 'tool', component: 'list_rfcs', action: 'execute_tool' });
    expect(tool.details).toMatchObject({
      tool_name: 'list_rfcs',
      tool_call_id: 'toolu_01',
      tool_arguments: '{"status":"in_progress"}',
      'app.cache_hit': false,
      'app.items': [1, 2, 3],
    });
    const log = byName('listing rfcs');
    expect(log).toMatchObject({ kind: 'log', parent_id: tool.span_id, trace_id: tool.trace_id });
    expect(log.details['app.dir']).toBe('.WHISPER/rfc');
    const failed = byName('execute_tool read_file');
    expect(failed.level).toBe('ERROR');
    expect(failed.stack_trace).toContain('ENOENT: no such file');
  });

  it('stops gracefully on SIGTERM with everything flushed to the store file', async () => {
    const exited = new Promise<number | null>((resolve) => collector.once('exit', (code) => resolve(code)));
    collector.kill('SIGTERM');
    expect(await exited).toBe(0);
    const line =
      /stopped; 5 events received \(OTLP and \/api\/events; 4 spans and 1 log records acknowledged over OTLP\), (\d+) stored \(comments included\), (\d+) comments, 1 rejected/.exec(
        output,
      );
    expect(line, output).not.toBeNull();
    expect(Number(line![1])).toBe(5 + Number(line![2]));
    const store = await openStore(join(dir, 'events.duckdb'), { readOnly: true });
    try {
      expect(await store.countEvents({ sessionId: 'stock-session' })).toBe(5 + Number(line![2]));
    } finally {
      await store.close();
    }
  });
});
