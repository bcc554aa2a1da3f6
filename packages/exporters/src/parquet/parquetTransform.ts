import { epochMicros, type DebbieEvent, type DebbieEventField } from '@debbie/model';
import type { RowGroup, SchemaElement } from 'hyparquet';
import type { Writer } from 'hyparquet-writer';
import { EXPORT_COLUMNS, flatValue } from '../columns.js';
import { encodeColumnChunk, type Codec, type ColumnValues } from './rowGroupEncoder.js';

type Kind = 'timestamp' | 'double' | 'string' | 'tags';

// Column types of the Parquet export: a real TIMESTAMP, numbers as DOUBLE, tags as LIST<STRING>,
// nested values as JSON text, everything else as UTF-8 strings.
const KIND: Partial<Record<DebbieEventField, Kind>> = { timestamp: 'timestamp', duration_ms: 'double', tags: 'tags' };
const REQUIRED: ReadonlySet<DebbieEventField> = new Set(['timestamp', 'level', 'source', 'component', 'action', 'event_summary', 'event_id', 'kind']);
/** Columns with few distinct values: dictionary-encoded (when that pays off in a row group). */
const LOW_CARDINALITY: ReadonlySet<DebbieEventField> = new Set([
  'level',
  'source',
  'component',
  'action',
  'session_id',
  'agent_id',
  'correlation_id',
  'parent_id',
  'trace_id',
  'kind',
  'service_name',
]);

const kindOf = (field: DebbieEventField): Kind => KIND[field] ?? 'string';

/** The Parquet schema of the export: one leaf per export column (tags as a 3-level LIST). */
export function parquetSchema(): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'root', num_children: EXPORT_COLUMNS.length }];
  for (const field of EXPORT_COLUMNS) {
    const repetition_type = REQUIRED.has(field) ? 'REQUIRED' : 'OPTIONAL';
    switch (kindOf(field)) {
      case 'timestamp':
        schema.push({
          name: field,
          type: 'INT64',
          repetition_type,
          converted_type: 'TIMESTAMP_MICROS',
          logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
        });
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
      case 'string':
        schema.push({ name: field, type: 'BYTE_ARRAY', repetition_type, converted_type: 'UTF8', logical_type: { type: 'STRING' } });
        break;
    }
  }
  return schema;
}

/**
 * The rows of one row group, column by column, as references to the events' own strings (nested
 * values as their JSON text); encoded to Parquet pages by `encode`. The caller bounds its size.
 */
export class ParquetRowGroup {
  private timestamps: Float64Array;
  private columns: unknown[][];
  private rows = 0;

  constructor(private readonly capacity: number) {
    this.timestamps = new Float64Array(capacity);
    this.columns = EXPORT_COLUMNS.map(() => []);
  }

  get length(): number {
    return this.rows;
  }

  /** Appends one event; throws (naming the event) when its timestamp cannot be read, adding nothing. */
  push(event: DebbieEvent): void {
    const micros = epochMicros(event.timestamp);
    if (Number.isNaN(micros)) throw new Error(`event ${event.event_id}: timestamp "${event.timestamp}" is not ISO-8601`);
    if (this.rows >= this.capacity) throw new Error('row group is full');
    this.timestamps[this.rows] = micros;
    for (let i = 0; i < EXPORT_COLUMNS.length; i++) {
      const field = EXPORT_COLUMNS[i]!;
      switch (kindOf(field)) {
        case 'timestamp':
          break;
        case 'double':
          this.columns[i]!.push(event.duration_ms ?? null);
          break;
        case 'tags':
          this.columns[i]!.push(event.tags);
          break;
        default: {
          const v = flatValue(event, field);
          this.columns[i]!.push(v === null ? (REQUIRED.has(field) ? '' : null) : typeof v === 'string' ? v : String(v));
        }
      }
    }
    this.rows += 1;
  }

  /** Writes the buffered rows as one row group and empties the buffers; returns its metadata. */
  encode(writer: Writer, schema: SchemaElement[], codec: Codec): RowGroup {
    const start = writer.offset;
    const chunks = [];
    let leaf = 1;
    for (let i = 0; i < EXPORT_COLUMNS.length; i++) {
      const field = EXPORT_COLUMNS[i]!;
      const kind = kindOf(field);
      let values: ColumnValues;
      let path: string[] = [field];
      if (kind === 'timestamp') values = { kind, values: this.timestamps, count: this.rows };
      else if (kind === 'double') values = { kind, values: this.columns[i] as (number | null)[] };
      else if (kind === 'tags') {
        values = { kind, values: this.columns[i] as string[][] };
        path = [field, 'list', 'element'];
      } else values = { kind, values: this.columns[i] as (string | null)[], required: REQUIRED.has(field), dictionary: LOW_CARDINALITY.has(field) };
      const element = schema[kind === 'tags' ? leaf + 2 : leaf]!;
      leaf += kind === 'tags' ? 3 : 1;
      chunks.push(encodeColumnChunk(writer, element, path, values, this.rows, codec));
    }
    let total = 0n;
    for (const c of chunks) total += c.meta_data?.total_uncompressed_size ?? 0n;
    const group: RowGroup = {
      columns: chunks,
      total_byte_size: total,
      num_rows: BigInt(this.rows),
      total_compressed_size: BigInt(writer.offset - start),
    } as RowGroup;
    this.columns = EXPORT_COLUMNS.map(() => []);
    this.rows = 0;
    return group;
  }
}
