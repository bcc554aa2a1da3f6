import { EVENT_COLUMNS, EVENTS_TABLE } from './schema.js';
import type { StoredRow } from './rows.js';

// A slice of rows travels to DuckDB as one string parameter PER COLUMN instead of 24 native
// Appender calls per row: a column's values joined by ROW_SEP; one INSERT … SELECT splits each
// column once and zips them (unnest of 24 lists) and casts them in C++ on DuckDB's thread while the
// event loop runs on. Column by column, not a row text split into a list per row: DuckDB's
// array_extract of 23 fields from each row's list was a third of the insert's CPU
// (bench/store-insert.bench.mjs measures the two).
//
// Field encoding, chosen so that every value survives exactly:
// - null                  → '' (the empty field)
// - ''                    → ESC alone (and the slice is decoded with the escape-aware SQL)
// - a string holding a control character 0–3 (NUL, ROW_SEP, ESC) → ESC + JSON.stringify(string) (JSON escapes
//   control characters, so the separators never appear raw; DuckDB's json_extract_string undoes
//   it; the slice is decoded with the escape-aware SQL)
// - any other string      → itself
// - timestamp (µs), double → decimal text (-0 kept); tags → JSON array text; JSON columns → their
//   JSON text (JSON.stringify never emits a raw control character, nor '').
// A lone UTF-16 surrogate in a text or tag becomes U+FFFD, as the client's UTF-8 conversion (and
// so the Appender) always did; inside a JSON field DuckDB refuses it, and the store retries that
// batch through the Appender, which keeps it.

/** Separates the values of a column (rows). */
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
 * Pushes one row of StoredRow values (EVENT_COLUMNS order) onto `columns`, one array of fields per
 * column; `columns[c].join(ROW_SEP)` is then column c's text in the slice. Returns false when a
 * text value had to be escaped (or is ''): the slice then needs the escape-aware SQL.
 */
export function pushStoredRow(row: StoredRow, columns: string[][]): boolean {
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
    columns[c]!.push(cell);
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

/** Column i's values ($i+1, one row per ROW_SEP piece) as c{i+1}, zipped by the unnests. */
const COLUMNS_FROM_TEXT = EVENT_COLUMNS.map((_, i) => `unnest(string_split($${i + 1}, chr(2))) AS c${i + 1}`).join(', ');
const N = EVENT_COLUMNS.length;

function decodedColumns(escapedText: boolean): string {
  return EVENT_COLUMNS.map((c, i) => `${decodeField(`c${i + 1}`, c.kind, escapedText)} AS "${c.name}"`).join(', ');
}

/**
 * The INSERT of one slice's column texts ($1..$24). A row whose event id is already stored at the
 * same timestamp is skipped (idempotent ingest: a record ingested twice has the same id and time);
 * the test is bounded to the slice's time range ($25..$26, epoch µs), so DuckDB's zone maps skip
 * row groups outside it and the cost stays per slice, not per table. Rows keep their order ($27:
 * the slice's row count numbers them).
 */
function insertSql(escapedText: boolean): string {
  return `INSERT INTO ${EVENTS_TABLE} SELECT * EXCLUDE (ord) FROM (
  SELECT ${decodedColumns(escapedText)}, ord
  FROM (SELECT ${COLUMNS_FROM_TEXT}, unnest(range(CAST($${N + 3} AS BIGINT))) AS ord)) b
  WHERE NOT EXISTS (SELECT 1 FROM ${EVENTS_TABLE} e
                     WHERE e."timestamp" BETWEEN make_timestamp(CAST($${N + 1} AS BIGINT)) AND make_timestamp(CAST($${N + 2} AS BIGINT))
                       AND e.event_id = b.event_id AND e."timestamp" = b."timestamp")
  ORDER BY ord`;
}

/**
 * The INSERT of a slice's column texts ($1..$24) none of whose rows is stored yet (no anti-join,
 * so no re-sort either: the rows go in in their order).
 */
function insertNewSql(escapedText: boolean): string {
  return `INSERT INTO ${EVENTS_TABLE} SELECT ${decodedColumns(escapedText)} FROM (SELECT ${COLUMNS_FROM_TEXT})`;
}

/**
 * How many of a slice's rows are stored already: ids ($3, joined by chr(2), as the event_id column's text) at a timestamp in the
 * slice's range ($1..$2, epoch µs; zone maps skip the rest). Narrow (two columns) and usually 0,
 * when the slice takes INSERT_NEW_*; otherwise the anti-join of INSERT_*_BATCH_SQL sorts it out.
 */
export const STORED_IDS_SQL = `SELECT count(*) AS n FROM ${EVENTS_TABLE}
  WHERE "timestamp" BETWEEN make_timestamp(CAST($1 AS BIGINT)) AND make_timestamp(CAST($2 AS BIGINT))
    AND event_id IN (SELECT unnest(string_split($3, chr(2))))`;

/** The (event_id, epoch µs) of the rows stored in $1..$2 (epoch µs) whose id is among $3 (joined by chr(2)). */
export const STORED_PAIRS_SQL = `SELECT event_id, epoch_us("timestamp") FROM ${EVENTS_TABLE}
  WHERE "timestamp" BETWEEN make_timestamp(CAST($1 AS BIGINT)) AND make_timestamp(CAST($2 AS BIGINT))
    AND event_id IN (SELECT unnest(string_split($3, chr(2))))`;

/** Whether any row is stored at a time in $1..$2 (epoch µs): zone maps skip the other row groups. */
export const ROWS_IN_RANGE_SQL = `SELECT count(*) AS n FROM ${EVENTS_TABLE}
  WHERE "timestamp" BETWEEN make_timestamp(CAST($1 AS BIGINT)) AND make_timestamp(CAST($2 AS BIGINT))`;

/** Inserts from the staging table (the Appender fallback) what is not stored yet, in order. */
export const INSERT_FROM_STAGING_SQL = `INSERT INTO ${EVENTS_TABLE} SELECT * FROM staging s
  WHERE NOT EXISTS (SELECT 1 FROM ${EVENTS_TABLE} e WHERE e.event_id = s.event_id AND e."timestamp" = s."timestamp")
  ORDER BY s.rowid`;

/** Inserts the rows of one slice's column texts in order, in one statement: any text value may be escaped. */
export const INSERT_ESCAPED_BATCH_SQL = insertSql(true);
/** The same for a slice whose text values are all plain (pushStoredRow returned true for every row). */
export const INSERT_PLAIN_BATCH_SQL = insertSql(false);
/** INSERT_ESCAPED_BATCH_SQL for a slice with no stored row (no anti-join). */
export const INSERT_NEW_ESCAPED_BATCH_SQL = insertNewSql(true);
/** INSERT_PLAIN_BATCH_SQL for a slice with no stored row (no anti-join). */
export const INSERT_NEW_PLAIN_BATCH_SQL = insertNewSql(false);
