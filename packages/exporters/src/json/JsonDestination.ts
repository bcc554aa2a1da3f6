import type { DebbieEvent } from '@debbie/model';
import type { EventDestination, ExportSummary } from '../EventDestination.js';
import { FileOutput, type OutputTarget } from '../FileOutput.js';
import { eventToJson } from './jsonTransform.js';

export interface JsonDestinationOptions {
  /** A file path (created or truncated) or a stream such as stdout. */
  output: OutputTarget;
  /** 'jsonl': one event per line. 'json': one JSON array, one event per line inside it. Default 'jsonl'. */
  format?: 'json' | 'jsonl';
}

/** Streams events to a JSON array or a JSONL file; never holds more than one batch. */
export class JsonDestination implements EventDestination {
  readonly target: string;
  private readonly out: FileOutput;
  private readonly array: boolean;
  private written = 0;
  private summary: ExportSummary | undefined;

  constructor(options: JsonDestinationOptions) {
    this.out = new FileOutput(options.output);
    this.target = this.out.target;
    this.array = (options.format ?? 'jsonl') === 'json';
  }

  async write(events: readonly DebbieEvent[]): Promise<void> {
    let text = '';
    for (const event of events) {
      if (this.array) text += this.written === 0 ? `[\n${eventToJson(event)}` : `,\n${eventToJson(event)}`;
      else text += `${eventToJson(event)}\n`;
      this.written += 1;
    }
    await this.out.write(text);
  }

  async close(): Promise<ExportSummary> {
    if (this.summary) return this.summary;
    if (this.array) await this.out.write(this.written === 0 ? '[]\n' : '\n]\n');
    await this.out.close();
    this.summary = { written: this.written, rejected: 0, bytes: this.out.bytes, target: this.target };
    return this.summary;
  }
}
