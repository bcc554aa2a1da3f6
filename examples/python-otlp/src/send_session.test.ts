import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryClient, startCollector, type RunningCollector } from '@debbie/collector';
import { openStore } from '@debbie/store';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../send_session.py', import.meta.url));

describe('examples/python-otlp', () => {
  let collector: RunningCollector;
  beforeAll(async () => {
    collector = await startCollector({ store: await openStore(':memory:'), port: 0 });
  });
  afterAll(async () => collector?.close());

  it('a standard-library Python program reaches debbie collect with every attribute', async () => {
    const { stdout } = await run('python3', [script, '--endpoint', collector.url, '--session-id', 'py-session-1', '--turns', '3']);
    const sent = JSON.parse(stdout.trim());
    expect(sent).toMatchObject({ spans: 9, logs: 6, traces_status: 200, logs_status: 200 });
    await collector.flush();
    const client = new QueryClient({ url: collector.url });
    const sessions = await client.listSessions();
    expect(sessions.map((s) => s.session_id)).toContain('py-session-1');
    const events = await client.queryEvents({ sessionId: 'py-session-1' });
    expect(events).toHaveLength(15);
    const tools = events.filter((e) => e.source === 'tool');
    expect(tools).toHaveLength(3);
    expect(tools.every((t) => t.details.tool_name === 'list_rfcs' && t.service_name === 'aiwhisperer-server')).toBe(true);
    expect(tools.filter((t) => t.level === 'ERROR')).toHaveLength(1);
    const models = events.filter((e) => e.source === 'ai_service');
    expect(models.map((m) => m.performance_metrics?.input_tokens)).toEqual([401, 402, 403]);
    const decisions = events.filter((e) => e.action === 'continuation_decision');
    expect(decisions.map((d) => d.details.decision)).toEqual([false, false, false]);
    const turns = events.filter((e) => e.source === 'agent');
    for (const e of events.filter((x) => x.source !== 'agent')) {
      expect(turns.map((t) => t.span_id)).toContain(e.parent_id);
      expect(e.correlation_id).toBe(turns.find((t) => t.span_id === e.parent_id)?.correlation_id);
    }
    await client.close();
  });
});
