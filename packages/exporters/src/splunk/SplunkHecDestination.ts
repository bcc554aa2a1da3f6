import type { DebbieEvent } from '@debbie/model';
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
  private readonly maxBatchBytes: number;
  private readonly maxBatchEvents: number;
  private batch: { json: string; document: unknown }[] = [];
  private batchBytes = 0;
  private written = 0;
  private rejected = 0;
  private bytes = 0;
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
    this.maxBatchBytes = options.maxBatchBytes ?? 1024 * 1024;
    this.maxBatchEvents = options.maxBatchEvents ?? 1000;
  }

  async write(events: readonly DebbieEvent[]): Promise<void> {
    for (const event of events) {
      const envelope = eventToHec(event, this.envelope);
      const json = JSON.stringify(envelope);
      const size = Buffer.byteLength(json) + 1;
      if (this.batch.length > 0 && (this.batchBytes + size > this.maxBatchBytes || this.batch.length >= this.maxBatchEvents)) await this.flush();
      // The object is rebuilt from the JSON only if it has to be dead-lettered.
      this.batch.push({ json, get document() { return JSON.parse(json) as unknown; } });
      this.batchBytes += size;
    }
  }

  async close(): Promise<ExportSummary> {
    if (this.summary) return this.summary;
    await this.flush();
    this.summary = { written: this.written, rejected: this.rejected, bytes: this.bytes, target: this.target };
    return this.summary;
  }

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const items = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    const outcome = await this.client.send(items);
    this.written += outcome.accepted;
    this.rejected += outcome.rejected;
    this.bytes += outcome.bytes;
  }
}
