import { diag } from '@opentelemetry/api';
import type { DebbieEvent, EventSink } from '@debbie/model';

/**
 * Writes each event to every sink. A sink that throws is isolated: the error is counted and
 * reported to OTel's diag logger, and the other sinks still get the event.
 */
export class EventFanout implements EventSink {
  private readonly sinks: EventSink[];
  private errors = 0;

  constructor(sinks: readonly EventSink[] = []) {
    this.sinks = [...sinks];
  }

  add(sink: EventSink): void {
    this.sinks.push(sink);
  }

  write(event: DebbieEvent): void {
    for (const sink of this.sinks) {
      try {
        sink.write(event);
      } catch (error) {
        this.errors += 1;
        diag.error('debbie: a sink threw while writing an event', error);
      }
    }
  }

  /** Sink errors so far. */
  get errorCount(): number {
    return this.errors;
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.forceFlush().catch((e: unknown) => diag.error('debbie: sink flush failed', e))));
  }

  private shutdownPromise: Promise<void> | undefined;

  /** Shuts every sink down once; later calls return the same promise. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= Promise.all(
      this.sinks.map((s) => s.shutdown().catch((e: unknown) => diag.error('debbie: sink shutdown failed', e))),
    ).then(() => undefined);
    return this.shutdownPromise;
  }
}
