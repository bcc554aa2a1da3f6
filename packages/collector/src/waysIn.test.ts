import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { eventsFromReadableSpan, type DebbieEvent, type EventSink } from '@debbie/model';
import { DebbieSpanProcessor } from '@debbie/sdk';
import { DebbieSpanExporter } from '@debbie/exporters';
import { startCollector, type RunningCollector } from './startCollector.js';
import { ingestFile } from './ingest/ingestFile.js';
import { createPipeline } from '@debbie/pipeline';

/*
 * One conversion for foreign telemetry: the same spans through every way in (SDK span processor,
 * OTel span exporter, OTLP/HTTP protobuf, OTLP/HTTP JSON, file ingest, POST /api/events) come out
 * as the same DebbieEvents.
 */

class CollectingSink implements EventSink {
  events: DebbieEvent[] = [];
  write(e: DebbieEvent): void {
    this.events.push(e);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** Spans as the real libraries shape them: Vercel AI SDK v5 (session only on the root, which ends last), OpenInference, GenAI. */
function emit(provider: BasicTracerProvider): void {
  const tracer = provider.getTracer('ways-in');
  const root = tracer.startSpan('ai.generateText', {
    attributes: {
      'ai.operationId': 'ai.generateText',
      'ai.model.id': 'gpt-4o-mini',
      'ai.telemetry.metadata.sessionId': 'chat-42',
      'ai.usage.promptTokens': 30,
    },
  });
  const inRoot = trace.setSpan(ROOT_CONTEXT, root);
  const call = tracer.startSpan(
    'ai.generateText.doGenerate',
    {
      attributes: {
        'ai.operationId': 'ai.generateText.doGenerate',
        'ai.model.id': 'gpt-4o-mini',
        'gen_ai.request.model': 'gpt-4o-mini',
        'ai.usage.promptTokens': 30,
        'ai.usage.completionTokens': 5,
        'ai.telemetry.metadata.sessionId': 'chat-42',
      },
    },
    inRoot,
  );
  call.addEvent('ai.stream.firstChunk', { 'ai.response.msToFirstChunk': 12 });
  call.end();
  const tool = tracer.startSpan(
    'ai.toolCall',
    {
      attributes: {
        'ai.operationId': 'ai.toolCall',
        'ai.toolCall.name': 'weather',
        'ai.toolCall.id': 'call_1',
        'ai.toolCall.args': '{"city":"Paris"}',
        'ai.toolCall.result': '{"t":21}',
      },
    },
    inRoot,
  );
  tool.end();
  const failed = tracer.startSpan(
    'chat gpt-4o',
    { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o', 'error.type': '429', 'http.response.status_code': 429 } },
    inRoot,
  );
  failed.recordException(new Error('429 Rate limit reached for requests'));
  failed.setStatus({ code: SpanStatusCode.ERROR, message: '429 Rate limit reached for requests' });
  failed.end();
  const chain = tracer.startSpan('RunnableLambda', { attributes: { 'openinference.span.kind': 'CHAIN', metadata: '{"lc_agent_name":"planner"}' } }, inRoot);
  chain.end();
  root.end();
  // A second trace that names no session at all.
  tracer.startSpan('GET /health').end();
}

function byId(events: DebbieEvent[]): DebbieEvent[] {
  return [...events].sort((a, b) => a.event_id.localeCompare(b.event_id));
}

let spans: ReadableSpan[];
let viaProcessor: DebbieEvent[];
let collector: RunningCollector;
let collectorSink: CollectingSink;

beforeAll(async () => {
  const memory = new InMemorySpanExporter();
  const processorSink = new CollectingSink();
  const processor = new DebbieSpanProcessor({ sink: processorSink });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'ways-in' }),
    spanProcessors: [new SimpleSpanProcessor(memory), processor],
  });
  emit(provider);
  await provider.forceFlush();
  spans = memory.getFinishedSpans();
  viaProcessor = processorSink.events;
  collectorSink = new CollectingSink();
  collector = await startCollector({ port: 0, sinks: [collectorSink], token: undefined });
});
afterAll(async () => {
  await collector.close();
});

async function viaCollector(send: () => Promise<Response>): Promise<DebbieEvent[]> {
  collectorSink.events = [];
  const res = await send();
  expect(res.status).toBe(200);
  return collectorSink.events;
}

describe('one conversion for every way in', () => {
  it('the SDK processor understands the foreign spans', () => {
    const bySummary = (s: string) => viaProcessor.find((e) => e.event_summary === s && e.kind === 'span')!;
    expect(bySummary('ai.generateText.doGenerate')).toMatchObject({
      source: 'ai_service',
      component: 'gpt-4o-mini',
      session_id: 'chat-42',
      performance_metrics: { input_tokens: 30, output_tokens: 5 },
    });
    expect(bySummary('ai.toolCall')).toMatchObject({ source: 'tool', component: 'weather', session_id: 'chat-42' });
    expect(bySummary('ai.toolCall').details).toMatchObject({ tool_name: 'weather', tool_arguments: '{"city":"Paris"}', tool_result: '{"t":21}' });
    expect(bySummary('ai.generateText')).toMatchObject({ source: 'agent', action: 'chain', session_id: 'chat-42' });
    expect(bySummary('RunnableLambda')).toMatchObject({ source: 'agent', action: 'chain', agent_id: 'planner' });
    expect(bySummary('RunnableLambda').details.agent_name).toBe('planner');
    expect(bySummary('chat gpt-4o').details).toMatchObject({ error_cause: 'rate_limit', http_status: 429 });
    const health = bySummary('GET /health');
    expect(health.session_id).toBe(health.trace_id);
    expect(health.details.session_inferred).toBe(true);
    expect(viaProcessor.find((e) => e.action === 'ai.stream.firstChunk')).toMatchObject({ kind: 'log', session_id: 'chat-42' });
  });

  it('the OTel span exporter gives the same events', async () => {
    const got: DebbieEvent[] = [];
    const exporter = new DebbieSpanExporter({
      target: 'memory',
      write: async (e) => {
        got.push(...e);
      },
      close: async () => ({ target: 'memory', events: got.length }) as never,
    });
    await new Promise<void>((resolve) => exporter.export(spans, () => resolve()));
    await exporter.forceFlush();
    expect(byId(got)).toEqual(byId(viaProcessor));
  });

  it('OTLP/HTTP protobuf and JSON give the same events', async () => {
    const proto = await viaCollector(() =>
      fetch(`${collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-protobuf' },
        body: ProtobufTraceSerializer.serializeRequest(spans),
      }),
    );
    expect(byId(proto)).toEqual(byId(viaProcessor));
    const json = await viaCollector(() =>
      fetch(`${collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JsonTraceSerializer.serializeRequest(spans),
      }),
    );
    expect(byId(json)).toEqual(byId(viaProcessor));
  });

  it('POST /api/events of the undecorated events gives the same events', async () => {
    const raw: DebbieEvent[] = [];
    for (const s of spans) eventsFromReadableSpan(s, raw);
    const posted = await viaCollector(() =>
      fetch(`${collector.url}/api/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(raw) }),
    );
    expect(byId(posted)).toEqual(byId(viaProcessor));
  });

  it('debbie ingest of an OTLP/JSON file gives the same events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debbie-ways-in-'));
    const file = join(dir, 'spans.json');
    writeFileSync(file, `${Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8')}\n`);
    const sink = new CollectingSink();
    const pipeline = createPipeline({ sinks: [sink] });
    await ingestFile(file, { sink: pipeline, format: 'otlp-json' });
    expect(byId(sink.events)).toEqual(byId(viaProcessor));
  });
});
