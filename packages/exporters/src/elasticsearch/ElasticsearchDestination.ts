import type { DebbieEvent } from '@debbie/model';
import { DebbieError } from '@debbie/model';
import { BoundedBatcher } from '../BoundedBatcher.js';
import { DeadLetterFile } from '../DeadLetterFile.js';
import type { EventDestination, ExportSummary } from '../EventDestination.js';
import { bulkCreateLines } from './bulkTransform.js';
import { eventToEcs, type EcsOptions } from './ecsTransform.js';
import { ElasticsearchBulkClient, type BulkItem, type ElasticsearchBulkClientOptions } from './ElasticsearchBulkClient.js';

export interface ElasticsearchDestinationOptions extends Omit<ElasticsearchBulkClientOptions, 'deadLetter'>, EcsOptions {
  /** Data stream or index to write to. Default 'logs-debbie-default' (matches the built-in logs-*-* data stream template). */
  index?: string;
  /** Bytes of NDJSON per `_bulk` request, before compression. Default 5 MiB. */
  maxBatchBytes?: number;
  /** Documents per `_bulk` request. Default 1,000. */
  maxBatchDocs?: number;
  /** File that receives refused documents with their reason (JSONL). Default: none (only counted). */
  deadLetterPath?: string;
}

// Elasticsearch's own index-name rules, checked up front for a clear message.
const BAD_INDEX = /[\\/*?"<>| ,#:A-Z]|^[-_+]|^\.\.?$/;

/** Sends events to Elasticsearch `_bulk` as ECS documents, in batches bounded by bytes and count. */
export class ElasticsearchDestination implements EventDestination {
  readonly target: string;
  private readonly client: ElasticsearchBulkClient;
  private readonly index: string;
  private readonly deadLetter: DeadLetterFile | undefined;
  private readonly ecs: EcsOptions;
  private readonly batcher: BoundedBatcher<BulkItem>;
  private summary: ExportSummary | undefined;

  constructor(options: ElasticsearchDestinationOptions) {
    this.index = options.index ?? 'logs-debbie-default';
    if (BAD_INDEX.test(this.index) || this.index.length > 255) {
      throw new DebbieError(
        'invalid_option',
        `"${this.index}" is not a valid Elasticsearch index name (lowercase, no \\ / * ? " < > | , # : or spaces, not starting with - _ +)`,
        '--index',
      );
    }
    this.deadLetter = options.deadLetterPath ? new DeadLetterFile(options.deadLetterPath) : undefined;
    this.client = new ElasticsearchBulkClient({ ...options, ...(this.deadLetter ? { deadLetter: this.deadLetter } : {}) });
    this.target = `${this.client.url} (index ${this.index})`;
    const client = this.client;
    this.batcher = new BoundedBatcher<BulkItem>({
      maxBytes: options.maxBatchBytes ?? 5 * 1024 * 1024,
      maxItems: options.maxBatchDocs ?? 1000,
      send: async (items) => {
        const outcome = await client.send(items);
        return { accepted: outcome.created, rejected: outcome.rejected, bytes: outcome.bytes };
      },
    });
    this.ecs = { structuredDetails: options.structuredDetails ?? false };
  }

  async write(events: readonly DebbieEvent[]): Promise<void> {
    for (const event of events) {
      const lines = bulkCreateLines(event, this.index, this.ecs);
      const ecs = this.ecs;
      // The document object is rebuilt only if it has to be dead-lettered.
      await this.batcher.add(
        {
          lines,
          get document() {
            return eventToEcs(event, ecs);
          },
        },
        Buffer.byteLength(lines),
      );
    }
  }

  async close(): Promise<ExportSummary> {
    if (this.summary) return this.summary;
    await this.batcher.flush();
    this.summary = { written: this.batcher.accepted, rejected: this.batcher.rejected, bytes: this.batcher.bytes, target: this.target };
    return this.summary;
  }
}
