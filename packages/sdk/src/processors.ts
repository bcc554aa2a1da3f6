// `@debbie/sdk/processors`: what plugs into someone else's OpenTelemetry pipeline, with no
// dependency beyond @opentelemetry/api at run time (works with OpenTelemetry JS SDK 2.x and 3.x).
export { debbieProcessors } from './debbieProcessors.js';
export type { DebbieProcessors, DebbieProcessorsOptions } from './debbieProcessors.js';
export { DebbieSpanProcessor } from './DebbieSpanProcessor.js';
export type { DebbieSpanProcessorOptions } from './DebbieSpanProcessor.js';
export { DebbieLogRecordProcessor } from './DebbieLogRecordProcessor.js';
export type { DebbieLogRecordProcessorOptions } from './DebbieLogRecordProcessor.js';
export { ConsoleSink } from './ConsoleSink.js';
export type { ConsoleSinkOptions } from './ConsoleSink.js';
export { JsonlFileSink } from './JsonlFileSink.js';
export type { JsonlFileSinkOptions } from './JsonlFileSink.js';
export { InMemorySink } from './InMemorySink.js';
export { getDebbieContext, withDebbieContext } from './context.js';
export type { DebbieContext } from './context.js';
