import { DebbieError } from '@debbie/model';
import { EVENT_COLUMNS, EVENTS_TABLE, SCHEMA_TABLE, type ColumnKind } from '../schema.js';
import { quote, type ClickHouseHttp } from './http.js';
import type { ClickHouseLocation } from './url.js';

/** Bumped whenever the ClickHouse table layout changes. */
export const CLICKHOUSE_SCHEMA_VERSION = 1;

/** The timestamp is stored as Int64 epoch microseconds: ClickHouse 18.16 has no DateTime64. */
export const TIMESTAMP_COLUMN = 'timestamp_us';
/** Per-writer monotonic sequence: keeps insertion order among equal timestamps (ClickHouse has no rowid). */
export const SEQ_COLUMN = 'insert_seq';
/** The sorting key's session expression (a Nullable column cannot be a key column in 18.16). */
export const SESSION_KEY = `ifNull(session_id, '')`;

const TYPE: Record<ColumnKind, string> = {
  timestamp: 'Int64',
  text: 'String',
  double: 'Float64',
  text_list: 'Array(String)',
  json: 'String',
};

/** ClickHouse column name of an event field. */
export function columnName(field: string): string {
  return field === 'timestamp' ? TIMESTAMP_COLUMN : field;
}

/**
 * The events table. ReplacingMergeTree keyed by (session, time, event id): rows are sorted the
 * way Debbie reads them (one session's events in time order), and a row whose event id was
 * already stored (an ingest run twice, an INSERT retried after a lost answer) collapses into
 * one; reads use FINAL so the duplicate is invisible before the background merge removes it.
 * Months are partitions, so old data can be dropped by month.
 * Only SQL that 18.16 and current releases both accept; current releases add DateTime64, native
 * table TTL on 18.16's missing side (used when available), and lightweight DELETE.
 */
export function createEventsSql(database: string, ttlDays: number | undefined, nativeTtl: boolean): string {
  const columns = EVENT_COLUMNS.map((c) => {
    const type = c.nullable && c.kind !== 'text_list' ? `Nullable(${TYPE[c.kind]})` : TYPE[c.kind];
    return `  ${columnName(c.name)} ${type}`;
  });
  columns.push(`  ${SEQ_COLUMN} UInt64`);
  const ttl = ttlDays !== undefined && nativeTtl ? `\nTTL toDateTime(intDiv(${TIMESTAMP_COLUMN}, 1000000)) + INTERVAL ${ttlDays} DAY` : '';
  return `CREATE TABLE IF NOT EXISTS ${database}.${EVENTS_TABLE} (\n${columns.join(',\n')}\n) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(toDateTime(intDiv(${TIMESTAMP_COLUMN}, 1000000)))
ORDER BY (${SESSION_KEY}, ${TIMESTAMP_COLUMN}, event_id)${ttl}`;
}

/** Major.minor of the server, e.g. [18, 16]. */
export async function serverVersion(http: ClickHouseHttp): Promise<[number, number]> {
  const text = (await http.query('SELECT version()', '')).trim();
  const [major, minor] = text.split('.').map(Number);
  return [major ?? 0, minor ?? 0];
}

/** Table TTL arrived in ClickHouse 19.6. */
export function hasNativeTtl([major, minor]: [number, number]): boolean {
  return major > 19 || (major === 19 && minor >= 6);
}

/**
 * Creates the database and tables when missing (idempotent: several collectors may start at
 * once), refuses a store written by a newer Debbie, and applies the TTL: natively where the
 * server has table TTL, else by deleting older events now (a mutation) — run on every open.
 */
export async function ensureClickHouseSchema(http: ClickHouseHttp, location: ClickHouseLocation, readOnly: boolean): Promise<void> {
  const db = location.database;
  const version = await serverVersion(http);
  if (!readOnly) {
    await http.query(`CREATE DATABASE IF NOT EXISTS ${db}`, '');
    await http.query(
      `CREATE TABLE IF NOT EXISTS ${db}.${SCHEMA_TABLE} (version UInt32, migrated_at DateTime DEFAULT now()) ENGINE = ReplacingMergeTree() ORDER BY version`,
      '',
    );
    await http.query(createEventsSql(db, location.ttlDays, hasNativeTtl(version)), '');
    await http.query(`INSERT INTO ${db}.${SCHEMA_TABLE} (version) VALUES (${CLICKHOUSE_SCHEMA_VERSION})`, '');
  }
  const tables = await http.rows(`SELECT name FROM system.tables WHERE database = ${quote(db)}`);
  const names = new Set(tables.map((t) => t.name as string));
  if (!names.has(SCHEMA_TABLE) || !names.has(EVENTS_TABLE)) {
    throw new DebbieError(
      'store_missing',
      `no Debbie store in database "${db}"; open it once for writing (e.g. \`debbie collect --store …\`)`,
      location.display,
    );
  }
  const [row] = await http.rows(`SELECT max(version) AS v FROM ${db}.${SCHEMA_TABLE}`);
  const stored = Number(row?.v ?? 0);
  if (stored > CLICKHOUSE_SCHEMA_VERSION) {
    throw new DebbieError(
      'store_version',
      `was written by a newer Debbie (schema version ${stored}; this one reads up to ${CLICKHOUSE_SCHEMA_VERSION}); upgrade Debbie`,
      location.display,
    );
  }
  if (!readOnly && location.ttlDays !== undefined && !hasNativeTtl(version)) {
    const cutoffUs = (Date.now() - location.ttlDays * 86_400_000) * 1000;
    await http.query(`ALTER TABLE ${db}.${EVENTS_TABLE} DELETE WHERE ${TIMESTAMP_COLUMN} < ${cutoffUs}`, '');
  }
}
