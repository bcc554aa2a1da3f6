import { createRequire } from 'node:module';
import type * as DuckDBApi from '@duckdb/node-api';

/**
 * @duckdb/node-api, loaded with require rather than import. It is CommonJS in ~180 files: an ESM
 * import runs Node's CommonJS export scanner over each of them first, which cost ~0.1 s of every
 * CLI start (measured on Node 20; `debbie sessions` answers in ~0.2 s all told). Same module, same
 * instance as an `import` of it elsewhere in the process.
 */
const api = createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDBApi;

export const { DuckDBInstance, DuckDBTimestampValue, LIST, VARCHAR, listValue } = api;
export type DuckDBInstance = DuckDBApi.DuckDBInstance;
export type DuckDBTimestampValue = DuckDBApi.DuckDBTimestampValue;
