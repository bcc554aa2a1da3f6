import type { EventSink } from '@debbie/model';
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

