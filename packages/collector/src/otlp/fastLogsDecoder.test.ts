import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import type { DebbieEvent } from '@debbie/model';
import { decodeLogsProtoFast } from './fastLogsDecoder.js';
import { decodeProtoLogs } from './decodeLogs.js';
import { decodeLogsRequestProto } from './otlpProto.js';
import { MalformedOtlpError } from './OtlpBatch.js';

function serializedLogs(): Uint8Array {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'svc', 'session.id': 's' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('t');
  const spanCtx = trace.setSpanContext(ROOT_CONTEXT, { traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 });
  logger.emit({
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'tool failed ✓',
    attributes: { 'gen_ai.tool.name': 'read_file', n: 3, big: 2 ** 40, ok: false, list: ['a', 'b'] },
    context: spanCtx,
  });
  logger.emit({ body: { structured: true, nested: { n: [1, 2.5] } }, attributes: { 'exception.type': 'KeyError', 'exception.message': 'k' } });
  logger.emit({ severityNumber: 9, eventName: 'browser.page_view', body: 'x' } as never);
  return ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!;
}

// Records without a debbie.event_id get fresh ids: compare everything else.
const comparable = (events: DebbieEvent[]) => events.map((e) => ({ ...e, event_id: '' }));

describe('decodeLogsProtoFast', () => {
  it('gives exactly what the protobufjs reflection decoder gives', () => {
    const body = serializedLogs();
    const fast = decodeLogsProtoFast(body);
    const slow = decodeProtoLogs(decodeLogsRequestProto(body));
    expect(fast.accepted).toBe(3);
    expect(comparable(fast.events)).toEqual(comparable(slow.events));
    expect(fast.events[0]).toMatchObject({ level: 'ERROR', trace_id: 'ab'.repeat(16), parent_id: 'cd'.repeat(8), service_name: 'svc' });
    expect(fast.events[1]).toMatchObject({ level: 'ERROR', stack_trace: 'KeyError: k' });
    expect(fast.events[1]!.details.body).toEqual({ structured: true, nested: { n: [1, 2.5] } });
  });

  it('gives each record its own trace and span ids when spans interleave and some records have none', () => {
    const exporter = new InMemoryLogRecordExporter();
    const logger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }).getLogger('t');
    const ctx = (t: string, s: string) => trace.setSpanContext(ROOT_CONTEXT, { traceId: t.repeat(32), spanId: s.repeat(16), traceFlags: 1 });
    const contexts = [ctx('a', '1'), ctx('a', '1'), ctx('a', '2'), ctx('b', '3'), undefined, ctx('a', '2'), ctx('b', '3')];
    for (const [i, context] of contexts.entries()) logger.emit({ body: `r${i}`, ...(context ? { context } : {}) });
    const fast = decodeLogsProtoFast(ProtobufLogsSerializer.serializeRequest(exporter.getFinishedLogRecords())!);
    expect(fast.events.map((e) => [e.trace_id, e.parent_id])).toEqual([
      ['a'.repeat(32), '1'.repeat(16)],
      ['a'.repeat(32), '1'.repeat(16)],
      ['a'.repeat(32), '2'.repeat(16)],
      ['b'.repeat(32), '3'.repeat(16)],
      [null, null],
      ['a'.repeat(32), '2'.repeat(16)],
      ['b'.repeat(32), '3'.repeat(16)],
    ]);
  });

  it('throws MalformedOtlpError for truncated bodies', () => {
    const body = serializedLogs();
    let thrown = 0;
    for (let cut = 1; cut < body.length; cut++) {
      try {
        decodeLogsProtoFast(body.subarray(0, cut));
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedOtlpError);
        thrown += 1;
      }
    }
    expect(thrown).toBeGreaterThan(body.length * 0.9);
  });
});
