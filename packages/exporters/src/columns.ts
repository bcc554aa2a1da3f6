import { DEBBIE_EVENT_FIELDS, type DebbieEvent, type DebbieEventField } from '@debbie/model';

/**
 * The stable, documented column set of the JSON, JSONL, CSV and Parquet exports (see
 * docs/export-formats.md): every DebbieEvent field, in the model's order. New fields are only ever
 * appended, so column positions never move.
 */
export const EXPORT_COLUMNS: readonly DebbieEventField[] = DEBBIE_EVENT_FIELDS;

/** Fields holding structured values; flat formats (CSV, Parquet) carry them as JSON text. */
export const JSON_COLUMNS: ReadonlySet<DebbieEventField> = new Set<DebbieEventField>([
  'tags',
  'performance_metrics',
  'details',
  'state_before',
  'state_after',
  'context_snapshot',
]);

/**
 * One field of an event as a flat value: strings and numbers as they are, structured values as
 * compact JSON, absent values as null.
 */
export function flatValue(event: DebbieEvent, field: DebbieEventField): string | number | null {
  const value = event[field];
  if (value === null || value === undefined) return null;
  if (JSON_COLUMNS.has(field)) return JSON.stringify(value);
  return value as string | number;
}

/** An event as a plain object with the export columns in their stable order. */
export function orderedEvent(event: DebbieEvent): Record<DebbieEventField, unknown> {
  const out = {} as Record<DebbieEventField, unknown>;
  for (const field of EXPORT_COLUMNS) out[field] = event[field] ?? null;
  return out;
}
