import type { DuckDBInstance } from '@duckdb/node-api';
import { duckdb } from './duckdb.js';
import { DebbieError } from '@debbie/model';

interface Entry {
  instance: Promise<DuckDBInstance>;
  readOnly: boolean;
  users: number;
}

/**
 * One DuckDB instance per database file per process. Two independent instances of the same
 * file in one process would each cache pages and could corrupt it (DuckDB's file lock only
 * stops other processes), so every EventStore on a path shares one, released when the last
 * closes. A read-only store reuses a writable instance; a writable store cannot reuse a
 * read-only one.
 */
export class InstanceRegistry {
  private readonly entries = new Map<string, Entry>();

  /** Opens (or shares) the instance for `path`; call the returned release exactly once. */
  async acquire(path: string, readOnly: boolean, config: Record<string, string>): Promise<{ instance: DuckDBInstance; release: () => void }> {
    if (path === ':memory:') {
      const instance = await duckdb().DuckDBInstance.create(path, config);
      return { instance, release: () => instance.closeSync() };
    }
    let entry = this.entries.get(path);
    if (entry?.readOnly && !readOnly) {
      throw new DebbieError('store_locked', 'is open read-only in this process; close its readers before opening it for writing', path);
    }
    if (!entry) {
      const created: Entry = { instance: duckdb().DuckDBInstance.create(path, config), readOnly, users: 0 };
      entry = created;
      this.entries.set(path, created);
      created.instance.catch(() => {
        if (this.entries.get(path) === created) this.entries.delete(path);
      });
    }
    entry.users += 1;
    let instance: DuckDBInstance;
    try {
      instance = await entry.instance;
    } catch (error) {
      entry.users -= 1;
      throw error;
    }
    const owned = entry;
    let released = false;
    return {
      instance,
      release: () => {
        if (released) return;
        released = true;
        owned.users -= 1;
        if (owned.users === 0) {
          if (this.entries.get(path) === owned) this.entries.delete(path);
          instance.closeSync();
        }
      },
    };
  }
}

/** The process-wide registry openStore uses. */
export const INSTANCES = new InstanceRegistry();
