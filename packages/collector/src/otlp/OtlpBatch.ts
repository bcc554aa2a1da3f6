import type { DebbieEvent } from '@debbie/model';

/** What decoding one OTLP export request produced. */
export interface OtlpBatch {
  events: DebbieEvent[];
  /** Spans or log records accepted. */
  accepted: number;
  /** Spans or log records rejected alone (bad ids, bad shape); the rest of the batch is kept. */
  rejected: number;
  /** Why items were rejected: the first few problems, with where they were. */
  problems: string[];
}

/** A request body that cannot be decoded at all (the whole request gets a 400). */
export class MalformedOtlpError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedOtlpError';
  }
}

export const MAX_PROBLEMS_REPORTED = 5;

export function newBatch(): OtlpBatch {
  return { events: [], accepted: 0, rejected: 0, problems: [] };
}

export function reject(batch: OtlpBatch, where: string, problem: string): void {
  batch.rejected += 1;
  if (batch.problems.length < MAX_PROBLEMS_REPORTED) batch.problems.push(`${where}: ${problem}`);
}

/** The partial_success error_message for a batch (empty when nothing was rejected). */
export function problemSummary(batch: OtlpBatch, noun: string): string {
  if (batch.rejected === 0) return '';
  const more = batch.rejected > batch.problems.length ? `; and ${batch.rejected - batch.problems.length} more` : '';
  return `${batch.rejected} ${noun} rejected: ${batch.problems.join('; ')}${more}`;
}
