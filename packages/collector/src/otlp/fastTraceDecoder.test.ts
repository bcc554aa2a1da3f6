import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { DebbieEvent } from '@debbie/model';
import { decodeTracesProtoFast } from './fastTraceDecoder.js';
import { decodeProtoTraces } from './decodeTraces.js';
import { decodeTraceRequestProto } from './otlpProto.js';
import { MalformedOtlpError } from './OtlpBatch.js';

function serializedSpans(): Uint8Array {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc', 'session.id': 's', 'host.cores': 2 }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('t');
  const root = tracer.startSpan('root ü ✓ a long span name that goes past thirty-two bytes', {
    attributes: {
      str: 'x',
      'ünïcödé key': 'välue ✓',
      int: 42,
      big: 2 ** 40,
      neg: -7,
      dbl: 3.25,
      yes: true,
      no: false,
      strs: ['a', 'b'],
      ints: [1, 2, 3],
      bools: [true],
      dbls: [0.5],
      empty: '',
    },
  });
  const child = tracer.startSpan(
    'child',
    { attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'm', 'llm.token_count.prompt': 3 } },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  child.addEvent('chunk', { n: 1, text: 'hello' });
  child.recordException(new TypeError('bad thing'));
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
  child.end();
  root.end();
  return ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
}

// Point events made from span events get fresh ids: compare everything else.
const comparable = (events: DebbieEvent[]) => events.map((e) => ({ ...e, event_id: e.kind === 'log' ? '' : e.event_id }));

describe('decodeTracesProtoFast', () => {
  it('gives exactly what the protobufjs reflection decoder gives, for every attribute type, events and status', () => {
    const body = serializedSpans();
    const fast = decodeTracesProtoFast(body);
    const slow = decodeProtoTraces(decodeTraceRequestProto(body));
    expect(fast.accepted).toBe(2);
    expect(comparable(fast.events)).toEqual(comparable(slow.events));
    const root = fast.events.find((e) => e.event_summary.startsWith('root'))!;
    expect(root.details).toMatchObject({ 'ünïcödé key': 'välue ✓', big: 2 ** 40, neg: -7, dbl: 3.25, no: false, ints: [1, 2, 3], empty: '' });
  });

  it('reads attribute keys right through its key cache: thousands of distinct keys (colliding slots), long and non-ASCII ones, decoded twice', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
    // 30 spans × 100 keys (the SDK keeps 128 attributes a span): 3,000 distinct keys.
    for (let s = 0; s < 30; s++) {
      const attributes: Record<string, string> = { [`k${'x'.repeat(80)}`]: 'long key', 'clé ✓': 'non-ascii' };
      for (let i = 0; i < 100; i++) attributes[`attr.${s * 100 + i}`] = `v${s * 100 + i}`;
      tracer.startSpan(`span ${s}`, { attributes }).end();
    }
    const body = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
    const slow = decodeProtoTraces(decodeTraceRequestProto(body));
    for (let round = 0; round < 2; round++) {
      const fast = decodeTracesProtoFast(body);
      expect(comparable(fast.events)).toEqual(comparable(slow.events));
      expect(fast.events).toHaveLength(30);
      for (const [s, e] of fast.events.entries()) {
        expect(e.details[`attr.${s * 100 + 99}`]).toBe(`v${s * 100 + 99}`);
        expect(e.details[`k${'x'.repeat(80)}`]).toBe('long key');
        expect(e.details['clé ✓']).toBe('non-ascii');
      }
    }
  });

  it('gives each span its own trace and parent ids when traces interleave (the previous id is reused only when the bytes match)', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
    const roots = [0, 1, 2].map((i) => tracer.startSpan(`root ${i}`));
    for (let n = 0; n < 12; n++) tracer.startSpan(`child ${n}`, {}, trace.setSpan(ROOT_CONTEXT, roots[[0, 0, 1, 2, 2, 0][n % 6]!]!)).end();
    for (const root of roots) root.end();
    const spans = exporter.getFinishedSpans();
    const fast = decodeTracesProtoFast(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(fast.events.map((e) => [e.trace_id, e.parent_span_id])).toEqual(spans.map((s) => [s.spanContext().traceId, s.parentSpanContext?.spanId ?? null]));
    expect(new Set(fast.events.map((e) => e.trace_id)).size).toBe(3);
  });

  it('throws MalformedOtlpError for every truncation of a valid body', () => {
    const body = serializedSpans();
    let thrown = 0;
    for (let cut = 1; cut < body.length; cut++) {
      try {
        decodeTracesProtoFast(body.subarray(0, cut));
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedOtlpError);
        thrown += 1;
      }
    }
    // A cut exactly between two top-level fields is a valid (shorter) message; every other cut throws.
    expect(thrown).toBeGreaterThan(body.length * 0.9);
  });
});
