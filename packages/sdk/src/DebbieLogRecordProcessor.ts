import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import { ATTR, eventFromReadableLogRecord, type EventSink } from '@debbie/model';
import { createPipeline, Pipeline } from '@debbie/pipeline';
import { DEBBIE_DIRECT_KEY, getDebbieContext } from './context.js';

export interface DebbieLogRecordProcessorOptions {
  /** The one pipeline (a bare sink is put behind one, which converts and redacts). */
  sink: EventSink;
}

/**
 * Turns log records emitted through the OTel Logs API (by any library) into DebbieEvents.
 * Records DebbieLogger emitted itself are already in the sinks and are skipped.
 */
export class DebbieLogRecordProcessor implements LogRecordProcessor {
  private readonly sink: Pipeline;
  /** Records whose conversion failed (reported, never thrown). */
  failed = 0;

  constructor(options: DebbieLogRecordProcessorOptions) {
    this.sink = options.sink instanceof Pipeline ? options.sink : createPipeline({ sinks: [options.sink] });
  }

  onEmit(record: SdkLogRecord, context?: Context): void {
    if (context?.getValue(DEBBIE_DIRECT_KEY)) return;
    if (context) {
      const ids = getDebbieContext(context);
      if (ids.sessionId !== undefined && record.attributes[ATTR.SESSION_ID] === undefined) record.setAttribute(ATTR.SESSION_ID, ids.sessionId);
      if (ids.agentId !== undefined && record.attributes[ATTR.AGENT_ID] === undefined) record.setAttribute(ATTR.AGENT_ID, ids.agentId);
      if (ids.correlationId !== undefined && record.attributes[ATTR.CORRELATION_ID] === undefined) record.setAttribute(ATTR.CORRELATION_ID, ids.correlationId);
    }
    let event;
    try {
      event = eventFromReadableLogRecord(record); // foreign conversion and redaction: the pipeline's entrance
    } catch {
      this.failed += 1;
      return;
    }
    this.sink.write(event);
  }

  forceFlush(): Promise<void> {
    return this.sink.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.sink.shutdown();
  }
}
