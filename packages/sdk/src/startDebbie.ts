import { trace } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Clock, EventSink } from '@debbie/model';
import { debbieProcessors, loggerFor, type CommentaryFactory, type DebbieProcessors } from './debbieProcessors.js';
import type { DebbieLogger } from './DebbieLogger.js';

export interface StartDebbieOptions {
  serviceName?: string;
  sinks?: EventSink[];
  clock?: Clock;
  commentary?: CommentaryFactory;
  /** Your own processors (OTLP export to Jaeger/Tempo…), run beside Debbie's. */
  spanProcessors?: SpanProcessor[];
  logRecordProcessors?: LogRecordProcessor[];
}

export interface StartedDebbie {
  sdk: NodeSDK;
  logger: DebbieLogger;
  processors: DebbieProcessors;
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry NodeSDK (global providers, auto context) with Debbie's processors,
 * for an app that has no OpenTelemetry setup of its own.
 */
export function startDebbie(options: StartDebbieOptions = {}): StartedDebbie {
  const processors = debbieProcessors({ sinks: [...(options.sinks ?? [])] });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'debbie-app' }),
    spanProcessors: [processors.spanProcessor, ...(options.spanProcessors ?? [])],
    logRecordProcessors: [processors.logRecordProcessor, ...(options.logRecordProcessors ?? [])],
    instrumentations: [],
  });
  sdk.start();
  const hasOtherLogProcessors = (options.logRecordProcessors ?? []).length > 0;
  const logger = loggerFor(processors, {
    tracer: trace.getTracer('@debbie/sdk'),
    otelLogger: hasOtherLogProcessors ? logs.getLogger('@debbie/sdk') : undefined,
    clock: options.clock,
    commentary: options.commentary,
  });
  return {
    sdk,
    logger,
    processors,
    async shutdown() {
      await sdk.shutdown();
      await processors.pipeline.shutdown();
    },
  };
}
