import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anyAgent, genAiAttributeMap, OTLP_EXAMPLES, recorded, vercelV6, type OtlpInput } from './fixtures.js';
import { canonical, summarize, throughWay, WAYS, type Stored } from './waysIn.js';

/*
 * Conformance with the instrumentation libraries people use: fixtures recorded from the real
 * packages (record.sh; versions in each fixture) and public data, each sent through every way in
 * (OTLP/HTTP JSON and protobuf, debbie ingest, POST /api/events) into a store. Every way must store
 * the same events, and those must show the user's sessions, tools, models, tokens, agents, error
 * causes and intact parents.
 */

async function everyWay(input: OtlpInput): Promise<Stored> {
  const results = [];
  for (const way of WAYS) results.push(await throughWay(way, input));
  const first = canonical(results[0]!.events);
  for (let i = 1; i < results.length; i++) expect(canonical(results[i]!.events), WAYS[i]).toEqual(first);
  return results[0]!;
}

describe('recorded from the real libraries', () => {
  it('Vercel AI SDK v5: the session from ai.telemetry.metadata.sessionId, ai.toolCall as a tool, doGenerate as the model calls', async () => {
    const fixture = recorded('vercel-ai-5');
    expect(fixture.packages.ai).toMatch(/^5\./);
    const { events, sessions } = await everyWay(fixture);
    expect(sessions.map((s) => s.session_id)).toEqual(['vercel5-chat-1']);
    expect(summarize(events)).toMatchObject({
      unsessioned: 0,
      inferred_sessions: [],
      tools: ['weather'],
      models: { 'mock-model-v2': { calls: 3, input_tokens: 100, output_tokens: 21 } },
      chains: 2,
      errors: ['agent:ai.generateText:rate_limit', 'ai_service:mock-model-v2:rate_limit'],
      dangling_parents: 0,
    });
    const tool = events.find((e) => e.source === 'tool')!;
    expect(tool.details).toMatchObject({ tool_name: 'weather', tool_arguments: '{"city":"Paris"}', tool_result: '{"city":"Paris","celsius":21}' });
  });

  it('Vercel AI SDK v7 (@ai-sdk/otel): the session only on the agent and step spans reaches the model and tool spans that ended first', async () => {
    const fixture = recorded('vercel-ai-7');
    expect(fixture.packages.ai).toMatch(/^7\./);
    const { events, sessions } = await everyWay(fixture);
    expect(sessions.map((s) => s.session_id)).toEqual(['vercel7-chat-1']);
    const summary = summarize(events);
    expect(summary).toMatchObject({
      unsessioned: 0,
      inferred_sessions: [],
      tools: ['weather'],
      agents: ['weather-agent'],
      agent_steps: 3,
      // invoke_agent carries the run's total usage: an agent, so its tokens are not counted again as a model's.
      models: { 'mock-model-v4': { calls: 3, input_tokens: 100, output_tokens: 21 } },
      dangling_parents: 0,
    });
    expect(summary.errors).toContain('ai_service:mock-model-v4:rate_limit');
    const failed = events.find((e) => e.source === 'ai_service' && e.level === 'ERROR')!;
    expect(failed.details).toMatchObject({ error_cause: 'rate_limit', http_status: 429, error_type: 'AI_APICallError' });
  });

  it('@opentelemetry/instrumentation-openai: chat spans and GenAI log events join the session the app named on its parent span; 429 and 500 are different causes', async () => {
    const fixture = recorded('openai');
    expect(fixture.packages['@opentelemetry/instrumentation-openai']).toBe('0.22.0');
    const { events, sessions } = await everyWay(fixture);
    expect(sessions.map((s) => s.session_id)).toEqual(['openai-session-1']);
    const summary = summarize(events);
    expect(summary).toMatchObject({
      unsessioned: 0,
      inferred_sessions: [],
      models: { 'gpt-4o-mini': { calls: 2, input_tokens: 126, output_tokens: 26 } },
      errors: ['ai_service:gpt-broken:server_error', 'ai_service:gpt-rate-limited:rate_limit'],
      dangling_parents: 0,
    });
    expect(summary.messages).toEqual(expect.arrayContaining(['gen_ai.user.message', 'gen_ai.choice', 'gen_ai.tool.message', 'gen_ai.assistant.message']));
    const choice = events.find((e) => e.action === 'gen_ai.choice' && e.details.finish_reason === 'tool_calls')!;
    expect(choice).toMatchObject({ source: 'ai_service', event_summary: 'assistant: tool calls: get_weather [tool_calls]' });
    expect(choice.details).toMatchObject({ role: 'assistant', finish_reason: 'tool_calls', provider: 'openai' });
    const limited = events.find((e) => e.component === 'gpt-rate-limited')!;
    expect(limited.details).toMatchObject({ error_cause: 'rate_limit', error_type: 'RateLimitError', http_status: 429 });
    expect(events.find((e) => e.component === 'gpt-broken')!.details).toMatchObject({
      error_cause: 'server_error',
      error_type: 'InternalServerError',
      http_status: 500,
    });
  });

  it('LangChain.js + OpenInference: CHAIN spans are chains, not agent steps; the agent name from lc_agent_name; the session from thread_id', async () => {
    const fixture = recorded('langchain');
    expect(fixture.packages['@arizeai/openinference-instrumentation-langchain']).toMatch(/^4\./);
    const { events, sessions } = await everyWay(fixture);
    expect(sessions.map((s) => s.session_id)).toEqual(['lc-thread-1']);
    expect(summarize(events)).toMatchObject({
      unsessioned: 0,
      tools: ['get_weather'],
      agents: ['weather_agent'],
      agent_steps: 0,
      chains: 10,
      models: { FakeStreamingChatModel: { calls: 3 } },
      dangling_parents: 0,
    });
    expect(summarize(events).errors).toContain('ai_service:FakeStreamingChatModel:rate_limit');
    expect(events.find((e) => e.source === 'tool')!.details.tool_arguments).toBe('Paris');
  });

  it('OpenLLMetry (@traceloop/node-server-sdk): the session from association properties, *.tool spans as tools, the agent named', async () => {
    const fixture = recorded('traceloop');
    expect(fixture.packages['@traceloop/node-server-sdk']).toMatch(/^0\./);
    const { events, sessions } = await everyWay(fixture);
    expect(sessions.map((s) => s.session_id)).toEqual(['traceloop-session-1']);
    // Traceloop exports no span for the failed (429) call: there is no error to show.
    expect(summarize(events)).toMatchObject({
      unsessioned: 0,
      tools: ['get_weather'],
      agents: ['weather_agent'],
      chains: 1,
      models: { 'gpt-4o-mini': { calls: 1, input_tokens: 52, output_tokens: 17 } },
      errors: [],
      dangling_parents: 0,
    });
  });
});

describe('public data nobody here wrote', () => {
  const frameworks = ['AGNO', 'GOOGLE', 'LANGCHAIN', 'LLAMA_INDEX', 'OPENAI', 'SMOLAGENTS', 'TINYAGENT'];
  it.each(frameworks)('any-agent %s: tools, model calls with their tokens, the agent; the trace is its own (inferred) session', async (framework) => {
    const { events, sessions } = await everyWay(anyAgent(framework));
    const summary = summarize(events);
    expect(sessions).toHaveLength(1);
    expect(summary.inferred_sessions).toEqual([sessions[0]!.session_id]);
    // Google ADK's own spans, parents of its tool and model spans, are not in any-agent's dump.
    expect(summary).toMatchObject({ unsessioned: 0, agents: ['any_agent'], dangling_parents: framework === 'GOOGLE' ? 6 : 0, errors: [] });
    expect(summary.tools).toEqual(expect.arrayContaining(['get_current_time', 'write_file']));
    const model = summary.models['mistral/mistral-small-latest']!;
    expect(model.calls).toBeGreaterThanOrEqual(3);
    expect(model.input_tokens).toBeGreaterThan(0);
    // invoke_agent names the model too: still the agent, not a model call.
    expect(events.find((e) => e.event_summary.startsWith('invoke_agent'))).toMatchObject({ source: 'agent', action: 'invoke_agent' });
  });

  it('Vercel AI SDK v6 captured spans: doGenerate/doStream/doEmbed are the model calls, the ai.* calls around them chains', async () => {
    const { events } = await everyWay(vercelV6());
    const summary = summarize(events);
    expect(summary).toMatchObject({ unsessioned: 0, tools: [], chains: 5 });
    expect(summary.models).toEqual({
      'gpt-4o-mini': { calls: 4, input_tokens: 142, output_tokens: 297 },
      'text-embedding-3-small': { calls: 1, input_tokens: 10, output_tokens: 0 },
    });
  });

  it('GenAI attribute maps, current and deprecated names: the same model, tokens and tools', async () => {
    const files = [
      'otel_genai_client_span_tool_calls.json',
      'otel_genai_deprecated_client_span_tool_calls.json',
      'otel_genai_tool_execution_span.json',
      'openinference_client_span_tool_calls.json',
      'openinference_client_span_input_output_only.json',
    ];
    const stored = await Promise.all(files.map(async (f, i) => summarize((await everyWay(genAiAttributeMap(f, i))).events)));
    expect(stored[0]!.models).toEqual(stored[1]!.models);
    expect(stored[2]).toMatchObject({ tools: ['get_weather'] });
    expect(Object.values(stored[3]!.models)[0]).toMatchObject({ calls: 1 });
  });

  it('the OTLP specification examples (trace, logs, events) are reachable from the session list', async () => {
    const read = (f: string) => JSON.parse(readFileSync(join(OTLP_EXAMPLES, 'opentelemetry-proto/examples', f), 'utf8')) as Record<string, unknown>;
    for (const logs of ['logs.json', 'events.json']) {
      const { events, sessions } = await everyWay({ traces: read('trace.json'), logs: read(logs) });
      expect(events.length).toBeGreaterThan(1);
      expect(summarize(events).unsessioned).toBe(0);
      const listed = new Set(sessions.map((s) => s.session_id));
      for (const e of events) expect(listed.has(e.session_id!)).toBe(true);
    }
  });
});

describe('live: what the stream (debbie tail --session) gets', () => {
  it.each([
    ['vercel-ai-5', 'vercel5-chat-1'],
    ['vercel-ai-7', 'vercel7-chat-1'],
    ['openai', 'openai-session-1'],
    ['langchain', 'lc-thread-1'],
    ['traceloop', 'traceloop-session-1'],
  ])("%s: every event reaches the live sinks already in the user's session, even spans that ended before the span naming it", async (name, session) => {
    const { startCollector } = await import('@debbie/collector');
    const live: { session_id: string | null }[] = [];
    const collector = await startCollector({
      port: 0,
      token: undefined,
      sinks: [
        {
          write: (e) => {
            live.push(e);
          },
          forceFlush: async () => {},
          shutdown: async () => {},
        },
      ],
    });
    try {
      const fixture = recorded(name);
      for (const [path, body] of [
        ['/v1/traces', fixture.traces],
        ['/v1/logs', fixture.logs],
      ] as const) {
        if (!body) continue;
        const res = await fetch(`${collector.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        expect(res.status).toBe(200);
      }
      await collector.flush();
    } finally {
      await collector.close();
    }
    expect(live.length).toBeGreaterThan(0);
    expect(new Set(live.map((e) => e.session_id))).toEqual(new Set([session]));
  });
});
