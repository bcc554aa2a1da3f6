export { syntheticEvent, syntheticBatches } from './syntheticEvents.js';
export type { SyntheticEventsOptions } from './syntheticEvents.js';
