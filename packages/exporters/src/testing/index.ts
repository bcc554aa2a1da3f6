export { syntheticEvent, syntheticBatches } from './syntheticEvents.js';
export type { SyntheticEventsOptions } from './syntheticEvents.js';
export { LocalElasticsearchServer } from './LocalElasticsearchServer.js';
export type { LocalElasticsearchOptions, RecordedBulkRequest } from './LocalElasticsearchServer.js';
export { LocalSplunkHecServer, splitConcatenatedJson } from './LocalSplunkHecServer.js';
export type { LocalSplunkHecOptions, HecTokenConfig, StoredHecEvent } from './LocalSplunkHecServer.js';
