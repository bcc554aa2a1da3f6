import { DebbieError, epochMicros, isLogLevel, isLogSource, isoFromEpochMicros, type DebbieEvent } from '@debbie/model';
import { EVENT_COLUMNS } from './schema.js';

/** A value ready for the Appender, in EVENT_COLUMNS order. */
export type StoredValue = bigint | string | number | string[] | null;
export type StoredRow = StoredValue[];

/**
 * Copies an event's fields into `out` in EVENT_COLUMNS order, each read by its name written out
 * (`out[0] = e.timestamp; …`), compiled once from the column list. Reading them as `e[name]` in a
 * loop cost ~1 µs an event (a generic keyed look-up per field); named reads are a few ns each.
 */
const readFields = new Function(
  'e',
  'out',
  EVENT_COLUMNS.map((c, i) => {
    if (!/^[a-z_]+$/.test(c.name)) throw new Error(`column name ${c.name} is not a plain identifier`);
    return `out[${i}] = e.${c.name};`;
  }).join('\n'),
) as (event: DebbieEvent, out: unknown[]) => void;

/**
 * Turns an event into a row, or throws DebbieError `invalid_event` naming the
 * field that cannot be stored. Runs before anything reaches DuckDB, so one bad event never
 * spoils a batch.
 */
export function toStoredRow(input: DebbieEvent): StoredRow {
  if (typeof input !== 'object' || input === null) {
    throw new DebbieError('invalid_event', `expected an event object, got ${input === null ? 'null' : typeof input}`, 'event');
  }
  const fail = (field: string, what: string): never => {
    throw new DebbieError('invalid_event', `field "${field}" ${what}`, `event ${typeof input.event_id === 'string' ? input.event_id : '(no event_id)'}`);
  };
  // No redaction here: every write reaches the store through @debbie/pipeline, which masks once.
  const event = input;
  const row: StoredRow = new Array(EVENT_COLUMNS.length);
  readFields(event, row); // every field's value, in column order
  for (let i = 0; i < EVENT_COLUMNS.length; i++) {
    const { name, kind, nullable } = EVENT_COLUMNS[i]!;
    const value = row[i] as unknown;
    if (value === null || value === undefined) {
      if (!nullable) fail(name, 'is required');
      row[i] = null;
      continue;
    }
    switch (kind) {
      case 'timestamp': {
        const micros = typeof value === 'string' ? storedMicros(value) : Number.NaN;
        if (!Number.isFinite(micros)) fail(name, `must be an ISO-8601 timestamp (got ${JSON.stringify(value)})`);
        row[i] = BigInt(micros);
        break;
      }
      case 'double':
        if (typeof value !== 'number' || !Number.isFinite(value)) fail(name, 'must be a finite number or null');
        row[i] = value as number;
        break;
      case 'text_list':
        if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) fail(name, 'must be an array of strings');
        row[i] = value as string[];
        break;
      case 'json': {
        let text: string | undefined;
        try {
          text = JSON.stringify(value);
        } catch (error) {
          fail(name, `cannot be serialized as JSON (${(error as Error).message})`);
        }
        row[i] = text ?? null;
        break;
      }
      case 'text':
        if (typeof value !== 'string') fail(name, `must be a string (got ${typeof value})`);
        row[i] = value as string;
        break;
    }
  }
  if (!isLogLevel(event.level)) fail('level', `must be DEBUG, INFO, WARNING, ERROR or CRITICAL (got ${JSON.stringify(event.level)})`);
  if (!isLogSource(event.source)) fail('source', `must be one of the LogSource values (got ${JSON.stringify(event.source)})`);
  if (event.kind !== 'span' && event.kind !== 'log') fail('kind', `must be "span" or "log" (got ${JSON.stringify(event.kind)})`);
  if (typeof event.details !== 'object' || Array.isArray(event.details)) fail('details', 'must be an object');
  return row;
}

// Canonical timestamps ("2025-05-29T10:15:32.123456Z", as createEvent writes them) are parsed
// with the second's epoch cached: events come in bursts within a second. Anything else goes
// through the model's general ISO parser.
let cachedSecondText = '';
let cachedSecondMs = Number.NaN;

function storedMicros(iso: string): number {
  if (iso.length !== 27 || iso.charCodeAt(19) !== 46 /* . */ || iso.charCodeAt(26) !== 90 /* Z */) return epochMicros(iso);
  let frac = 0;
  for (let i = 20; i < 26; i++) {
    const d = iso.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return epochMicros(iso);
    frac = frac * 10 + d;
  }
  const second = iso.slice(0, 19);
  if (second !== cachedSecondText) {
    const micros = epochMicros(`${second}Z`);
    if (!Number.isFinite(micros)) return Number.NaN;
    cachedSecondText = second;
    cachedSecondMs = micros / 1000;
  }
  return cachedSecondMs * 1000 + frac;
}

/** The SELECT list that reads a row back: the timestamp as epoch microseconds, exactly. */
export const SELECT_EVENT_COLUMNS = EVENT_COLUMNS.map((c) => (c.kind === 'timestamp' ? `epoch_us("${c.name}") AS "${c.name}"` : `"${c.name}"`)).join(', ');

const sameName = (name: string): string => name;

/** A row object from DuckDB's JS converter → the DebbieEvent that was written. */
export function eventFromRow(row: Record<string, unknown>): DebbieEvent {
  return eventFromColumns(row, sameName);
}

/**
 * A row object read back from either store → the DebbieEvent that was written. `columnKey` names
 * the row's key for each event field (DuckDB keeps the field names; ClickHouse renames some).
 */
export function eventFromColumns(row: Record<string, unknown>, columnKey: (name: string) => string): DebbieEvent {
  const out: Record<string, unknown> = {};
  for (const { name, kind } of EVENT_COLUMNS) {
    const value = row[columnKey(name)];
    if (value === null || value === undefined) {
      out[name] = null;
      continue;
    }
    switch (kind) {
      case 'timestamp':
        out[name] = isoFromEpochMicros(Number(value));
        break;
      case 'json':
        out[name] = JSON.parse(value as string);
        break;
      case 'text_list':
        out[name] = [...(value as string[])];
        break;
      default:
        out[name] = value;
    }
  }
  return out as unknown as DebbieEvent;
}
