import type { Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { systemClock, type Clock, type DebbieEvent, type EventSink } from '@debbie/model';
import { DebbieLogger } from './DebbieLogger.js';
import { DebbieLogRecordProcessor } from './DebbieLogRecordProcessor.js';
import { DebbieSpanProcessor } from './DebbieSpanProcessor.js';
import { EventFanout } from './EventFanout.js';

export interface DebbieProcessorsOptions {
  /** Where normalized events go (store, stream, console, file…). */
  sinks: EventSink[];
  /** Max ended spans queued for conversion (default 65,536; drops are counted). */
  maxQueueSize?: number;
}

export interface DebbieProcessors {
  spanProcessor: DebbieSpanProcessor;
  logRecordProcessor: DebbieLogRecordProcessor;
  /** The sinks, behind one error-isolating fan-out. */
  fanout: EventFanout;
}

/**
 * Debbie's processors, to add to an existing pipeline in three lines:
 * @example
 * const debbie = debbieProcessors({ sinks: [new ConsoleSink()] });
 * new NodeSDK({ spanProcessors: [...yours, debbie.spanProcessor],
 *               logRecordProcessors: [...yours, debbie.logRecordProcessor] }).start();
 */
export function debbieProcessors(options: DebbieProcessorsOptions): DebbieProcessors {
  const fanout = new EventFanout(options.sinks);
  return {
    fanout,
    spanProcessor: new DebbieSpanProcessor({ sink: fanout, ...(options.maxQueueSize ? { maxQueueSize: options.maxQueueSize } : {}) }),
    logRecordProcessor: new DebbieLogRecordProcessor({ sink: fanout }),
  };
}


/** Builds the commentary sink; `emit` delivers the comments it makes back into the pipeline. */
export type CommentaryFactory = (emit: (event: DebbieEvent) => void) => EventSink;

/**
 * The DebbieLogger over a set of processors, and the commentary (when given) as one more sink
 * whose comments go back through the logger — to the sinks and to the OTel log exporters.
 */
export function loggerFor(processors: DebbieProcessors, options: { tracer: Tracer; otelLogger: Logger | undefined; clock?: Clock | undefined; commentary?: CommentaryFactory | undefined }): DebbieLogger {
  const logger = new DebbieLogger({ tracer: options.tracer, otelLogger: options.otelLogger, sink: processors.fanout, clock: options.clock ?? systemClock });
  if (options.commentary) processors.fanout.add(options.commentary((event) => logger.emitEvent(event)));
  return logger;
}
