import type { DuckDBConnection } from '@duckdb/node-api';
import { DEBBIE_EVENT_FIELDS, DebbieError, type DebbieEventField } from '@debbie/model';

/** Bumped whenever the table layout changes; MIGRATIONS[n] upgrades a store from version n to n+1. */
export const SCHEMA_VERSION = 1;

/** How a DebbieEvent field is stored: the SQL type decides how it is appended and read back. */
export type ColumnKind = 'timestamp' | 'text' | 'double' | 'text_list' | 'json';

const KIND: Partial<Record<DebbieEventField, ColumnKind>> = {
  timestamp: 'timestamp',
  duration_ms: 'double',
  tags: 'text_list',
  details: 'json',
  state_before: 'json',
  state_after: 'json',
  performance_metrics: 'json',
  context_snapshot: 'json',
};

const SQL_TYPE: Record<ColumnKind, string> = {
  timestamp: 'TIMESTAMP',
  text: 'VARCHAR',
  double: 'DOUBLE',
  text_list: 'VARCHAR[]',
  json: 'JSON',
};

const NOT_NULL = new Set<DebbieEventField>(['timestamp', 'level', 'source', 'component', 'action', 'event_summary', 'event_id', 'kind', 'tags', 'details']);

export interface EventColumn {
  name: DebbieEventField;
  kind: ColumnKind;
  nullable: boolean;
}

/** One column per DebbieEvent field, in DEBBIE_EVENT_FIELDS order (the Appender relies on it). */
export const EVENT_COLUMNS: readonly EventColumn[] = DEBBIE_EVENT_FIELDS.map((name) => ({
  name,
  kind: KIND[name] ?? 'text',
  nullable: !NOT_NULL.has(name),
}));

export const EVENTS_TABLE = 'events';
export const SCHEMA_TABLE = 'debbie_schema';

const CREATE_EVENTS = `CREATE TABLE ${EVENTS_TABLE} (\n${EVENT_COLUMNS.map((c) => `  "${c.name}" ${SQL_TYPE[c.kind]}${c.nullable ? '' : ' NOT NULL'}`).join(
  ',\n',
)}\n)`;

/** Upgrades from version n (index n - 1) to n + 1. Empty while there is only version 1. */
const MIGRATIONS: readonly string[][] = [];

async function tableExists(conn: DuckDBConnection, name: string): Promise<boolean> {
  const reader = await conn.runAndReadAll(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'main' AND table_name = $1`, [name]);
  return Number(reader.getRowsJS()[0]?.[0] ?? 0) > 0;
}

async function storedVersion(conn: DuckDBConnection): Promise<number | undefined> {
  if (!(await tableExists(conn, SCHEMA_TABLE))) return undefined;
  const reader = await conn.runAndReadAll(`SELECT max(version) FROM ${SCHEMA_TABLE}`);
  const v = reader.getRowsJS()[0]?.[0];
  return v === null || v === undefined ? undefined : Number(v);
}

/**
 * Creates the tables in a new store, migrates an older one, and refuses one written by a newer
 * Debbie. A read-only store is only checked.
 */
export async function ensureSchema(conn: DuckDBConnection, where: string, readOnly: boolean): Promise<void> {
  // A reader of a current store asks one question: the checks below cost every query command ~8 ms.
  if (readOnly && (await currentVersion(conn)) === SCHEMA_VERSION) return;
  const version = await storedVersion(conn);
  const hasEvents = await tableExists(conn, EVENTS_TABLE);
  if (version === undefined) {
    if (hasEvents || (await anyTable(conn))) {
      throw new DebbieError('store_invalid', 'is a DuckDB database but not a Debbie store (no debbie_schema table); pass another --store path', where);
    }
    if (readOnly) {
      throw new DebbieError('store_invalid', 'is an empty DuckDB database with no Debbie events in it', where);
    }
    await conn.run('BEGIN TRANSACTION');
    await conn.run(`CREATE TABLE ${SCHEMA_TABLE} (version INTEGER NOT NULL, migrated_at TIMESTAMP NOT NULL DEFAULT current_timestamp)`);
    await conn.run(CREATE_EVENTS);
    await conn.run(`INSERT INTO ${SCHEMA_TABLE} (version) VALUES (${SCHEMA_VERSION})`);
    await conn.run('COMMIT');
    return;
  }
  if (version > SCHEMA_VERSION) {
    throw new DebbieError(
      'store_version',
      `was written by a newer Debbie (schema version ${version}; this one reads up to ${SCHEMA_VERSION}); upgrade Debbie`,
      where,
    );
  }
  if (version < SCHEMA_VERSION) {
    if (readOnly) {
      throw new DebbieError(
        'store_version',
        `has schema version ${version} and needs a migration to ${SCHEMA_VERSION}; open it once for writing (e.g. with \`debbie collect\`)`,
        where,
      );
    }
    await conn.run('BEGIN TRANSACTION');
    for (let v = version; v < SCHEMA_VERSION; v++) {
      for (const statement of MIGRATIONS[v - 1] ?? []) await conn.run(statement);
      await conn.run(`INSERT INTO ${SCHEMA_TABLE} (version) VALUES (${v + 1})`);
    }
    await conn.run('COMMIT');
  }
}

/** The stored schema version, or undefined when there is no debbie_schema table (or it cannot be read). */
async function currentVersion(conn: DuckDBConnection): Promise<number | undefined> {
  try {
    const v = (await conn.runAndReadAll(`SELECT max(version) FROM ${SCHEMA_TABLE}`)).getRowsJS()[0]?.[0];
    return v === null || v === undefined ? undefined : Number(v);
  } catch {
    return undefined;
  }
}

async function anyTable(conn: DuckDBConnection): Promise<boolean> {
  const reader = await conn.runAndReadAll(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main'`);
  return Number(reader.getRowsJS()[0]?.[0] ?? 0) > 0;
}
