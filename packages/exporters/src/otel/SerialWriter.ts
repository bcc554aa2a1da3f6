import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { DebbieEvent } from '@debbie/model';
import type { EventDestination } from '../EventDestination.js';

export interface SerialWriterOptions {
  /**
   * Batches waiting for the destination at most; an export beyond it fails at once (counted in
   * `dropped`) instead of queueing without bound. Default 64.
   */
  maxPendingBatches?: number;
  /** Close the destination on shutdown. Set false when a span and a log exporter share one destination and you close it yourself. Default true. */
  closeDestinationOnShutdown?: boolean;
}

/**
 * Feeds converted OTel batches to a destination one at a time, in order, and reports each through
 * its result callback. Never throws: failures go to the callback and to `diag`.
 */
export class SerialWriter {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;
  private shutdownOnce: Promise<void> | undefined;
  private readonly maxPending: number;
  private readonly closeOnShutdown: boolean;
  /** Events of exports refused because the queue was full or the exporter was shut down. */
  dropped = 0;
  /** Events converted and handed to the destination successfully. */
  exported = 0;

  constructor(
    private readonly destination: EventDestination,
    private readonly label: string,
    options: SerialWriterOptions = {},
  ) {
    this.maxPending = options.maxPendingBatches ?? 64;
    this.closeOnShutdown = options.closeDestinationOnShutdown ?? true;
  }

  submit<T>(items: readonly T[], convert: (item: T, out: DebbieEvent[]) => void, done: (result: ExportResult) => void): void {
    if (this.shutdownOnce) {
      this.dropped += items.length;
      done({ code: ExportResultCode.FAILED, error: new Error(`${this.label}: export after shutdown`) });
      return;
    }
    if (this.pending >= this.maxPending) {
      this.dropped += items.length;
      const error = new Error(`${this.label}: ${this.pending} batches already waiting for ${this.destination.target}; dropped ${items.length} items`);
      diag.warn(error.message);
      done({ code: ExportResultCode.FAILED, error });
      return;
    }
    this.pending += 1;
    this.tail = this.tail.then(async () => {
      try {
        const events: DebbieEvent[] = [];
        for (const item of items) {
          try {
            convert(item, events);
          } catch (error) {
            // One malformed item is skipped alone; the rest of the batch still goes out.
            this.dropped += 1;
            diag.warn(`${this.label}: skipped an item that could not be converted: ${(error as Error).message}`);
          }
        }
        if (events.length > 0) await this.destination.write(events);
        this.exported += events.length;
        done({ code: ExportResultCode.SUCCESS });
      } catch (error) {
        diag.error(`${this.label}: export to ${this.destination.target} failed: ${(error as Error).message}`);
        done({ code: ExportResultCode.FAILED, error: error as Error });
      } finally {
        this.pending -= 1;
      }
    });
  }

  /** Resolves when every batch submitted so far has been handled. */
  forceFlush(): Promise<void> {
    return this.tail;
  }

  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.tail.then(async () => {
      if (!this.closeOnShutdown) return;
      try {
        await this.destination.close();
      } catch (error) {
        diag.error(`${this.label}: closing ${this.destination.target} failed: ${(error as Error).message}`);
      }
    });
    return this.shutdownOnce;
  }
}
