import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTR, createEvent, parseDebbieEvent, type DebbieEvent } from '@debbie/model';
import type { EventDestination, ExportSummary } from '../EventDestination.js';
import { CsvDestination } from '../csv/CsvDestination.js';
import { ElasticsearchDestination } from '../elasticsearch/ElasticsearchDestination.js';
import { JsonDestination } from '../json/JsonDestination.js';
import { LocalElasticsearchServer } from '../testing/LocalElasticsearchServer.js';
import { DebbieLogRecordExporter } from './DebbieLogRecordExporter.js';
import { DebbieSpanExporter } from './DebbieSpanExporter.js';

let es: LocalElasticsearchServer | undefined;
afterEach(async () => {
  await es?.stop();
  es = undefined;
});

const resource = resourceFromAttributes({ 'service.name': 'aiwhisperer-server' });

describe('DebbieSpanExporter', () => {
  it('receives spans from a real BatchSpanProcessor and writes them as DebbieEvents', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-otel-')), 'spans.jsonl');
    const provider = new BasicTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(new DebbieSpanExporter(new JsonDestination({ output: path })))],
    });
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan('execute_tool list_rfcs', { attributes: { [ATTR.SESSION_ID]: 's-1', 'gen_ai.tool.name': 'list_rfcs' } });
    tracer.startSpan('chat gpt-4o', {}, trace.setSpan(ROOT_CONTEXT, parent)).end();
    parent.end();
    await provider.shutdown();
    const events = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => parseDebbieEvent(JSON.parse(l)));
    expect(events).toHaveLength(2);
    const tool = events.find((e) => e.session_id === 's-1')!;
    expect(tool.kind).toBe('span');
    expect(tool.service_name).toBe('aiwhisperer-server');
    expect(tool.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(events.find((e) => e !== tool)!.parent_span_id).toBe(tool.span_id);
  });

  it('reports a failing destination through the result callback and never throws', async () => {
    es = await LocalElasticsearchServer.start({ apiKeys: ['right'] });
    const exporter = new DebbieSpanExporter(new ElasticsearchDestination({ url: es.url, auth: { apiKey: 'wrong' }, maxBatchDocs: 1 }));
    const provider = new BasicTracerProvider();
    const span = provider.getTracer('t').startSpan('x');
    span.end();
    const results: ExportResult[] = [];
    exporter.export([span as unknown as ReadableSpan, span as unknown as ReadableSpan], (r) => results.push(r));
    await exporter.forceFlush();
    expect(results).toHaveLength(1);
    expect(results[0]!.code).toBe(ExportResultCode.FAILED);
    expect(results[0]!.error?.message).toMatch(/refused the credentials \(401\)/);
    await exporter.shutdown();
  });

  it('fails exports beyond its queue bound at once and counts what it dropped', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const written: DebbieEvent[] = [];
    const slow: EventDestination = {
      target: 'slow',
      async write(events) {
        await gate;
        written.push(...events);
      },
      async close(): Promise<ExportSummary> {
        return { written: written.length, rejected: 0, bytes: 0, target: 'slow' };
      },
    };
    const exporter = new DebbieSpanExporter(slow, { maxPendingBatches: 1 });
    const span = new BasicTracerProvider().getTracer('t').startSpan('x');
    span.end();
    const codes: ExportResultCode[] = [];
    exporter.export([span as unknown as ReadableSpan], (r) => codes.push(r.code));
    exporter.export([span as unknown as ReadableSpan, span as unknown as ReadableSpan], (r) => codes.push(r.code));
    expect(codes).toEqual([ExportResultCode.FAILED]);
    expect(exporter.dropped).toBe(2);
    release();
    await exporter.shutdown();
    expect(codes).toEqual([ExportResultCode.FAILED, ExportResultCode.SUCCESS]);
    expect(written).toHaveLength(1);
    exporter.export([span as unknown as ReadableSpan], (r) => codes.push(r.code));
    expect(codes.at(-1)).toBe(ExportResultCode.FAILED);
  });
});

describe('DebbieLogRecordExporter', () => {
  it('receives log records from a real BatchLogRecordProcessor and writes them as CSV', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-otel-')), 'logs.csv');
    const provider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: new DebbieLogRecordExporter(new CsvDestination({ output: path })) } as never)],
    });
    const logger = provider.getLogger('test');
    logger.emit({
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: 'continuation declined, "ok"',
      attributes: { [ATTR.SESSION_ID]: 's-2', [ATTR.SOURCE]: 'session' },
    });
    logger.emit({ severityNumber: SeverityNumber.INFO, body: 'second' });
    await provider.shutdown();
    const text = readFileSync(path, 'utf8');
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(3);
    expect(text).toContain('"continuation declined, ""ok"""');
    expect(text).toContain('WARNING,session');
  });

  it('skips a record it cannot convert and exports the rest', async () => {
    const written: DebbieEvent[] = [];
    const dest: EventDestination = {
      target: 'memory',
      async write(events) {
        written.push(...events);
      },
      async close() {
        return { written: written.length, rejected: 0, bytes: 0, target: 'memory' };
      },
    };
    const exporter = new DebbieLogRecordExporter(dest);
    const good = { hrTime: [1_748_898_315, 0] as [number, number], attributes: {}, body: 'fine' };
    const bad = { hrTime: undefined, attributes: {} } as never;
    const results: ExportResult[] = [];
    exporter.export([good, bad], (r) => results.push(r));
    await exporter.forceFlush();
    expect(results[0]!.code).toBe(ExportResultCode.SUCCESS);
    expect(written.map((e) => e.event_summary)).toEqual(['fine']);
    expect(exporter.dropped).toBe(1);
    void createEvent;
  });
});

describe('redaction on the OTel path', () => {
  it('masks secrets in span attributes before they reach the destination', async () => {
    const written: DebbieEvent[] = [];
    const dest: EventDestination = {
      target: 'memory',
      async write(events) {
        written.push(...events);
      },
      async close() {
        return { written: written.length, rejected: 0, bytes: 0, target: 'memory' };
      },
    };
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(new DebbieSpanExporter(dest))] });
    provider
      .getTracer('t')
      .startSpan('call', { attributes: { [ATTR.DETAILS]: JSON.stringify({ api_key: 'sk-or-v1-abcdefabcdefabcdef0123', ok: 1 }) } })
      .end();
    await provider.shutdown();
    expect(written).toHaveLength(1);
    expect(JSON.stringify(written[0])).not.toContain('sk-or-v1-abcdef');
    expect(written[0]!.details.ok).toBe(1);
  });
});
