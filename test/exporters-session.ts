import { createEvent, type DebbieEvent } from '@debbie/model';

/**
 * A realistic AIWhisperer session (see shared/AIWHISPERER.md) with every DebbieEvent field
 * populated somewhere: a turn that streams, calls list_rfcs, declines to continue, the user's
 * "ok" nudges, Debbie's insight, an error with a Python traceback, and text full of quotes,
 * commas, newlines and non-ASCII to stress flat formats.
 */
export function aiWhispererSession(): DebbieEvent[] {
  const session = '3f0c2a9e-5b1d-4e8f-9a7c-1d2e3f4a5b6c';
  const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
  let t = Date.UTC(2025, 5, 2, 21, 5, 15, 941) * 1000;
  let n = 0;
  const events: DebbieEvent[] = [];
  const at = (ms: number) => {
    t += Math.round(ms * 1000) + 3;
    return new Date(Math.floor(t / 1000)).toISOString().replace(/\.(\d{3})Z$/, (_m, f: string) => `.${f}${String(t % 1000).padStart(3, '0')}Z`);
  };
  const add = (init: Parameters<typeof createEvent>[0] & { gap?: number }) => {
    n += 1;
    const { gap = 120, ...rest } = init;
    const e = createEvent({
      timestamp: at(gap),
      event_id: `ev-${String(n).padStart(3, '0')}`,
      session_id: session,
      service_name: 'aiwhisperer-server',
      trace_id: trace,
      ...rest,
    });
    events.push(e);
    return e;
  };
  add({
    source: 'websocket',
    component: 'websocket_endpoint',
    action: 'rpc_request',
    event_summary: 'startSession {"userId":"u-1","sessionParams":{"language":"en"}}',
    details: { rpc_method: 'startSession', rpc_id: 1, params: { userId: 'u-1', sessionParams: { language: 'en' } } },
    tags: ['jsonrpc'],
    span_id: '00f067aa0ba902b7',
  });
  const turn = add({
    source: 'agent',
    component: 'agent.p',
    action: 'invoke_agent',
    event_summary: 'Patricia handles "list the RFCs, please"',
    agent_id: 'p',
    correlation_id: 'turn-1',
    duration_ms: 5843.25,
    kind: 'span',
    span_id: '1000000000000001',
    details: { agent_name: 'Patricia', message: 'list the RFCs, please' },
    state_before: { status: 'Active', continuation_depth: 0 },
    state_after: { status: 'Active', continuation_depth: 0 },
    tags: ['turn'],
    performance_metrics: { input_tokens: 1834, output_tokens: 212 },
    context_snapshot: { memory_mb: 231.5, pending_requests: 1 },
  });
  add({
    source: 'ai_service',
    component: 'openrouter',
    action: 'chat',
    event_summary: 'chat anthropic/claude-3.5 → finish_reason=tool_calls',
    agent_id: 'p',
    correlation_id: 'turn-1',
    parent_id: turn.event_id,
    span_id: '1000000000000002',
    parent_span_id: '1000000000000001',
    duration_ms: 2310.5,
    kind: 'span',
    details: {
      model: 'anthropic/claude-3.5',
      finish_reason: 'tool_calls',
      tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'list_rfcs', arguments: '{"status":"all"}' } }],
    },
    performance_metrics: { latency_ms: 2310.5, chunks: 17 },
    tags: ['ai', 'streaming'],
  });
  for (let i = 0; i < 3; i++) {
    add({
      source: 'websocket',
      component: 'StreamingUpdate',
      action: 'notification',
      event_summary: `chunk ${i}: "Let me look, one moment…",\nthen more`,
      gap: 40,
      agent_id: 'p',
      correlation_id: 'turn-1',
      parent_id: turn.event_id,
      level: 'DEBUG',
      details: { type: 'streaming_chunk', isPartial: i < 2, content: `part ${i}, with "quotes"` },
    });
  }
  add({
    source: 'tool',
    component: 'list_rfcs',
    action: 'execute_tool',
    event_summary: '✅ Tool list_rfcs completed in 0.010s',
    agent_id: 'p',
    correlation_id: 'turn-1',
    parent_id: turn.event_id,
    span_id: '1000000000000003',
    parent_span_id: '1000000000000001',
    duration_ms: 10.25,
    kind: 'span',
    tags: ['tool:list_rfcs'],
    details: { tool_name: 'list_rfcs', call_id: 'toolu_01', arguments: { status: 'all' }, result: { rfcs: ['RFC-001 "auth"', 'RFC-002, logging'] } },
  });
  add({
    source: 'session',
    component: 'session_manager',
    action: 'continuation_decision',
    event_summary: '🔄 CONTINUATION DECISION: False',
    agent_id: 'p',
    correlation_id: 'turn-1',
    parent_id: turn.event_id,
    level: 'WARNING',
    details: { should_continue: false, reason: 'no CONTINUE marker', depth: 0 },
    tags: ['continuation'],
  });
  for (let i = 0; i < 3; i++) {
    add({
      source: 'websocket',
      component: 'websocket_endpoint',
      action: 'rpc_request',
      event_summary: 'sendUserMessage "ok"',
      gap: 31_000 + i * 900,
      correlation_id: `turn-${i + 2}`,
      details: { rpc_method: 'sendUserMessage', rpc_id: 10 + i, params: { sessionId: session, message: 'ok' } },
      tags: ['jsonrpc', 'nudge'],
    });
  }
  add({
    source: 'debbie_comment',
    component: 'stall_detector',
    action: 'insight',
    event_summary: 'Stall: 31 s of silence after list_rfcs; continuation was declined',
    level: 'WARNING',
    agent_id: 'd',
    details: { pattern: 'stall', confidence: 0.92, after_event_id: 'ev-007', suggestion: 'inject "Please continue with the next step."' },
    tags: ['insight', 'stall'],
  });
  add({
    source: 'tool',
    component: 'read_file',
    action: 'execute_tool',
    event_summary: 'Tool read_file failed: ValueError: bad path, "docs/x"',
    level: 'ERROR',
    agent_id: 'p',
    correlation_id: 'turn-4',
    duration_ms: 2.5,
    kind: 'span',
    span_id: '1000000000000004',
    details: { tool_name: 'read_file', arguments: { path: 'docs/x' } },
    stack_trace:
      'Traceback (most recent call last):\n  File "tools/read_file.py", line 42, in run\n    raise ValueError(f"bad path, {p!r}")\nValueError: bad path, "docs/x"',
  });
  add({
    source: 'python_exec',
    component: 'sandbox',
    action: 'run_script',
    event_summary: 'analysis script finished',
    duration_ms: 450,
    kind: 'span',
    span_id: '1000000000000005',
    details: {},
    performance_metrics: { cpu_s: 0.31 },
    level: 'INFO',
  });
  return events;
}
