import { EVENT_COLUMNS, EVENTS_TABLE } from './schema.js';
import type { StoredRow } from './rows.js';

// A slice of rows travels to DuckDB as ONE string parameter instead of 24 native Appender calls
// per row: rows joined by ROW_SEP, fields by FIELD_SEP; one INSERT … SELECT splits and casts them
// in C++ on DuckDB's thread while the event loop runs on (bench/store.bench.mjs measures it).
//
// Field encoding, chosen so that every value survives exactly:
// - null                  → '' (the empty field)
// - ''                    → ESC alone (and the slice is decoded with the escape-aware SQL)
// - a string holding NUL, FIELD_SEP, ROW_SEP or ESC → ESC + JSON.stringify(string) (JSON escapes
//   control characters, so the separators never appear raw; DuckDB's json_extract_string undoes
//   it; the slice is decoded with the escape-aware SQL)
// - any other string      → itself
// - timestamp (µs), double → decimal text (-0 kept); tags → JSON array text; JSON columns → their
//   JSON text (JSON.stringify never emits a raw control character, nor '').
// A lone UTF-16 surrogate in a text or tag becomes U+FFFD, as the client's UTF-8 conversion (and
// so the Appender) always did; inside a JSON field DuckDB refuses it, and the store retries that
// batch through the Appender, which keeps it.

/** Separates the fields of a row. */
export const FIELD_SEP = '\x01';
/** Separates rows. */
export const ROW_SEP = '\x02';
/** Marks an empty or JSON-escaped string. */
const ESC = '\x03';
const NEEDS_ESCAPE = /[\x00-\x03]/;

// ES2024 string methods (Node 20 has them; the project's lib is ES2023).
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/**
 * A lone surrogate becomes U+FFFD, as the client's UTF-8 conversion does for raw strings: JSON
 * escapes it as \udXXX, which DuckDB's JSON reader refuses.
 */
function wellFormed(value: string): string {
  const s = value as WellFormedString;
  return s.isWellFormed() ? value : s.toWellFormed();
}

/** A non-empty string without control characters 0–3: stored as itself, and decodable without CASE. */
function isPlainText(value: string): boolean {
  return value !== '' && !NEEDS_ESCAPE.test(value);
}

function escapedTextField(value: string): string {
  return value === '' ? ESC : ESC + JSON.stringify(wellFormed(value));
}

function tagsField(tags: readonly string[]): string {
  return JSON.stringify(tags.every((t) => (t as WellFormedString).isWellFormed()) ? tags : tags.map(wellFormed));
}

/**
 * Pushes one row of StoredRow values (EVENT_COLUMNS order) onto `cells`, the fields of a slice;
 * `cells.join(FIELD_SEP)` is then the slice's batch text (one flat join: no string is built per row).
 * Every row but the first starts with ROW_SEP, so each row's text after the split by ROW_SEP ends
 * with an empty trailing field, which the INSERT ignores. Returns false when a text value had to
 * be escaped (or is ''): the slice then needs INSERT_ESCAPED_BATCH_SQL, else INSERT_PLAIN_BATCH_SQL does.
 */
export function pushStoredRow(row: StoredRow, cells: string[]): boolean {
  let plain = true;
  for (let c = 0; c < EVENT_COLUMNS.length; c++) {
    const value = row[c];
    let cell: string;
    if (value === null || value === undefined) cell = '';
    else {
      switch (EVENT_COLUMNS[c]!.kind) {
        case 'timestamp':
          cell = String(value);
          break;
        case 'double':
          cell = Object.is(value, -0) ? '-0' : String(value);
          break;
        case 'text_list':
          cell = tagsField(value as string[]);
          break;
        case 'json':
          cell = value as string;
          break;
        case 'text':
          if (isPlainText(value as string)) cell = value as string;
          else {
            cell = escapedTextField(value as string);
            plain = false;
          }
          break;
      }
    }
    cells.push(c === 0 && cells.length > 0 ? ROW_SEP + cell : cell);
  }
  return plain;
}

/** The SQL expression that turns field `f` (a VARCHAR, possibly '') back into its column value. */
function decodeField(f: string, kind: (typeof EVENT_COLUMNS)[number]['kind'], escapedText: boolean): string {
  switch (kind) {
    case 'timestamp':
      return `make_timestamp(CAST(${f} AS BIGINT))`;
    case 'double':
      return `CAST(nullif(${f}, '') AS DOUBLE)`;
    case 'text_list':
      return `CASE WHEN ${f} = '[]' THEN CAST([] AS VARCHAR[]) ELSE from_json(${f}, '["VARCHAR"]') END`;
    case 'json':
      return `nullif(${f}, '')`;
    case 'text':
      // The CASE costs DuckDB ~1.8 µs a row, so slices of plain text skip it.
      return escapedText
        ? `CASE WHEN ${f} = '' THEN NULL WHEN NOT starts_with(${f}, chr(3)) THEN ${f}` +
            ` WHEN ${f} = chr(3) THEN '' ELSE json_extract_string(${f}[2:], '$') END`
        : `nullif(${f}, '')`;
  }
}

/**
 * The INSERT of one batch text ($1). A row whose event id is already stored at the same
 * timestamp is skipped (idempotent ingest: a record ingested twice has the same id and time); the
 * test is bounded to the slice's time range ($2..$3, epoch µs), so DuckDB's zone maps skip row
 * groups outside it and the cost stays per slice, not per table. Rows keep their order.
 */
function insertSql(escapedText: boolean): string {
  return `INSERT INTO ${EVENTS_TABLE} SELECT * EXCLUDE (ord) FROM (
  SELECT ${EVENT_COLUMNS.map((c, i) => `${decodeField(`f[${i + 1}]`, c.kind, escapedText)} AS "${c.name}"`).join(', ')}, ord
  FROM (SELECT string_split(line, chr(1)) AS f, ord
        FROM (SELECT unnest(lines) AS line, generate_subscripts(lines, 1) AS ord FROM (SELECT string_split($1, chr(2)) AS lines)))) b
  WHERE NOT EXISTS (SELECT 1 FROM ${EVENTS_TABLE} e
                     WHERE e."timestamp" BETWEEN make_timestamp(CAST($2 AS BIGINT)) AND make_timestamp(CAST($3 AS BIGINT))
                       AND e.event_id = b.event_id AND e."timestamp" = b."timestamp")
  ORDER BY ord`;
}

/**
 * The INSERT of a batch text ($1) none of whose rows is stored yet (STORED_IDS_SQL found none):
 * no anti-join, so no re-sort either (the rows go in in their order); a third of the insert's cost.
 */
function insertNewSql(escapedText: boolean): string {
  return `INSERT INTO ${EVENTS_TABLE}
  SELECT ${EVENT_COLUMNS.map((c, i) => `${decodeField(`f[${i + 1}]`, c.kind, escapedText)} AS "${c.name}"`).join(', ')}
  FROM (SELECT string_split(line, chr(1)) AS f FROM (SELECT unnest(string_split($1, chr(2))) AS line))`;
}

/**
 * How many of a slice's rows are stored already: ids ($3, joined by chr(1)) at a timestamp in the
 * slice's range ($1..$2, epoch µs; zone maps skip the rest). Narrow (two columns) and usually 0,
 * when the slice takes INSERT_NEW_*; otherwise the anti-join of INSERT_*_BATCH_SQL sorts it out.
 */
export const STORED_IDS_SQL = `SELECT count(*) AS n FROM ${EVENTS_TABLE}
  WHERE "timestamp" BETWEEN make_timestamp(CAST($1 AS BIGINT)) AND make_timestamp(CAST($2 AS BIGINT))
    AND event_id IN (SELECT unnest(string_split($3, chr(1))))`;

/** Inserts from the staging table (the Appender fallback) what is not stored yet, in order. */
export const INSERT_FROM_STAGING_SQL = `INSERT INTO ${EVENTS_TABLE} SELECT * FROM staging s
  WHERE NOT EXISTS (SELECT 1 FROM ${EVENTS_TABLE} e WHERE e.event_id = s.event_id AND e."timestamp" = s."timestamp")
  ORDER BY s.rowid`;

/** Inserts the rows of one batch text ($1) in order, in one statement: any text value may be escaped. */
export const INSERT_ESCAPED_BATCH_SQL = insertSql(true);
/** The same for a batch text whose text values are all plain (pushStoredRow returned true for every row). */
export const INSERT_PLAIN_BATCH_SQL = insertSql(false);
/** INSERT_ESCAPED_BATCH_SQL for a slice with no stored row (no anti-join). */
export const INSERT_NEW_ESCAPED_BATCH_SQL = insertNewSql(true);
/** INSERT_PLAIN_BATCH_SQL for a slice with no stored row (no anti-join). */
export const INSERT_NEW_PLAIN_BATCH_SQL = insertNewSql(false);
