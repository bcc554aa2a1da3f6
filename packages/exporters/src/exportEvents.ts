import type { DebbieEvent } from '@debbie/model';
import type { EventDestination, ExportSummary } from './EventDestination.js';

/** Progress of a running batch export, after each batch. */
export interface ExportProgress {
  /** Events read from the source so far. */
  read: number;
  /** Batches handed to the destination so far. */
  batches: number;
  elapsedMs: number;
}

export interface ExportEventsOptions {
  /** Called after each batch is written. Default: none. */
  onProgress?: (progress: ExportProgress) => void;
  /** Stops the export between batches; the destination is still closed. Default: none. */
  signal?: AbortSignal;
}

/**
 * Streams stored events (e.g. `EventReader.streamEvents(filter)`) to a destination, one batch at a
 * time, so memory holds one batch plus the destination's own bounded buffer. Always closes the
 * destination, also when the source or the destination fails.
 *
 * @example
 * const summary = await exportEvents(reader.streamEvents({ sessionId }), new JsonDestination({ path: 'out.jsonl', format: 'jsonl' }));
 */
export async function exportEvents(
  source: AsyncIterable<readonly DebbieEvent[]> | Iterable<readonly DebbieEvent[]>,
  destination: EventDestination,
  options: ExportEventsOptions = {},
): Promise<ExportSummary> {
  const started = Date.now();
  let read = 0;
  let batches = 0;
  let failure: unknown;
  try {
    for await (const batch of source) {
      options.signal?.throwIfAborted();
      if (batch.length === 0) continue;
      await destination.write(batch);
      read += batch.length;
      batches += 1;
      options.onProgress?.({ read, batches, elapsedMs: Date.now() - started });
    }
  } catch (error) {
    failure = error;
  }
  // Close even after a failure, so files get their footer and servers get what was buffered.
  let summary: ExportSummary | undefined;
  try {
    summary = await destination.close();
  } catch (error) {
    failure ??= error;
  }
  if (failure !== undefined) throw failure;
  return summary!;
}
