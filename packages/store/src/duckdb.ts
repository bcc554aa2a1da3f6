import { createRequire } from 'node:module';
import type * as DuckDBApi from '@duckdb/node-api';

let api: typeof DuckDBApi | undefined;

/**
 * @duckdb/node-api, loaded on first use and with require rather than import. It is CommonJS in
 * ~180 files: an ESM import runs Node's CommonJS export scanner over each of them first, which
 * cost ~0.1 s of every CLI start (Node 20), and a ClickHouse store never needs it at all. Same
 * module, same instance as an `import` of it elsewhere in the process.
 */
export function duckdb(): typeof DuckDBApi {
  api ??= createRequire(import.meta.url)('@duckdb/node-api') as typeof DuckDBApi;
  return api;
}

/** A TIMESTAMP parameter or value from epoch microseconds. */
export function duckdbTimestamp(micros: bigint): DuckDBApi.DuckDBTimestampValue {
  return new (duckdb().DuckDBTimestampValue)(micros);
}
