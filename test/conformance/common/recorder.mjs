// Records what a real instrumentation library emits: an in-process OpenTelemetry SDK (2.x or 3.x,
// whichever the app installed) with in-memory span and log exporters, written as OTLP/JSON
// requests into a fixture file that the repo's tests read.
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

async function firstOf(...names) {
  for (const name of names) {
    try {
      return await import(name);
    } catch {
      /* try the next */
    }
  }
  throw new Error(`none of ${names.join(', ')} is installed`);
}

/** `global: false` leaves the global providers to a library that brings its own SDK (Traceloop). */
export async function startRecording(serviceName, { global = true } = {}) {
  const api = await import('@opentelemetry/api');
  const traceSdk = await firstOf('@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-trace');
  const logsSdk = await import('@opentelemetry/sdk-logs');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const resource = resourceFromAttributes({ 'service.name': serviceName });
  const spans = new traceSdk.InMemorySpanExporter();
  const Provider = traceSdk.BasicTracerProvider ?? traceSdk.TracerProvider; // 2.x and 3.x names
  const tracerProvider = new Provider({
    resource,
    spanProcessors: [new traceSdk.SimpleSpanProcessor(traceSdk.BasicTracerProvider ? spans : { exporter: spans })],
  });
  if (global) {
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    api.trace.setGlobalTracerProvider(tracerProvider);
  }
  const records = new logsSdk.InMemoryLogRecordExporter();
  const loggerProvider = new logsSdk.LoggerProvider({ resource, processors: [new logsSdk.SimpleLogRecordProcessor({ exporter: records })] });
  const logsApi = api.logs ?? (await firstOf('@opentelemetry/api-logs')).logs;
  if (global) logsApi.setGlobalLoggerProvider(loggerProvider);
  return {
    api,
    tracerProvider,
    loggerProvider,
    spanExporter: spans,
    /** Flushes, serializes the spans and log records as OTLP/JSON and writes the fixture. */
    async finish(name, packages, notes = '') {
      await tracerProvider.forceFlush();
      await this.beforeFinish?.();
      await loggerProvider.forceFlush();
      const { JsonTraceSerializer, JsonLogsSerializer } = await import('@opentelemetry/otlp-transformer');
      const decode = (bytes) => JSON.parse(Buffer.from(bytes).toString('utf8'));
      const finished = spans.getFinishedSpans();
      const logRecords = records.getFinishedLogRecords();
      const versions = {};
      for (const p of packages) versions[p] = JSON.parse(readFileSync(join('node_modules', p, 'package.json'), 'utf8')).version;
      const fixture = {
        recorded_by: 'test/conformance/record.sh',
        node: process.version,
        packages: versions,
        notes,
        traces: decode(JsonTraceSerializer.serializeRequest(finished)),
        logs: logRecords.length ? decode(JsonLogsSerializer.serializeRequest(logRecords)) : null,
      };
      const file = join(process.env.FIXTURE_DIR ?? '.', `${name}.json`);
      writeFileSync(file, `${JSON.stringify(fixture, null, 1)}\n`);
      console.log(`${name}: ${finished.length} spans, ${logRecords.length} log records → ${file}`);
    },
  };
}
