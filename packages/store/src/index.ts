export { openStore, DEFAULT_STORE_PATH } from './openStore.js';
export { EventStore } from './EventStore.js';
export type { StoreOptions, StoreStats } from './EventStore.js';
export { SCHEMA_VERSION, EVENTS_TABLE } from './schema.js';
export { whereFromFilter } from './sqlFilter.js';
export type { SqlWhere } from './sqlFilter.js';
export { buildTimeline, DEFAULT_GAP_THRESHOLD_MS } from './timeline.js';
export { buildSpanTree } from './spanTree.js';
