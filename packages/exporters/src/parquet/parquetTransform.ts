import { epochMicros, type DebbieEvent, type DebbieEventField } from '@debbie/model';
import type { SchemaElement } from 'hyparquet';
import { EXPORT_COLUMNS, flatValue } from '../columns.js';

type Kind = 'timestamp' | 'double' | 'string' | 'json' | 'tags';

// Column types of the Parquet export: a real TIMESTAMP, numbers as DOUBLE, tags as LIST<STRING>,
// nested values as JSON text, everything else as UTF-8 strings.
const KIND: Partial<Record<DebbieEventField, Kind>> = {
  timestamp: 'timestamp',
  duration_ms: 'double',
  tags: 'tags',
  performance_metrics: 'json',
  details: 'json',
  state_before: 'json',
  state_after: 'json',
  context_snapshot: 'json',
};
const REQUIRED: ReadonlySet<DebbieEventField> = new Set(['timestamp', 'level', 'source', 'component', 'action', 'event_summary', 'event_id', 'kind']);

const LOW_CARDINALITY: ReadonlySet<DebbieEventField> = new Set([
  'level', 'source', 'component', 'action', 'session_id', 'agent_id', 'correlation_id', 'trace_id', 'kind', 'service_name',
]);
const MOSTLY_UNIQUE: ReadonlySet<DebbieEventField> = new Set([
  'timestamp', 'event_id', 'event_summary', 'duration_ms', 'span_id', 'parent_span_id', 'performance_metrics', 'details',
  'state_before', 'state_after', 'stack_trace', 'context_snapshot',
]);
/** Distinct values cached per low-cardinality column before the cache starts over. */
const CACHE_LIMIT = 4096;
const EMPTY = new Uint8Array(0);
const STATISTICS: ReadonlySet<DebbieEventField> = new Set(['timestamp', 'duration_ms', 'session_id']);

const kindOf = (field: DebbieEventField): Kind => KIND[field] ?? 'string';

/** The Parquet schema of the export: one leaf per export column (tags as a 3-level LIST). */
export function parquetSchema(): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'root', num_children: EXPORT_COLUMNS.length }];
  for (const field of EXPORT_COLUMNS) {
    const repetition_type = REQUIRED.has(field) ? 'REQUIRED' : 'OPTIONAL';
    switch (kindOf(field)) {
      case 'timestamp':
        schema.push({ name: field, type: 'INT64', repetition_type, converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } });
        break;
      case 'double':
        schema.push({ name: field, type: 'DOUBLE', repetition_type });
        break;
      case 'tags':
        schema.push(
          { name: field, repetition_type: 'OPTIONAL', converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', type: 'BYTE_ARRAY', repetition_type: 'REQUIRED', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
        );
        break;
      case 'json':
      case 'string':
        schema.push({ name: field, type: 'BYTE_ARRAY', repetition_type, converted_type: 'UTF8', logical_type: { type: 'STRING' } });
        break;
    }
  }
  return schema;
}

/** Column arrays for a row group, filled row by row, bounded by the row group size the caller picks. */
export class ParquetColumns {
  readonly data: unknown[][] = EXPORT_COLUMNS.map(() => []);
  // Per-column caches of encoded values for low-cardinality columns (level, source, ids of
  // sessions…): repeated values share one byte array, which saves the allocations that
  // dominated write time and lets the dictionary encoder match them by identity.
  private readonly caches = EXPORT_COLUMNS.map((f) => (LOW_CARDINALITY.has(f) ? new Map<string, Uint8Array>() : undefined));
  get length(): number { return this.data[0]!.length; }

  /** Appends one event; throws (naming the field) when its timestamp cannot be read. */
  push(event: DebbieEvent): void {
    const micros = epochMicros(event.timestamp);
    if (Number.isNaN(micros)) throw new Error(`event ${event.event_id}: timestamp "${event.timestamp}" is not ISO-8601`);
    for (let i = 0; i < EXPORT_COLUMNS.length; i++) {
      const field = EXPORT_COLUMNS[i]!;
      const column = this.data[i]!;
      switch (kindOf(field)) {
        case 'timestamp': column.push(BigInt(micros)); break;
        case 'double': column.push(event.duration_ms ?? null); break;
        case 'tags': column.push(event.tags); break;
        default: {
          const v = flatValue(event, field);
          column.push(v === null ? (REQUIRED.has(field) ? EMPTY : null) : this.utf8(i, String(v)));
        }
      }
    }
  }

  private utf8(column: number, text: string): Uint8Array {
    const cache = this.caches[column];
    // Buffer.from slices small strings out of a shared pool: far cheaper than TextEncoder.encode.
    if (!cache) return Buffer.from(text, 'utf8');
    let bytes = cache.get(text);
    if (bytes === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      bytes = Buffer.from(text, 'utf8');
      cache.set(text, bytes);
    }
    return bytes;
  }

  /**
   * The ColumnSource list ParquetWriter.write takes, then empties the buffers for the next group.
   * Min/max statistics only where readers prune on them (time, duration, session): computing
   * them for every text column cost a third of the write time.
   */
  take(): { name: string; data: unknown[]; statistics: boolean; encoding?: 'PLAIN' }[] {
    const out = EXPORT_COLUMNS.map((name, i) => ({
      name, data: this.data[i]!, statistics: STATISTICS.has(name),
      // Mostly-unique columns: skip the dictionary attempt, it never pays off there.
      ...(MOSTLY_UNIQUE.has(name) ? { encoding: 'PLAIN' as const } : {}),
    }));
    for (let i = 0; i < this.data.length; i++) this.data[i] = [];
    return out;
  }
}
