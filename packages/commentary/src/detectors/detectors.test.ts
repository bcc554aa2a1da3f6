import { describe, expect, it } from 'vitest';
import { eventFromSpanParts } from '@debbie/model';
import { harness } from '../testing/fixtures.js';

describe('NudgePatternDetector', () => {
  it('reports a run of short nudges each answered by one tool call and silence, and resolves when a real message comes', () => {
    const h = harness();
    h.tool('list_rfcs');
    h.decision(false, 'no_continuation_signal');
    for (let i = 0; i < 3; i++) {
      h.wait(8_000);
      h.user('ok');
      h.chat();
      h.tool('read_file', { path: `f${i}` });
      h.decision(false, 'no_continuation_signal');
    }
    const [open] = h.of('nudge_pattern', 'insight');
    expect(open!.details).toMatchObject({ nudges: 2, messages: ['ok', 'ok'] });
    expect(h.of('nudge_pattern', 'insight_update')[0]!.details.nudges).toBe(3);
    h.user('Please write the summary into docs/summary.md now');
    expect(h.of('nudge_pattern', 'insight_resolved')).toHaveLength(1);
  });

  it('does not count short replies after a turn that ended normally', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) {
      h.user('yes');
      h.chat(800, { finish_reason: 'stop' });
      h.decision(false, 'final_response');
      h.wait(5_000);
    }
    expect(h.of('nudge_pattern')).toHaveLength(0);
  });
});

describe('ToolLoopDetector', () => {
  it('reports the same tool with the same arguments (key order and spacing ignored) and resolves when the agent moves on', () => {
    const h = harness();
    const args = ['{"query":"WS_TIMEOUT","path":"src/"}', '{ "path": "src/", "query": "WS_TIMEOUT" }'];
    for (let i = 0; i < 5; i++)
      h.emit({ source: 'tool', component: 'search_code', action: 'tool_execution', details: { tool_name: 'search_code', tool_arguments: args[i % 2] } }, 100);
    const [open] = h.of('tool_loop', 'insight');
    expect(open!.details).toMatchObject({ tool_name: 'search_code', repeats: 4 });
    expect((open!.details.evidence as { span_ids: string[] }).span_ids).toHaveLength(1);
    h.tool('write_file', { path: 'out.md' });
    expect(h.of('tool_loop', 'insight_resolved')).toHaveLength(1);
  });

  it('does not fire on a long healthy chain of the same tool with different arguments', () => {
    const h = harness();
    for (let i = 0; i < 30; i++) h.tool('read_file', { path: `src/file${i}.ts` });
    expect(h.comments).toHaveLength(0);
  });

  it('works on spans from foreign GenAI instrumentation (gen_ai.* attributes decoded by the model)', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) {
      const now = h.clock.now();
      h.processor.write(
        eventFromSpanParts({
          name: 'execute_tool get_weather',
          traceId: 'b'.repeat(32),
          spanId: `${i}`.padStart(16, '0'),
          startMicros: now,
          endMicros: now + 1000,
          statusCode: 0,
          attributes: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': 'get_weather',
            'gen_ai.tool.call.arguments': '{"city":"Paris"}',
            'session.id': 'foreign',
          },
        }),
      );
      h.wait(100);
    }
    const [open] = h.of('tool_loop', 'insight');
    expect(open?.session_id).toBe('foreign');
    expect(open?.details.tool_name).toBe('get_weather');
  });
});

describe('ErrorBurstDetector', () => {
  const fail = (h: ReturnType<typeof harness>, path: string, n: number) =>
    h.emit(
      {
        source: 'tool',
        level: 'ERROR',
        component: 'read_file',
        action: 'tool_execution',
        event_summary: `Tool read_file failed: FileNotFoundError: [Errno ${n}] No such file or directory: '${path}'`,
        details: { tool_name: 'read_file' },
      },
      10,
    );

  it('clusters errors by template (numbers and paths masked) within the window', () => {
    const h = harness();
    fail(h, '/src/a.ts', 2);
    h.wait(1000);
    fail(h, '/lib/other/b.json', 3);
    h.wait(1000);
    fail(h, './c.md', 2);
    // three failures of one tool: the agent may still fix its call (no burst yet, no comment)
    expect(h.of('error_burst')).toEqual([]);
    expect(h.of('call_error')).toEqual([]);
    h.wait(1000);
    fail(h, '/src/d.ts', 4);
    const [open] = h.of('error_burst', 'insight');
    expect(open!.level).toBe('ERROR');
    expect(open!.details.count).toBe(4);
    expect(String(open!.details.template)).toContain('No such file or directory: <str>');
    h.wait(61_000);
    h.tool('list_rfcs');
    expect(h.of('error_burst', 'insight_resolved')).toHaveLength(1);
  });

  it('ignores the same error scattered over time and different errors close together', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) {
      fail(h, `/x/${i}.ts`, i);
      h.wait(70_000);
    }
    h.emit({ source: 'tool', level: 'ERROR', component: 'a', event_summary: 'PermissionError: denied' });
    h.emit({ source: 'server', level: 'ERROR', component: 'b', event_summary: 'KeyError: session' });
    h.emit({ source: 'agent', level: 'ERROR', component: 'c', event_summary: 'ValueError: bad json' });
    expect(h.of('error_burst')).toHaveLength(0);
  });
});

describe('SlowCallDetector', () => {
  it('judges a tool against its own baseline, not a global limit', () => {
    const h = harness();
    for (let i = 0; i < 5; i++) h.tool('run_tests', { i }, 4000); // slow but normal for run_tests
    for (let i = 0; i < 5; i++) h.tool('list_rfcs', { i }, 10);
    expect(h.comments).toHaveLength(0);
    h.tool('list_rfcs', { i: 9 }, 900);
    const [open] = h.of('slow_tool', 'insight');
    expect(open!.details).toMatchObject({ tool_name: 'list_rfcs', value_ms: 900, baseline_ms: 10, factor: 90 });
    h.tool('list_rfcs', { i: 10 }, 11);
    expect(h.of('slow_tool', 'insight_resolved')).toHaveLength(1);
  });

  it('judges model calls by time to first token when reported', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) h.chat(800 + i * 900, {}, { time_to_first_token_ms: 600, input_tokens: 900, output_tokens: 50 });
    expect(h.comments).toHaveLength(0);
    h.chat(16_000, {}, { time_to_first_token_ms: 15_500, input_tokens: 900, output_tokens: 50 });
    expect(h.of('slow_model', 'insight')[0]!.details).toMatchObject({ model: 'openai/gpt-4o-mini', metric: 'time to first token' });
  });
});

describe('RpcLatencyDetector', () => {
  const rpc = (h: ReturnType<typeof harness>, method: string, ms: number) =>
    h.emit(
      { source: 'websocket', component: 'websocket_endpoint', action: method, details: { rpc_method: method }, performance_metrics: { response_ms: ms } },
      ms,
    );

  it('reports responses over 1 s except for methods that span a whole turn, and request timeouts', () => {
    const h = harness();
    rpc(h, 'agent.list', 40);
    rpc(h, 'sendUserMessage', 25_000);
    expect(h.comments).toHaveLength(0);
    rpc(h, 'session.current_agent', 1400);
    expect(h.of('websocket_slow', 'insight')[0]!.details).toMatchObject({ rpc_method: 'session.current_agent', response_ms: 1400 });
    rpc(h, 'session.current_agent', 30);
    expect(h.of('websocket_slow', 'insight_resolved')).toHaveLength(1);
    h.emit({
      source: 'user_script',
      level: 'ERROR',
      component: 'json_rpc_service',
      action: 'request_timeout',
      event_summary: 'Request sendUserMessage (id 3) timed out after 30000ms',
      details: { rpc_method: 'sendUserMessage', timeout_ms: 30000 },
    });
    expect(h.of('request_timeout', 'insight')[0]!.details).toMatchObject({ rpc_method: 'sendUserMessage', timeout_ms: 30000 });
  });
});

describe('MemorySpikeDetector, TokenSpikeDetector, RetryStormDetector, LostMessageDetector', () => {
  it('reports memory above the limit and its recovery', () => {
    const h = harness();
    const sample = (mb: number) =>
      h.emit({ source: 'server', component: 'resource_monitor', action: 'resource_sample', performance_metrics: { memory_mb: mb } });
    sample(200);
    sample(215);
    expect(h.comments).toHaveLength(0);
    sample(547);
    expect(h.of('memory_spike', 'insight')[0]!.details).toMatchObject({ memory_mb: 547, previous_mb: 215 });
    sample(220);
    expect(h.of('memory_spike', 'insight_resolved')).toHaveLength(1);
  });

  it('reports a model call using far more tokens than that model usually does', () => {
    const h = harness();
    for (let i = 0; i < 4; i++) h.chat(800, {}, { input_tokens: 1000 + i * 50, output_tokens: 60 });
    h.chat(800, {}, { input_tokens: 48_000, output_tokens: 100 });
    expect(h.of('token_spike', 'insight')[0]!.details).toMatchObject({ tokens: 48_100 });
  });

  it('reports retries of one operation close together, not occasional ones', () => {
    const h = harness();
    const retry = (attempt: number) =>
      h.emit({
        source: 'ai_service',
        level: 'WARNING',
        component: 'openrouter_ai_service',
        action: 'chat_retry',
        event_summary: `Retrying chat (attempt ${attempt})`,
        details: { attempt },
      });
    retry(2);
    h.wait(60_000);
    retry(2);
    expect(h.comments).toHaveLength(0);
    for (let a = 2; a <= 5; a++) {
      h.wait(500);
      retry(a);
    }
    expect(h.of('retry_storm', 'insight')[0]!.details.retries).toBe(4);
  });

  it('reports an empty model reply and a sendUserMessage ignored for lack of an id', () => {
    const h = harness();
    h.chat(600, { finish_reason: 'stop', content_chars: 0, empty_reply: true });
    h.emit({
      source: 'websocket',
      level: 'WARNING',
      component: 'websocket_endpoint',
      action: 'notification_ignored',
      details: { rpc_method: 'sendUserMessage' },
    });
    expect(h.of('empty_reply', 'insight')).toHaveLength(1);
    expect(h.of('ignored_request', 'insight')).toHaveLength(1);
  });
});
