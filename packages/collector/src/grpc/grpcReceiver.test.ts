import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { PipelineUnavailableError } from '@debbie/pipeline';
import type { DebbieEvent, EventSink } from '@debbie/model';
import { startCollector, type RunningCollector } from '../startCollector.js';
import { decodeExportResponseProto } from '../otlp/otlpProto.js';
import { otlpJsonToProto } from '../otlp/otlpJsonToProto.js';
import { GrpcReceiver } from './GrpcReceiver.js';

class CollectingSink implements EventSink {
  events: DebbieEvent[] = [];
  write(e: DebbieEvent): void {
    this.events.push(e);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** CompressionAlgorithm.GZIP of @opentelemetry/otlp-exporter-base (not a direct dependency). */
const GZIP = 'gzip' as never;
const TOKEN = 'grpc-test-token-0123456789';
let collector: RunningCollector | undefined;
let receiver: GrpcReceiver | undefined;
afterEach(async () => {
  await collector?.close();
  await receiver?.close();
  collector = undefined;
  receiver = undefined;
});

function metadata(token = TOKEN): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('authorization', `Bearer ${token}`);
  return m;
}

/** A raw unary call to the OTLP service (what an exporter does), for the error answers. */
function call(address: string, path: string, body: Uint8Array, md = metadata()): Promise<{ response?: Buffer; error?: grpc.ServiceError }> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      md,
      (error, response) => {
        client.close();
        resolve(error ? { error } : { response: response! });
      },
    );
  });
}
const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

describe('OTLP/gRPC receiver', () => {
  it('takes traces and logs from the official OTLP gRPC exporters, gzip-compressed, with the token', async () => {
    const sink = new CollectingSink();
    collector = await startCollector({ port: 0, grpcPort: 0, sinks: [sink], token: TOKEN });
    const url = `http://${collector.grpcAddress}`;
    const resource = resourceFromAttributes({ 'service.name': 'grpc-app', 'session.id': 'grpc-session' });
    const tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url, compression: GZIP, metadata: metadata() }))],
    });
    const span = tracerProvider
      .getTracer('t')
      .startSpan('execute_tool lookup', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup', payload: 'x'.repeat(20_000) } });
    span.end();
    await tracerProvider.forceFlush();
    const loggerProvider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url, compression: GZIP, metadata: metadata() }) })],
    });
    loggerProvider.getLogger('l').emit({ body: 'hello over gRPC', severityText: 'WARN', attributes: { 'session.id': 'grpc-session' } });
    await loggerProvider.forceFlush();
    await collector.flush();
    const tool = sink.events.find((e) => e.kind === 'span')!;
    expect(tool).toMatchObject({ source: 'tool', component: 'lookup', session_id: 'grpc-session', service_name: 'grpc-app' });
    expect(sink.events.find((e) => e.kind === 'log')).toMatchObject({ event_summary: 'hello over gRPC', level: 'WARNING', session_id: 'grpc-session' });
    expect(collector.stats().grpc).toMatchObject({ requests: 2, spans_accepted: 1, logs_accepted: 1, requests_failed: 0 });
    await tracerProvider.shutdown();
    await loggerProvider.shutdown();
  });

  it('refuses a wrong token (UNAUTHENTICATED), a malformed message (INVALID_ARGUMENT) and one over the size limit (RESOURCE_EXHAUSTED); rejects bad spans alone (partial_success)', async () => {
    const sink = new CollectingSink();
    collector = await startCollector({ port: 0, grpcPort: 0, sinks: [sink], token: TOKEN, maxBodyBytes: 64 * 1024 });
    const address = collector.grpcAddress!;
    const good = {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      name: 'ok',
      startTimeUnixNano: '1767225600000000000',
      endTimeUnixNano: '1767225601000000000',
    };
    const request = (spans: object[]) => otlpJsonToProto('traces', { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans }] }] });
    expect((await call(address, TRACES, request([good]), metadata('wrong-token-0123456789abc'))).error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await call(address, TRACES, request([good]), new grpc.Metadata())).error?.code).toBe(grpc.status.UNAUTHENTICATED);
    const malformed = await call(address, TRACES, Buffer.from([0x0a, 0xff, 0xff, 0x01]));
    expect(malformed.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await call(address, TRACES, request([{ ...good, name: 'x'.repeat(70 * 1024) }]))).error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const partial = await call(address, TRACES, request([good, { ...good, spanId: 'abc', name: 'bad id' }]));
    expect(partial.error).toBeUndefined();
    const answer = decodeExportResponseProto('traces', partial.response!);
    expect(answer.rejected).toBe(1);
    expect(answer.errorMessage).toMatch(/spanId/);
    await collector.flush();
    expect(sink.events.filter((e) => e.kind === 'span').map((e) => e.event_summary)).toEqual(['ok']);
  });

  it('answers UNAVAILABLE (the retryable OTLP answer) when the pipeline refuses, and stores nothing it refused', async () => {
    const written: DebbieEvent[][] = [];
    let busy = true;
    receiver = new GrpcReceiver({
      port: 0,
      pipeline: {
        checkAvailable: () => {
          if (busy) throw new PipelineUnavailableError('collector_overloaded', 'store behind: 100000 events pending');
        },
        writeBatch: async (events: DebbieEvent[]) => {
          written.push(events);
        },
      } as never,
    });
    await receiver.listen();
    const body = otlpJsonToProto('traces', {
      resourceSpans: [
        { scopeSpans: [{ spans: [{ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), name: 'ok', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] },
      ],
    });
    const refused = await call(receiver.address, TRACES, body, new grpc.Metadata());
    expect(refused.error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(refused.error?.details).toMatch(/retry later/);
    expect(written).toHaveLength(0);
    busy = false;
    expect((await call(receiver.address, TRACES, body, new grpc.Metadata())).error).toBeUndefined();
    expect(written).toHaveLength(1);
    expect(receiver.stats).toMatchObject({ requests: 2, requests_throttled: 1, spans_accepted: 1 });
  });
});
