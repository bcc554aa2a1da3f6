import type { DebbieEvent } from '@debbie/model';
import { FIELD_SEP, pushStoredRow } from './batchText.js';
import { toStoredRow } from './rows.js';
import { EVENT_COLUMNS } from './schema.js';

// Encoding events into batch text needs no DuckDB: it runs wherever the events are (the store's
// own write path, or an ingest worker thread that hands the finished text to the store), so this
// module imports nothing that loads DuckDB (package export "@debbie/store/encode").

const TIMESTAMP_INDEX = EVENT_COLUMNS.findIndex((c) => c.name === 'timestamp');
/** An id with a control character 0–3 cannot travel in the id list of STORED_IDS_SQL. */
const UNLISTABLE_ID = /[\x00-\x03]/;

/** One slice of rows as batch text (see batchText.ts), with what the store needs to insert it. */
export interface EncodedSlice {
  /** The batch text: rows joined by ROW_SEP, fields by FIELD_SEP. */
  text: string;
  /** Every text value is stored as itself (INSERT_PLAIN_BATCH_SQL decodes it). */
  plain: boolean;
  /** Event ids of the rows, joined by FIELD_SEP; undefined when an id cannot be listed so (the store then always checks row by row). */
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
  private cells: string[] = [];
  private ids: string[] = [];
  private listable = true;
  private plain = true;
  private minUs = Number.POSITIVE_INFINITY;
  private maxUs = Number.NEGATIVE_INFINITY;
  private readonly seen = new Set<string>();

  /** Rows in the slice being built. */
  get rows(): number {
    return this.ids.length;
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
    if (!pushStoredRow(row, this.cells)) this.plain = false;
    if (this.listable && UNLISTABLE_ID.test(id)) this.listable = false;
    this.ids.push(id);
    return true;
  }

  /** The slice built so far (undefined when empty); the next add starts a new one (ids stay seen). */
  take(): EncodedSlice | undefined {
    if (this.ids.length === 0) return undefined;
    const slice: EncodedSlice = {
      text: this.cells.join(FIELD_SEP),
      plain: this.plain,
      ids: this.listable ? this.ids.join(FIELD_SEP) : undefined,
      minUs: this.minUs,
      maxUs: this.maxUs,
      rows: this.ids.length,
    };
    this.cells = [];
    this.ids = [];
    this.listable = true;
    this.plain = true;
    this.minUs = Number.POSITIVE_INFINITY;
    this.maxUs = Number.NEGATIVE_INFINITY;
    return slice;
  }
}
