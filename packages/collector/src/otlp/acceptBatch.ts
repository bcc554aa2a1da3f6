import type { Pipeline } from '@debbie/pipeline';
import type { OtlpReceiverStats } from '../http/OtlpReceiver.js';
import { problemSummary, type OtlpBatch } from './OtlpBatch.js';
import type { OtlpSignal } from './otlpProto.js';

/**
 * Commits a decoded export request through the pipeline (resolves once the store has it) and
 * counts it, the same way for OTLP/HTTP and OTLP/gRPC. Returns the partial_success message
 * (empty when nothing was rejected) for the caller's response.
 */
export async function acceptBatch(pipeline: Pick<Pipeline, 'writeBatch'>, stats: OtlpReceiverStats, signal: OtlpSignal, batch: OtlpBatch): Promise<string> {
  await pipeline.writeBatch(batch.events);
  stats.events_written += batch.events.length;
  if (signal === 'traces') {
    stats.spans_accepted += batch.accepted;
    stats.spans_rejected += batch.rejected;
  } else {
    stats.logs_accepted += batch.accepted;
    stats.logs_rejected += batch.rejected;
  }
  return problemSummary(batch, signal === 'traces' ? 'spans' : 'log records');
}
