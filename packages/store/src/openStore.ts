import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DuckDBInstance } from '@duckdb/node-api';
import { DebbieError } from '@debbie/model';
import { EventStore } from './EventStore.js';
import { DEFAULT_STORE_PATH, type Store, type StoreOptions } from './Store.js';
import { isClickHouseSpec } from './clickhouse/url.js';
import { openClickHouseStore, type ClickHouseStoreOptions } from './clickhouse/ClickHouseStore.js';

export { DEFAULT_STORE_PATH };
import { ensureSchema } from './schema.js';
import { INSTANCES } from './InstanceRegistry.js';

const MEMORY = ':memory:';

/**
 * Opens the store `spec` names: a `clickhouse://[user[:password]@]host:8123/database` URL opens
 * the shared ClickHouse store (creating its tables unless read-only); anything else is a DuckDB
 * file (see openDuckDBStore).
 * @example
 * const store = await openStore(resolveStoreSpec(process.cwd(), flags.store));
 */
export async function openStore(spec: string = DEFAULT_STORE_PATH, options: ClickHouseStoreOptions = {}): Promise<Store> {
  return isClickHouseSpec(spec) ? openClickHouseStore(spec, options) : openDuckDBStore(spec, options);
}

/**
 * Opens (creating it and its directory unless read-only) the DuckDB store at `path`, or an
 * in-memory one for ':memory:'. DuckDB lets one process write a file at a time: a file held
 * by another process fails with DebbieError `store_locked`; a file that is not a DuckDB
 * database with `store_invalid`; a missing file opened read-only with `store_missing`.
 * @example
 * const store = await openDuckDBStore('.debbie/debbie.duckdb');
 * store.write(event);
 * await store.close();
 */
export async function openDuckDBStore(path: string = DEFAULT_STORE_PATH, options: StoreOptions = {}): Promise<EventStore> {
  const memory = path === MEMORY;
  const readOnly = !memory && options.readOnly === true;
  const where = memory ? MEMORY : resolve(path);
  if (!memory && !readOnly) mkdirSync(dirname(where), { recursive: true });
  // threads=1: batches are inserted by one statement that runs on DuckDB's thread, off the event
  // loop. With more DuckDB threads on this 2-core machine the same inserts cost ~1.7× the CPU (idle
  // workers spin) and compete with the event loop (bench/store.bench.mjs); Debbie's queries are
  // session-sized, so they do not need parallel scans.
  const config: Record<string, string> = readOnly ? { access_mode: 'READ_ONLY' } : { wal_autocheckpoint: '1GB', threads: '1' };
  let instance: DuckDBInstance;
  let release: () => void;
  try {
    ({ instance, release } = await INSTANCES.acquire(where, readOnly, config));
  } catch (error) {
    throw error instanceof DebbieError ? error : openError(error as Error, where);
  }
  try {
    const reader = await instance.connect();
    const writer = readOnly ? undefined : await instance.connect();
    try {
      await ensureSchema(writer ?? reader, where, readOnly);
    } catch (error) {
      writer?.closeSync();
      reader.closeSync();
      throw error;
    }
    return new EventStore(where, release, reader, writer, options);
  } catch (error) {
    release();
    throw error instanceof DebbieError ? error : openError(error as Error, where);
  }
}

/** Turns DuckDB's open errors into messages that say what to do. */
function openError(error: Error, where: string): Error {
  const message = error.message ?? String(error);
  if (/Could not set lock|Conflicting lock/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new DebbieError(
      'store_locked',
      `the store is locked by another process${pid ? ` (PID ${pid})` : ''}, probably a running \`debbie collect\`. ` +
        'DuckDB allows one process per file: query that collector with `--url http://127.0.0.1:PORT` instead, or stop it first',
      where,
    );
  }
  if (/not a valid DuckDB database file/i.test(message)) {
    return new DebbieError('store_invalid', 'is not a DuckDB database file; pass the path of a Debbie store (default .debbie/debbie.duckdb)', where);
  }
  if (/database does not exist/i.test(message)) {
    return new DebbieError('store_missing', 'no store here; run `debbie demo` to create one, or pass --store PATH', where);
  }
  if (/version|serialization/i.test(message) && /storage|database file/i.test(message)) {
    return new DebbieError('store_version', `was written by an incompatible DuckDB version (${message})`, where);
  }
  return new DebbieError('store_open_failed', `cannot open the store: ${message}`, where);
}
