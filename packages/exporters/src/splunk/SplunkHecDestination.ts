import type { DebbieEvent } from '@debbie/model';
import { BoundedBatcher } from '../BoundedBatcher.js';
import { DeadLetterFile } from '../DeadLetterFile.js';
import type { EventDestination, ExportSummary } from '../EventDestination.js';
import { eventToHec, type HecEnvelopeOptions } from './hecTransform.js';
import { SplunkHecClient, type SplunkHecClientOptions } from './SplunkHecClient.js';

export interface SplunkHecDestinationOptions extends Omit<SplunkHecClientOptions, 'deadLetter'>, HecEnvelopeOptions {
  /** Bytes per HEC request before compression (HEC's max_content_length is 800 MB by default; Splunk Cloud allows 1 MB). Default 1 MiB. */
  maxBatchBytes?: number;
  /** Events per request. Default 1,000. */
  maxBatchEvents?: number;
  /** File that receives refused events with their reason (JSONL). Default: none (only counted). */
  deadLetterPath?: string;
}

/** Sends events to Splunk's HTTP Event Collector as envelopes, in batches bounded by bytes and count. */
export class SplunkHecDestination implements EventDestination {
  readonly target: string;
  private readonly client: SplunkHecClient;
  private readonly envelope: HecEnvelopeOptions;
  private readonly batcher: BoundedBatcher<{ json: string; document: unknown }>;
  private summary: ExportSummary | undefined;

  constructor(options: SplunkHecDestinationOptions) {
    const deadLetter = options.deadLetterPath ? new DeadLetterFile(options.deadLetterPath) : undefined;
    this.client = new SplunkHecClient({ ...options, ...(deadLetter ? { deadLetter } : {}) });
    this.target = this.client.eventUrl;
    this.envelope = {
      ...(options.host !== undefined ? { host: options.host } : {}),
      ...(options.source !== undefined ? { source: options.source } : {}),
      ...(options.sourcetype !== undefined ? { sourcetype: options.sourcetype } : {}),
      ...(options.index !== undefined ? { index: options.index } : {}),
    };
    const client = this.client;
    this.batcher = new BoundedBatcher({
      maxBytes: options.maxBatchBytes ?? 1024 * 1024,
      maxItems: options.maxBatchEvents ?? 1000,
      send: (items) => client.send(items),
    });
  }

  async write(events: readonly DebbieEvent[]): Promise<void> {
    for (const event of events) {
      const envelope = eventToHec(event, this.envelope);
      const json = JSON.stringify(envelope);
      // The object is rebuilt from the JSON only if it has to be dead-lettered.
      await this.batcher.add(
        {
          json,
          get document() {
            return JSON.parse(json) as unknown;
          },
        },
        Buffer.byteLength(json) + 1,
      );
    }
  }

  async close(): Promise<ExportSummary> {
    if (this.summary) return this.summary;
    await this.batcher.flush();
    this.summary = {
      written: this.batcher.accepted,
      rejected: this.batcher.rejected,
      bytes: this.batcher.bytes,
      resent: this.batcher.resent,
      target: this.target,
    };
    return this.summary;
  }
}
