import { describe, expect, it } from 'vitest';
import { eventFromLogParts, eventFromSpanParts } from '../decodeAttributes.js';
import type { SpanParts } from '../decodeAttributes.js';
import { convertForeignEvent } from './convertForeignEvent.js';
import { TraceSessionIndex, type SessionRelabel } from './TraceSessionIndex.js';
import { applyRenames } from './renames.js';
import { normalizeErrorMessage } from './errorCause.js';

const base: Omit<SpanParts, 'name' | 'attributes'> = {
  traceId: 'a'.repeat(32),
  spanId: '1'.repeat(16),
  startMicros: 1_700_000_000_000_000,
  endMicros: 1_700_000_001_000_000,
  statusCode: 0,
};
const span = (name: string, attributes: SpanParts['attributes'], extra: Partial<SpanParts> = {}) =>
  convertForeignEvent(eventFromSpanParts({ ...base, name, attributes, ...extra }));

describe('convertForeignEvent', () => {
  it('reads sessions from every documented key, user keys first', () => {
    expect(span('x', { 'ai.settings.context.sessionId': 'v7' }).session_id).toBe('v7');
    expect(span('x', { 'traceloop.association.properties.session_id': 'tl' }).session_id).toBe('tl');
    expect(span('x', { 'langfuse.session.id': 'lf' }).session_id).toBe('lf');
    expect(span('x', { 'gen_ai.conversation.id': 'conv' }).session_id).toBe('conv');
    expect(span('x', { metadata: '{"thread_id":"th-1"}' }).session_id).toBe('th-1');
    const e = eventFromSpanParts({ ...base, name: 'x', attributes: { 'app.chat': 'mine', 'gen_ai.conversation.id': 'conv' } });
    expect(convertForeignEvent(e, { sessionKeys: ['app.chat'] }).session_id).toBe('mine');
  });

  it('a trace with no session is its own, inferred; a later span naming one relabels it', () => {
    const relabels: SessionRelabel[] = [];
    const traces = new TraceSessionIndex({ onRelabel: (r) => relabels.push(r) });
    const child = convertForeignEvent(
      eventFromSpanParts({ ...base, name: 'ai.toolCall', attributes: { 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 't' } }),
      { traces },
    );
    expect(child.session_id).toBe(base.traceId);
    expect(child.details.session_inferred).toBe(true);
    const root = convertForeignEvent(
      eventFromSpanParts({ ...base, spanId: '2'.repeat(16), name: 'ai.generateText', attributes: { 'ai.telemetry.metadata.sessionId': 's1' } }),
      { traces },
    );
    expect(root.session_id).toBe('s1');
    expect(relabels).toEqual([{ traceId: base.traceId, from: base.traceId, to: 's1' }]);
    const later = convertForeignEvent(eventFromLogParts({ timeMicros: 1, body: 'hi', attributes: {}, traceId: base.traceId, spanId: '3'.repeat(16) }), {
      traces,
    });
    expect(later.session_id).toBe('s1');
    expect(later.details.session_inferred).toBeUndefined();
  });

  it('renames foreign keys by table order: the first listed source of a name wins, every source is removed', () => {
    const metrics: Record<string, number> = {};
    // given in the reverse of the table's order
    const d: Record<string, unknown> = {
      'llm.token_count.prompt': 5,
      'gen_ai.usage.input_tokens': '7',
      'gen_ai.system': 'old-name',
      'gen_ai.provider.name': 'openai',
      unrelated: 1,
    };
    expect(applyRenames(d, () => metrics)).toBe(true);
    expect(d).toEqual({ provider: 'openai', unrelated: 1 });
    expect(metrics).toEqual({ input_tokens: 7 });
    const kept: Record<string, unknown> = { provider: 'mine', 'llm.provider': 'theirs' };
    expect(applyRenames(kept, () => metrics)).toBe(true);
    expect(kept).toEqual({ provider: 'mine' });
    expect(applyRenames({ plain: 1 }, () => metrics)).toBe(false);
  });

  it('is bounded', () => {
    const traces = new TraceSessionIndex({ maxTraces: 2 });
    for (const t of ['t1', 't2', 't3']) traces.named(t, `s-${t}`);
    expect(traces.size).toBe(2);
    expect(traces.evicted).toBe(1);
  });

  it('forgets the least recently seen trace first; one seen within the last three quarters of maxTraces insertions is kept', () => {
    const traces = new TraceSessionIndex({ maxTraces: 8 });
    traces.named('kept', 's-kept');
    traces.named('old', 's-old');
    for (let i = 0; i < 6; i++) traces.named(`t${i}`, `s${i}`); // full: kept, old, t0..t5
    traces.sessionFor('kept'); // seen again: more than maxTraces/4 insertions ago, so it becomes the most recent
    for (let i = 6; i < 12; i++) traces.named(`t${i}`, `s${i}`); // six more: six forgotten
    expect(traces.size).toBe(8);
    expect(traces.evicted).toBe(6);
    expect(traces.sessionFor('kept')).toMatchObject({ session: 's-kept', inferred: false });
    // 'old' was forgotten: it is its own (inferred) session again
    expect(traces.sessionFor('old')).toMatchObject({ session: 'old', inferred: true });
  });

  it('relabels a trace first seen without a session once, when a later span names it', () => {
    const relabels: SessionRelabel[] = [];
    const traces = new TraceSessionIndex({ maxTraces: 4, onRelabel: (r) => relabels.push(r) });
    expect(traces.sessionFor('t')).toMatchObject({ session: 't', inferred: true });
    traces.named('t', 's1');
    traces.named('t', 's2'); // the first name is kept
    expect(traces.sessionFor('t')).toMatchObject({ session: 's1', inferred: false });
    expect(relabels).toEqual([{ traceId: 't', from: 't', to: 's1' }]);
    expect(traces.relabels).toBe(1);
  });

  it('tells agents, steps, chains, tools and models apart', () => {
    // smolagents' CodeAgent.run: an OpenInference AGENT span that names a model is not a model call.
    const agent = span('CodeAgent.run', { 'openinference.span.kind': 'AGENT', 'llm.model_name': 'o3-mini' });
    expect(agent).toMatchObject({ source: 'agent', action: 'invoke_agent' });
    const step = span('step 1', { 'gen_ai.operation.name': 'agent_step', 'gen_ai.agent.name': 'weather' });
    expect(step).toMatchObject({ source: 'agent', action: 'agent_step', agent_id: 'weather', component: 'weather' });
    const tl = span('get_weather.tool', { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'get_weather', 'traceloop.entity.input': '{"city":"x"}' });
    expect(tl).toMatchObject({ source: 'tool', component: 'get_weather' });
    expect(tl.details.tool_arguments).toBe('{"city":"x"}');
    const model = span('ai.streamText.doStream', {
      'ai.operationId': 'ai.streamText.doStream',
      'ai.model.id': 'gpt-4o',
      'ai.usage.inputTokens': 3,
      'ai.usage.outputTokens': 4,
    });
    expect(model).toMatchObject({ source: 'ai_service', component: 'gpt-4o', performance_metrics: { input_tokens: 3, output_tokens: 4 } });
    // any-agent's Python span dumps send token counts as strings.
    expect(
      span('call_llm m', { 'gen_ai.operation.name': 'call_llm', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': '677' }).performance_metrics,
    ).toEqual({ input_tokens: 677 });
  });

  it("leaves Debbie's own events as they are and is idempotent", () => {
    const own = eventFromSpanParts({
      ...base,
      name: 'x',
      attributes: { 'debbie.source': 'agent', 'debbie.details': '{"operation":"invoke_agent"}', 'debbie.component': 'loop', 'session.id': 's' },
    });
    const copy = structuredClone(own);
    expect(convertForeignEvent(own)).toEqual(copy);
    const foreign = span(
      'RunnableLambda',
      { 'openinference.span.kind': 'CHAIN', 'input.value': 'x' },
      { statusCode: 2, statusMessage: 'Request timed out after 30000ms' },
    );
    const once = structuredClone(foreign);
    expect(convertForeignEvent(foreign)).toEqual(once);
  });

  it('names the cause of an error', () => {
    const cause = (attributes: SpanParts['attributes'], statusMessage: string) =>
      span('chat gpt-4o', { 'gen_ai.operation.name': 'chat', ...attributes }, { statusCode: 2, statusMessage }).details;
    expect(cause({ 'error.type': 'RateLimitError' }, '429 Rate limit reached')).toMatchObject({
      error_cause: 'rate_limit',
      error_type: 'RateLimitError',
      http_status: 429,
    });
    expect(cause({}, '401 Incorrect API key provided')).toMatchObject({ error_cause: 'unauthorized', http_status: 401 });
    expect(cause({ 'http.response.status_code': 403 }, 'nope')).toMatchObject({ error_cause: 'forbidden' });
    expect(cause({ 'error.type': 'APIConnectionTimeoutError' }, 'Request timed out.')).toMatchObject({ error_cause: 'timeout' });
    expect(cause({ 'error.type': '500' }, 'boom')).toMatchObject({ error_cause: 'server_error', http_status: 500 });
    expect(normalizeErrorMessage('Request req_abc123 failed after 3 retries: "x-y"')).toBe('Request <id> failed after <n> retries: <value>');
  });

  it('turns GenAI log events into messages with structured details', () => {
    const choice = convertForeignEvent(
      eventFromLogParts({
        timeMicros: 1,
        eventName: 'gen_ai.choice',
        attributes: { 'gen_ai.system': 'openai' },
        body: {
          index: 0,
          finish_reason: 'tool_calls',
          message: { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
        },
      }),
    );
    expect(choice).toMatchObject({
      source: 'ai_service',
      action: 'gen_ai.choice',
      component: 'openai',
      event_summary: 'assistant: tool calls: get_weather [tool_calls]',
    });
    expect(choice.details).toMatchObject({ role: 'assistant', finish_reason: 'tool_calls', provider: 'openai' });
    expect(choice.details.body).toBeUndefined();
    const user = convertForeignEvent(
      eventFromLogParts({ timeMicros: 1, attributes: { 'event.name': 'gen_ai.user.message' }, body: { content: 'What is the weather?' } }),
    );
    expect(user).toMatchObject({ source: 'ai_service', event_summary: 'user: What is the weather?' });
  });
});

describe('learnSessions', () => {
  it("gives a batch's keyless children the session their later parent names, with no relabel", async () => {
    const { learnSessions } = await import('./convertForeignEvent.js');
    const relabels: SessionRelabel[] = [];
    const traces = new TraceSessionIndex({ onRelabel: (r) => relabels.push(r) });
    const child = eventFromSpanParts({ ...base, name: 'chat m', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm' } });
    const parent = eventFromSpanParts({
      ...base,
      spanId: '2'.repeat(16),
      name: 'invoke_agent',
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'ai.settings.context.sessionId': 'v7' },
    });
    learnSessions([child, parent], { traces });
    expect(convertForeignEvent(child, { traces })).toMatchObject({ session_id: 'v7' });
    expect(child.details.session_inferred).toBeUndefined();
    expect(relabels).toEqual([]);
  });
});
