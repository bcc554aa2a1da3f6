export { cleanEvent, createPipeline, Pipeline, PipelineUnavailableError, COMMENTARY_DONE_HEADER, COMMENTARY_DONE_VALUE } from './Pipeline.js';
export type {
  PipelineOptions,
  PipelineStats,
  PipelineStore,
  OptionalSink,
  CommentaryFactory,
  BatchOptions,
} from './Pipeline.js';
export { GroupCommitter } from './GroupCommitter.js';
export type { CommitTarget, EncodedEventBatch } from './GroupCommitter.js';
