import type { DebbieEvent } from '@debbie/model';
import { EXPORT_COLUMNS, flatValue } from '../columns.js';

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV field per RFC 4180: quoted when it holds a quote, comma, CR or LF, quotes doubled.
 * null becomes an empty unquoted field; an empty string becomes `""` so the two stay apart.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (value === '') return '""';
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The header record: the export columns, CRLF-terminated. */
export function csvHeader(): string {
  return `${EXPORT_COLUMNS.join(',')}\r\n`;
}

/** One event as a CSV record, CRLF-terminated; nested values (details, tags, …) as JSON text. */
export function eventToCsvRow(event: DebbieEvent): string {
  let line = '';
  for (let i = 0; i < EXPORT_COLUMNS.length; i++) {
    if (i > 0) line += ',';
    line += csvField(flatValue(event, EXPORT_COLUMNS[i]!));
  }
  return `${line}\r\n`;
}
