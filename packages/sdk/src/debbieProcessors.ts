import type { Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { systemClock, type Clock, type DebbieEvent, type EventSink } from '@debbie/model';
import { createPipeline, Pipeline, type OptionalSink } from '@debbie/pipeline';
import { DebbieLogger } from './DebbieLogger.js';
import { DebbieLogRecordProcessor } from './DebbieLogRecordProcessor.js';
import { DebbieSpanProcessor } from './DebbieSpanProcessor.js';

export interface DebbieProcessorsOptions {
  /** Where normalized events go (store, stream, console, file…), behind the one pipeline. */
  sinks: readonly (EventSink | OptionalSink)[];
  /** Max ended spans queued for conversion (default 65,536; drops are counted). */
  maxQueueSize?: number;
}

export interface DebbieProcessors {
  spanProcessor: DebbieSpanProcessor;
  logRecordProcessor: DebbieLogRecordProcessor;
  /** The one pipeline (foreign conversion, redaction, sinks, commentary) both processors feed. */
  pipeline: Pipeline;
}

/**
 * Debbie's processors, to add to an existing pipeline in three lines:
 * @example
 * const debbie = debbieProcessors({ sinks: [new ConsoleSink()] });
 * new NodeSDK({ spanProcessors: [...yours, debbie.spanProcessor],
 *               logRecordProcessors: [...yours, debbie.logRecordProcessor] }).start();
 */
export function debbieProcessors(options: DebbieProcessorsOptions): DebbieProcessors {
  const pipeline = createPipeline({ sinks: options.sinks });
  return {
    pipeline,
    spanProcessor: new DebbieSpanProcessor({ sink: pipeline, ...(options.maxQueueSize ? { maxQueueSize: options.maxQueueSize } : {}) }),
    logRecordProcessor: new DebbieLogRecordProcessor({ sink: pipeline }),
  };
}

/** Builds the commentary sink; `emit` delivers the comments it makes back into the pipeline. */
export type CommentaryFactory = (emit: (event: DebbieEvent) => void) => EventSink;

/**
 * The DebbieLogger over a set of processors, and the commentary (when given) on their pipeline:
 * its comments go to the sinks and, as log records, to the OTel log exporters.
 */
export function loggerFor(
  processors: DebbieProcessors,
  options: { tracer: Tracer; otelLogger: Logger | undefined; clock?: Clock | undefined; commentary?: CommentaryFactory | undefined },
): DebbieLogger {
  const logger = new DebbieLogger({ tracer: options.tracer, otelLogger: options.otelLogger, sink: processors.pipeline, clock: options.clock ?? systemClock });
  const commentary = options.commentary;
  if (commentary) {
    processors.pipeline.attachCommentary((emit) =>
      commentary((event) => {
        const clean = emit(event);
        if (clean) logger.toOtelLogs(clean);
      }),
    );
  }
  return logger;
}

/** The sink as the one pipeline: a processor given a bare sink still converts and redacts once. */
export function asPipeline(sink: EventSink): Pipeline {
  return sink instanceof Pipeline ? sink : createPipeline({ sinks: [sink] });
}
