import type { DebbieEvent } from './DebbieEvent.js';

/**
 * Where normalized events go: the store, the commentary, the stream, a file, the console.
 * `write` must not block and must not throw: a sink that cannot keep up drops and counts.
 */
export interface EventSink {
  write(event: DebbieEvent): void;
  /** Resolves when everything written so far has been handled. */
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  /**
   * True when this sink wants span-start ("pending span") events as well (live views, forwarders
   * to a collector). Absent or false: it only ever sees finished spans and log records.
   */
  readonly acceptsSpanStarts?: boolean;
}
