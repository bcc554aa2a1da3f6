import { EVENT_COLUMNS, EVENTS_TABLE } from './schema.js';
import type { StoredRow } from './rows.js';

// A batch travels to DuckDB as ONE string parameter instead of 24 native Appender calls per row:
// rows joined by ROW_SEP, fields by FIELD_SEP; DuckDB splits and casts them in C++ on its own
// threads while the event loop runs on. Measured (bench/store.bench.mjs): ~5 main-thread µs per
// row against ~15 for the value-by-value Appender.
//
// Field encoding, chosen so that every value survives exactly:
// - null                  → '' (the empty field)
// - ''                    → ESC alone
// - a string holding NUL, FIELD_SEP, ROW_SEP or ESC → ESC + JSON.stringify(string) (JSON escapes
//   control characters, so the separators never appear raw; DuckDB's json_extract_string undoes it)
// - any other string      → itself
// - timestamp (µs), double → decimal text (-0 kept); tags → JSON array text; JSON columns → their
//   JSON text (JSON.stringify never emits a raw control character, nor '').
// A lone UTF-16 surrogate becomes U+FFFD everywhere, as it did through the Appender.

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

function textField(value: string): string {
  if (value === '') return ESC;
  return NEEDS_ESCAPE.test(value) ? ESC + JSON.stringify(wellFormed(value)) : value;
}

function tagsField(tags: readonly string[]): string {
  return JSON.stringify(tags.every((t) => (t as WellFormedString).isWellFormed()) ? tags : tags.map(wellFormed));
}

/**
 * Pushes one row of StoredRow values (EVENT_COLUMNS order) onto `cells`, the fields of a slice;
 * `cells.join(FIELD_SEP)` is then the slice's batch text (one flat join: no string is built per row).
 * Every row but the first starts with ROW_SEP, so each row's text after the split by ROW_SEP ends
 * with an empty trailing field, which the INSERT ignores.
 */
export function pushStoredRow(row: StoredRow, cells: string[]): void {
  for (let c = 0; c < EVENT_COLUMNS.length; c++) {
    const value = row[c];
    let cell: string;
    if (value === null || value === undefined) cell = '';
    else {
      switch (EVENT_COLUMNS[c]!.kind) {
        case 'timestamp': cell = String(value); break;
        case 'double': cell = Object.is(value, -0) ? '-0' : String(value); break;
        case 'text_list': cell = tagsField(value as string[]); break;
        case 'json': cell = value as string; break;
        case 'text': cell = textField(value as string); break;
      }
    }
    cells.push(c === 0 && cells.length > 0 ? ROW_SEP + cell : cell);
  }
}

/** The SQL expression that turns field `f` (a VARCHAR, possibly '') back into its column value. */
function decodeField(f: string, kind: (typeof EVENT_COLUMNS)[number]['kind']): string {
  switch (kind) {
    case 'timestamp': return `make_timestamp(CAST(${f} AS BIGINT))`;
    case 'double': return `CAST(nullif(${f}, '') AS DOUBLE)`;
    case 'text_list': return `CASE WHEN ${f} = '[]' THEN CAST([] AS VARCHAR[]) ELSE from_json(${f}, '["VARCHAR"]') END`;
    case 'json': return `nullif(${f}, '')`;
    case 'text':
      return `CASE WHEN ${f} = '' THEN NULL WHEN NOT starts_with(${f}, chr(3)) THEN ${f}`
        + ` WHEN ${f} = chr(3) THEN '' ELSE json_extract_string(${f}[2:], '$') END`;
  }
}

/** Inserts the rows of one batch text ($1) into the events table, in order, in one statement. */
export const INSERT_BATCH_TEXT_SQL = `INSERT INTO ${EVENTS_TABLE} SELECT ${EVENT_COLUMNS.map((c, i) => decodeField(`f[${i + 1}]`, c.kind)).join(', ')}
  FROM (SELECT string_split(line, chr(1)) AS f FROM (SELECT unnest(string_split($1, chr(2))) AS line))`;
