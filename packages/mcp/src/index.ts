export { createDebbieMcpServer } from './createMcpServer.js';
export type { DebbieMcpOptions } from './createMcpServer.js';
export { explainStalls } from './explainStalls.js';
export type { StallExplanation } from './explainStalls.js';
