// Contract tests for the parts of Debbie that plug into someone else's OpenTelemetry pipeline,
// run by scripts/compat-otel3.sh on Node 24 against OpenTelemetry JS SDK 3.x (node:test, no vitest).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
// SDK 3.x renamed BasicTracerProvider to TracerProvider and takes options objects for processors.
import { TracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { debbieProcessors, InMemorySink, withDebbieContext } from '@debbie/sdk/processors';
import { DebbieLogRecordExporter, DebbieSpanExporter, JsonDestination } from '@debbie/exporters';

const sdkVersion = JSON.parse(readFileSync(new URL('./node_modules/@opentelemetry/sdk-trace/package.json', import.meta.url), 'utf8')).version;

test(`runs on Node ${process.versions.node} with @opentelemetry/sdk-trace ${sdkVersion}`, () => {
  assert.equal(process.versions.node.split('.')[0], '24');
  assert.equal(sdkVersion.split('.')[0], '3');
});

test('DebbieSpanProcessor turns 3.x spans into DebbieEvents with context ids and parents', async () => {
  const sink = new InMemorySink();
  const debbie = debbieProcessors({ sinks: [sink] });
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'otel3-app' }), spanProcessors: [debbie.spanProcessor] });
  const tracer = provider.getTracer('contract');
  const ctx = withDebbieContext({ sessionId: 's-3', agentId: 'p', correlationId: 'turn-1' }, context.active());
  const parent = tracer.startSpan('invoke_agent planner', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } }, ctx);
  const child = tracer.startSpan(
    'execute_tool list_rfcs',
    { attributes: { 'gen_ai.tool.name': 'list_rfcs', 'gen_ai.usage.input_tokens': 7 } },
    trace.setSpan(ctx, parent),
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  child.end();
  parent.end();
  await provider.forceFlush();
  const [tool, agent] = sink.events;
  assert.equal(sink.events.length, 2);
  assert.equal(tool.source, 'tool');
  assert.equal(tool.level, 'ERROR');
  assert.equal(tool.details.tool_name, 'list_rfcs');
  assert.equal(tool.performance_metrics.input_tokens, 7);
  assert.equal(tool.parent_id, agent.span_id);
  assert.equal(agent.source, 'agent');
  for (const e of sink.events) {
    assert.equal(e.session_id, 's-3');
    assert.equal(e.agent_id, 'p');
    assert.equal(e.correlation_id, 'turn-1');
    assert.equal(e.service_name, 'otel3-app');
  }
  await provider.shutdown();
});

test('DebbieLogRecordProcessor turns 3.x log records into DebbieEvents', async () => {
  const sink = new InMemorySink();
  const debbie = debbieProcessors({ sinks: [sink] });
  const provider = new LoggerProvider({ processors: [debbie.logRecordProcessor] });
  provider.getLogger('contract').emit({
    body: 'CONTINUATION DECISION: False',
    severityNumber: 13,
    severityText: 'WARN',
    attributes: { 'debbie.source': 'session', 'session.id': 's-3', api_key: 'sk-or-v1-0123456789abcdefghij' },
  });
  await provider.forceFlush();
  assert.equal(sink.events.length, 1);
  const [e] = sink.events;
  assert.equal(e.source, 'session');
  assert.equal(e.level, 'WARNING');
  assert.equal(e.event_summary, 'CONTINUATION DECISION: False');
  assert.equal(e.details.api_key, '[REDACTED]');
  await provider.shutdown();
});

test('DebbieSpanExporter and DebbieLogRecordExporter write 3.x batches to a JSONL file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'debbie-compat-'));
  const spansOut = join(dir, 'spans.jsonl');
  const logsOut = join(dir, 'logs.jsonl');
  const tracerProvider = new TracerProvider({
    spanProcessors: [new BatchSpanProcessor({ exporter: new DebbieSpanExporter(new JsonDestination({ output: spansOut, format: 'jsonl' })) })],
  });
  const loggerProvider = new LoggerProvider({
    processors: [new BatchLogRecordProcessor({ exporter: new DebbieLogRecordExporter(new JsonDestination({ output: logsOut, format: 'jsonl' })) })],
  });
  const tracer = tracerProvider.getTracer('contract');
  for (let i = 0; i < 25; i++) tracer.startSpan(`execute_tool t${i}`, { attributes: { 'gen_ai.tool.name': `t${i}`, 'session.id': 'export-s' } }).end();
  for (let i = 0; i < 5; i++) loggerProvider.getLogger('contract').emit({ body: `log ${i}`, attributes: { 'session.id': 'export-s' } });
  await tracerProvider.shutdown();
  await loggerProvider.shutdown();
  const spans = readFileSync(spansOut, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const logs = readFileSync(logsOut, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(spans.length, 25);
  assert.equal(logs.length, 5);
  assert.deepEqual(new Set(spans.map((s) => s.source)), new Set(['tool']));
  assert.ok(spans.every((s) => s.session_id === 'export-s'));
  assert.deepEqual(
    logs.map((l) => l.event_summary),
    ['log 0', 'log 1', 'log 2', 'log 3', 'log 4'],
  );
});
