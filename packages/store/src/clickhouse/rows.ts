import type { DebbieEvent } from '@debbie/model';
import { EVENT_COLUMNS } from '../schema.js';
import { eventFromColumns, type StoredRow } from '../rows.js';
import { columnName, SEQ_COLUMN } from './schema.js';

// ES2024 string methods (Node 20 has them; the project's lib is ES2023).
type WellFormedString = string & { isWellFormed(): boolean; toWellFormed(): string };

/** ClickHouse's JSON reader refuses a lone UTF-16 surrogate (\ud800): it becomes U+FFFD, as UTF-8 conversion does. */
function jsonString(value: string): string {
  const s = value as WellFormedString;
  return JSON.stringify(s.isWellFormed() ? value : s.toWellFormed());
}

const KEYS = EVENT_COLUMNS.map((c, i) => `${i === 0 ? '{' : ','}"${columnName(c.name)}":`);
const SEQ_KEY = `,"${SEQ_COLUMN}":"`;

/** One line of `INSERT … FORMAT JSONEachRow` for a validated, redacted row; `seq` is its insert_seq (decimal). */
export function jsonEachRowLine(row: StoredRow, seq: string): string {
  let line = '';
  for (let c = 0; c < EVENT_COLUMNS.length; c++) {
    const value = row[c];
    let cell: string;
    if (value === null || value === undefined) cell = 'null';
    else {
      switch (EVENT_COLUMNS[c]!.kind) {
        case 'timestamp':
          cell = String(value);
          break;
        case 'double':
          cell = Object.is(value, -0) ? '-0' : String(value);
          break;
        case 'text_list':
          cell = `[${(value as string[]).map(jsonString).join(',')}]`;
          break;
        default:
          cell = jsonString(value as string); // text, and JSON columns as their text
      }
    }
    line += KEYS[c]! + cell;
  }
  return `${line}${SEQ_KEY}${seq}"}\n`;
}

/** The SELECT list reading an event back (plus insert_seq for paging). */
export const SELECT_CLICKHOUSE_COLUMNS = [...EVENT_COLUMNS.map((c) => columnName(c.name)), SEQ_COLUMN].join(', ');

/** A JSONEachRow object from ClickHouse → the DebbieEvent that was written. */
export function eventFromClickHouseRow(row: Record<string, unknown>): DebbieEvent {
  return eventFromColumns(row, columnName);
}

/** Monotonic per process: milliseconds at open, then a counter; keeps insertion order among equal timestamps. */
export class InsertSequence {
  private ms = Date.now();
  private counter = 0;

  next(): string {
    if (this.counter >= 1_000_000) {
      this.ms = Math.max(Date.now(), this.ms + 1);
      this.counter = 0;
    }
    return `${this.ms}${String(this.counter++).padStart(6, '0')}`;
  }
}
