import { context as otelContext, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Clock, EventSink } from '@debbie/model';
import type { DebbieLogger } from './DebbieLogger.js';
import { debbieProcessors, loggerFor, type CommentaryFactory, type DebbieProcessors } from './debbieProcessors.js';

export interface CreateDebbieOptions {
  /** OTel resource `service.name` (default "debbie-app"). */
  serviceName?: string;
  /** Where normalized events go. */
  sinks?: EventSink[];
  /** Time source for span and log timestamps (default: wall clock; the simulator passes its own). */
  clock?: Clock;
  /** Debbie's commentary, fed every event; its comments flow back to the sinks and exporters. */
  commentary?: CommentaryFactory;
  /** Extra OTel span exporters (OTLP to Jaeger/Tempo…), each behind a BatchSpanProcessor. */
  spanExporters?: SpanExporter[];
  /** Extra OTel log exporters, each behind a BatchLogRecordProcessor. */
  logExporters?: LogRecordExporter[];
  /** Extra processors of your own. */
  spanProcessors?: SpanProcessor[];
  logRecordProcessors?: LogRecordProcessor[];
}

export interface Debbie {
  logger: DebbieLogger;
  tracerProvider: TracerProvider;
  loggerProvider: LoggerProvider;
  processors: DebbieProcessors;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

let contextManagerInstalled = false;

/** Installs an AsyncLocalStorage context manager unless one is already registered. */
export function ensureContextManager(): void {
  if (contextManagerInstalled) return;
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!otelContext.setGlobalContextManager(manager)) manager.disable();
  contextManagerInstalled = true;
}

/**
 * A self-contained Debbie: its own TracerProvider and LoggerProvider (no globals touched but the
 * context manager), Debbie's processors feeding the sinks, and a DebbieLogger.
 */
export function createDebbie(options: CreateDebbieOptions = {}): Debbie {
  ensureContextManager();
  const sinks = [...(options.sinks ?? [])];
  const processors = debbieProcessors({ sinks });
  const resource = resourceFromAttributes({ 'service.name': options.serviceName ?? 'debbie-app' });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [
      processors.spanProcessor,
      ...(options.spanExporters ?? []).map((e) => new BatchSpanProcessor(e, { maxQueueSize: 65_536 })),
      ...(options.spanProcessors ?? []),
    ],
  });
  const logExporters = options.logExporters ?? [];
  const extraLogProcessors = options.logRecordProcessors ?? [];
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      processors.logRecordProcessor,
      ...logExporters.map((exporter) => new BatchLogRecordProcessor({ exporter, maxQueueSize: 65_536 })),
      ...extraLogProcessors,
    ],
  });
  const needsOtelLogs = logExporters.length > 0 || extraLogProcessors.length > 0;
  const logger = loggerFor(processors, {
    tracer: tracerProvider.getTracer('@debbie/sdk'),
    otelLogger: needsOtelLogs ? loggerProvider.getLogger('@debbie/sdk') : undefined,
    clock: options.clock,
    commentary: options.commentary,
  });
  return {
    logger,
    tracerProvider,
    loggerProvider,
    processors,
    async forceFlush() {
      await tracerProvider.forceFlush();
      await loggerProvider.forceFlush();
      await processors.pipeline.forceFlush();
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await loggerProvider.shutdown();
      await processors.pipeline.shutdown();
    },
  };
}
