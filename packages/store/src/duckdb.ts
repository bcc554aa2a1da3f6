import { createRequire } from 'node:module';
import type * as DuckDBApi from '@duckdb/node-api';

const require = createRequire(import.meta.url);
let api: typeof DuckDBApi | undefined;

/**
 * @duckdb/node-api, loaded on first use and with require rather than import. It is CommonJS in
 * ~180 files: an ESM import runs Node's CommonJS export scanner over each of them first, which
 * cost ~0.1 s of every CLI start (Node 20), and a ClickHouse store never needs it at all. The
 * build packs those files into one (scripts/pack-duckdb-api.mjs; ~30 ms less again), used when it
 * was packed from the version installed.
 */
export function duckdb(): typeof DuckDBApi {
  api ??= packed() ?? (require('@duckdb/node-api') as typeof DuckDBApi);
  return api;
}

function packed(): typeof DuckDBApi | undefined {
  let pack: { version: string; load: () => typeof DuckDBApi };
  try {
    pack = require('./duckdb-node-api.cjs');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined; // not built (tests run the sources)
    throw error;
  }
  const installed = (require('@duckdb/node-api/package.json') as { version: string }).version;
  return pack.version === installed ? pack.load() : undefined;
}

/** A TIMESTAMP parameter or value from epoch microseconds. */
export function duckdbTimestamp(micros: bigint): DuckDBApi.DuckDBTimestampValue {
  return new (duckdb().DuckDBTimestampValue)(micros);
}
