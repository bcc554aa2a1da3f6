import type { DebbieEvent } from '@debbie/model';
import { pushStoredRow, ROW_SEP } from './batchText.js';
import { toStoredRow } from './rows.js';
import { EVENT_COLUMNS } from './schema.js';

// Encoding events into batch text needs no DuckDB: it runs wherever the events are (the store's
// own write path, or an ingest worker thread that hands the finished text to the store), so this
// module imports nothing that loads DuckDB (package export "@debbie/store/encode").

const TIMESTAMP_INDEX = EVENT_COLUMNS.findIndex((c) => c.name === 'timestamp');
const EVENT_ID_INDEX = EVENT_COLUMNS.findIndex((c) => c.name === 'event_id');
/** An id with a control character 0–3 (or '') is escaped in its column: not a list of the ids as they are. */
const UNLISTABLE_ID = /[\x00-\x03]/;

/** One slice of rows as batch text (see batchText.ts), with what the store needs to insert it. */
export interface EncodedSlice {
  /** One text per column (EVENT_COLUMNS order): the column's fields joined by ROW_SEP (see batchText.ts). */
  columns: string[];
  /** Every text value is stored as itself (INSERT_PLAIN_BATCH_SQL decodes it). */
  plain: boolean;
  /** Event ids of the rows, joined by ROW_SEP (the event_id column as it is); undefined when an id cannot be listed so (the store then always checks row by row). */
  ids: string | undefined;
  /** Time range of the rows, epoch µs. */
  minUs: number;
  maxUs: number;
  rows: number;
}

/** Events encoded away from the store (e.g. by an ingest worker), for EventStore.appendEncoded. */
export interface EncodedEvents {
  /** Events this stands for: rows in the slices plus `duplicates`. */
  count: number;
  /** Events left out because an earlier one in the same encoding had their id. */
  duplicates: number;
  slices: EncodedSlice[];
}

/**
 * Builds slices of batch text from events: validates each (toStoredRow; a malformed event throws
 * DebbieError `invalid_event` and adds nothing), leaves out an id seen before in this encoder
 * (returns false), and tracks the slice's time range and ids.
 */
export class SliceEncoder {
  private columns: string[][] = newColumns();
  private count = 0;
  private listable = true;
  private plain = true;
  private minUs = Number.POSITIVE_INFINITY;
  private maxUs = Number.NEGATIVE_INFINITY;
  private readonly seen = new Set<string>();

  /** Rows in the slice being built. */
  get rows(): number {
    return this.count;
  }

  /** The time of the event added last (epoch µs), a duplicate's too. */
  lastMicros = Number.NaN;

  /** Adds the event's row; false when its id was added before (a duplicate); throws when it cannot be stored. */
  add(event: DebbieEvent): boolean {
    const row = toStoredRow(event);
    const id = event.event_id;
    const us = Number(row[TIMESTAMP_INDEX] as bigint);
    this.lastMicros = us;
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
    if (!pushStoredRow(row, this.columns)) this.plain = false;
    if (this.listable && (id === '' || UNLISTABLE_ID.test(id))) this.listable = false;
    this.count += 1;
    return true;
  }

  /** The slice built so far (undefined when empty); the next add starts a new one (ids stay seen). */
  take(): EncodedSlice | undefined {
    if (this.count === 0) return undefined;
    const columns = this.columns.map((fields) => fields.join(ROW_SEP));
    const slice: EncodedSlice = {
      columns,
      plain: this.plain,
      ids: this.listable ? columns[EVENT_ID_INDEX] : undefined,
      minUs: this.minUs,
      maxUs: this.maxUs,
      rows: this.count,
    };
    this.columns = newColumns();
    this.count = 0;
    this.listable = true;
    this.plain = true;
    this.minUs = Number.POSITIVE_INFINITY;
    this.maxUs = Number.NEGATIVE_INFINITY;
    return slice;
  }
}

function newColumns(): string[][] {
  return EVENT_COLUMNS.map(() => []);
}
