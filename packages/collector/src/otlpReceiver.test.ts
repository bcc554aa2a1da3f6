import { gzipSync, deflateSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import type { DebbieEvent, EventSink } from '@debbie/model';
import { startCollector, type RunningCollector } from './startCollector.js';
import { decodeExportResponseProto, decodeStatusProto } from './otlp/otlpProto.js';

/** Observes what the pipeline delivers (the in-memory exporter pattern). */
class CollectingSink implements EventSink {
  events: DebbieEvent[] = [];
  write(e: DebbieEvent): void {
    this.events.push(e);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

let collector: RunningCollector;
let sink: CollectingSink;

beforeEach(async () => {
  sink = new CollectingSink();
  collector = await startCollector({ port: 0, sinks: [sink], maxBodyBytes: 1024 * 1024, token: undefined });
});
afterEach(async () => {
  await collector.close();
});

async function sendSpans(exporter: ProtoTraceExporter | JsonTraceExporter) {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'stock-app', 'session.id': 'sess-1' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('test');
  const root = tracer.startSpan('invoke_agent planner', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.id': 'p' } });
  const inRoot = trace.setSpan(ROOT_CONTEXT, root);
  tracer
    .startSpan(
      'execute_tool list_rfcs',
      {
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'list_rfcs',
          'gen_ai.tool.call.arguments': '{"status":"all"}',
          'custom.flag': true,
        },
      },
      inRoot,
    )
    .end();
  tracer
    .startSpan(
      'openai.chat',
      {
        attributes: {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'gpt-4o',
          'llm.token_count.prompt': 120,
          'llm.token_count.completion': 30,
          'input.value': 'hi',
          'output.value': 'hello',
        },
      },
      inRoot,
    )
    .end();
  const tool = tracer.startSpan('search', { attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'web_search', 'input.value': '{"q":"x"}' } }, inRoot);
  tool.recordException(new Error('boom'));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  tool.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
}

function checkSpans(events: DebbieEvent[]) {
  const byName = (n: string) => events.find((e) => e.event_summary === n && e.kind === 'span')!;
  expect(events.filter((e) => e.kind === 'span')).toHaveLength(4);
  const root = byName('invoke_agent planner');
  expect(root.source).toBe('agent');
  expect(root.session_id).toBe('sess-1');
  expect(root.service_name).toBe('stock-app');
  const tool = byName('execute_tool list_rfcs');
  expect(tool).toMatchObject({ source: 'tool', component: 'list_rfcs', parent_id: root.span_id, trace_id: root.trace_id });
  expect(tool.details).toMatchObject({ tool_name: 'list_rfcs', tool_arguments: '{"status":"all"}', 'custom.flag': true });
  const llm = byName('openai.chat');
  expect(llm).toMatchObject({ source: 'ai_service', component: 'gpt-4o', action: 'chat' });
  expect(llm.details).toMatchObject({ model: 'gpt-4o', input: 'hi', output: 'hello' });
  expect(llm.performance_metrics).toMatchObject({ input_tokens: 120, output_tokens: 30 });
  const failed = byName('search');
  expect(failed).toMatchObject({ source: 'tool', level: 'ERROR', component: 'web_search' });
  expect(failed.details.tool_arguments).toBe('{"q":"x"}');
  expect(failed.stack_trace).toContain('boom');
}

describe('OTLP receiver with the official OpenTelemetry JS exporters', () => {
  it('takes spans from the protobuf exporter and understands GenAI and OpenInference attributes', async () => {
    await sendSpans(new ProtoTraceExporter({ url: `${collector.url}/v1/traces` }));
    checkSpans(sink.events);
    expect(collector.stats().receiver.spans_accepted).toBe(4);
  });

  it('takes gzip-compressed protobuf, as the OTel Collector sends by default', async () => {
    await sendSpans(new ProtoTraceExporter({ url: `${collector.url}/v1/traces`, compression: 'gzip' as never }));
    checkSpans(sink.events);
  });

  it('takes spans from the JSON exporter, gzip-compressed', async () => {
    await sendSpans(new JsonTraceExporter({ url: `${collector.url}/v1/traces`, compression: 'gzip' as never }));
    checkSpans(sink.events);
  });

  for (const [name, make] of [
    ['protobuf', (url: string) => new ProtoLogExporter({ url })],
    ['JSON', (url: string) => new JsonLogExporter({ url })],
  ] as const) {
    it(`takes log records from the ${name} log exporter`, async () => {
      const provider = new LoggerProvider({
        resource: resourceFromAttributes({ 'service.name': 'stock-app' }),
        processors: [new SimpleLogRecordProcessor({ exporter: make(`${collector.url}/v1/logs`) })],
      });
      const logger = provider.getLogger('test');
      logger.emit({
        severityNumber: 17,
        severityText: 'ERROR',
        body: 'tool failed',
        attributes: { 'session.id': 's2', 'debbie.source': 'tool', 'gen_ai.tool.name': 'read_file' },
      });
      logger.emit({ severityNumber: 9, body: { structured: true, n: 3 }, attributes: { 'session.id': 's2' } });
      await provider.forceFlush();
      await provider.shutdown();
      expect(sink.events).toHaveLength(2);
      const [first, second] = sink.events;
      expect(first).toMatchObject({ level: 'ERROR', source: 'tool', session_id: 's2', event_summary: 'tool failed', service_name: 'stock-app' });
      expect(first!.details.tool_name).toBe('read_file');
      expect(second!.details.body).toEqual({ structured: true, n: 3 });
    });
  }
});

const traceJson = (spans: unknown[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
const goodSpan = (id: string) => ({
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: id,
  name: `s-${id}`,
  startTimeUnixNano: '1544712660000000000',
  endTimeUnixNano: '1544712661000000000',
});

async function post(path: string, body: BodyInit, headers: Record<string, string>) {
  return fetch(`${collector.url}${path}`, { method: 'POST', body, headers });
}

describe('OTLP receiver on bad input', () => {
  it('answers a truncated protobuf body with 400 and a google.rpc.Status, and keeps serving', async () => {
    const good = new ProtoTraceExporter({ url: `${collector.url}/v1/traces` });
    // Capture a real protobuf body by sending once, then truncate a copy of it.
    const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
    const provider = new BasicTracerProvider({ spanProcessors: [] });
    const span = provider.getTracer('t').startSpan('x');
    span.end();
    const bytes = ProtobufTraceSerializer.serializeRequest([span as never])!;
    const res = await post('/v1/traces', bytes.subarray(0, bytes.length - 7), { 'Content-Type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const status = decodeStatusProto(new Uint8Array(await res.arrayBuffer()));
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/not valid protobuf/);
    expect(sink.events).toHaveLength(0);
    // The whole body still goes through.
    const ok = await post('/v1/traces', bytes, { 'Content-Type': 'application/x-protobuf' });
    expect(ok.status).toBe(200);
    expect(decodeExportResponseProto('traces', new Uint8Array(await ok.arrayBuffer()))).toEqual({ rejected: 0, errorMessage: '' });
    expect(sink.events).toHaveLength(1);
    await good.shutdown();
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await post('/v1/traces', 'hello', { 'Content-Type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toMatch(/unsupported Content-Type "text\/plain"/);
  });

  it('answers invalid JSON with 400 naming the parse error', async () => {
    const res = await post('/v1/traces', '{"resourceSpans": [', { 'Content-Type': 'application/json' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: number; message: string };
    expect(body.code).toBe(3);
    expect(body.message).toMatch(/not valid JSON/);
  });

  it('answers a huge body with 413, and a gzip bomb too, without buffering it', async () => {
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    const res = await post('/v1/logs', big, { 'Content-Type': 'application/json' });
    expect(res.status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0)); // ~64 KiB compressed, 64 MiB inflated
    const res2 = await post('/v1/logs', bomb, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    expect(res2.status).toBe(413);
    expect(((await res2.json()) as { message: string }).message).toMatch(/after decompression/);
    const ok = await post('/v1/traces', traceJson([goodSpan('eee19b7ec3c1b174')]), { 'Content-Type': 'application/json' });
    expect(ok.status).toBe(200);
  });

  it('rejects spans with invalid trace or span ids alone and reports them as partial success', async () => {
    const spans = [
      goodSpan('eee19b7ec3c1b174'),
      { ...goodSpan('eee19b7ec3c1b175'), traceId: 'xyz' },
      { ...goodSpan('0000000000000000') },
      { ...goodSpan('eee19b7ec3c1b176'), traceId: '00000000000000000000000000000000' },
      { ...goodSpan('eee1'), name: 'short' },
      goodSpan('eee19b7ec3c1b177'),
    ];
    const res = await post('/v1/traces', deflateSync(traceJson(spans)), { 'Content-Type': 'application/json', 'Content-Encoding': 'deflate' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe('4');
    expect(body.partialSuccess.errorMessage).toMatch(/spans\[1\]: traceId is not hex/);
    expect(body.partialSuccess.errorMessage).toMatch(/spans\[2\]: spanId is all zeroes/);
    expect(sink.events.map((e) => e.span_id)).toEqual(['eee19b7ec3c1b174', 'eee19b7ec3c1b177']);
  });

  it('rejects log records with invalid ids alone (rejectedLogRecords), keeping records without ids', async () => {
    const rec = (extra: Record<string, unknown>) => ({ timeUnixNano: '1544712660300000000', severityNumber: 9, body: { stringValue: 'r' }, ...extra });
    const body = JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                rec({}),
                rec({ traceId: '5b8efff798038103d269b633813fc60c', spanId: 'nothex!!' }),
                rec({ spanId: 'eee19b7ec3c1b174', traceId: '5b8efff798038103d269b633813fc60c' }),
              ],
            },
          ],
        },
      ],
    });
    const res = await post('/v1/logs', body, { 'Content-Type': 'application/json' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      partialSuccess: { rejectedLogRecords: '1', errorMessage: expect.stringMatching(/logRecords\[1\]: spanId is not hex/) },
    });
    expect(sink.events).toHaveLength(2);
  });

  it('requires the bearer token when one is configured', async () => {
    await collector.close();
    collector = await startCollector({ port: 0, sinks: [sink], token: 's3cret' });
    const res = await post('/v1/traces', traceJson([goodSpan('eee19b7ec3c1b174')]), { 'Content-Type': 'application/json' });
    expect(res.status).toBe(401);
    const ok = await post('/v1/traces', traceJson([goodSpan('eee19b7ec3c1b174')]), { 'Content-Type': 'application/json', Authorization: 'Bearer s3cret' });
    expect(ok.status).toBe(200);
  });

  it('refuses requests naming another host (DNS rebinding) when bound to loopback without a token', async () => {
    const { request } = await import('node:http');
    const { port } = new URL(collector.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: Number(port), path: '/api/sessions', headers: { Host: 'evil.example:4318' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('refuses to bind a non-loopback address without a token', async () => {
    await expect(startCollector({ port: 0, host: '0.0.0.0', token: '' })).rejects.toThrow(/refusing to bind/);
  });

  it('refuses a blank token anywhere, and one shorter than 16 characters off loopback (before listening)', async () => {
    await expect(startCollector({ port: 0, host: '0.0.0.0', token: ' ' })).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(startCollector({ port: 0, host: '127.0.0.1', token: '   ' })).rejects.toMatchObject({ code: 'invalid_token' });
    await expect(startCollector({ port: 0, host: '0.0.0.0', token: 'a' })).rejects.toThrow(/too easy to guess.*at least 16/);
    await expect(startCollector({ port: 0, host: '0.0.0.0', token: 'fifteen-chars-x' })).rejects.toMatchObject({ code: 'invalid_token' });
  });
});
