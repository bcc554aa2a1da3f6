import { DebbieError, epochMicros, LOG_LEVELS, levelRank, type EventFilter } from '@debbie/model';
import { quote } from './http.js';
import { SESSION_KEY, TIMESTAMP_COLUMN } from './schema.js';

/**
 * Translates an EventFilter into a ClickHouse WHERE clause with the meaning of the model's
 * matchesFilter. ClickHouse 18.16 has no bound parameters, so every user value goes through
 * quote() (the only way a value enters the SQL). The session test uses the sorting key's own
 * expression so the primary index narrows the read to that session's granules.
 */
export function clickHouseWhere(filter: EventFilter): string {
  const clauses: string[] = [];
  const inList = (column: string, values: readonly string[]) => {
    clauses.push(`${column} IN (${values.map(quote).join(', ')})`);
  };
  if (filter.sessionId !== undefined) clauses.push(`${SESSION_KEY} = ${quote(filter.sessionId)} AND session_id IS NOT NULL`);
  if (filter.sources && filter.sources.length > 0) inList('source', filter.sources);
  if (filter.levels && filter.levels.length > 0) inList('level', filter.levels);
  if (filter.minLevel) {
    const min = levelRank(filter.minLevel);
    inList(
      'level',
      LOG_LEVELS.filter((l) => levelRank(l) >= min),
    );
  }
  if (filter.agentId !== undefined) clauses.push(`agent_id = ${quote(filter.agentId)}`);
  if (filter.correlationId !== undefined) clauses.push(`correlation_id = ${quote(filter.correlationId)}`);
  if (filter.since !== undefined) clauses.push(`${TIMESTAMP_COLUMN} >= ${micros(filter.since, 'since')}`);
  if (filter.until !== undefined) clauses.push(`${TIMESTAMP_COLUMN} < ${micros(filter.until, 'until')}`);
  for (const tag of filter.tags ?? []) clauses.push(`has(tags, ${quote(tag)})`);
  if (filter.text) {
    const needle = quote(filter.text.toLowerCase());
    clauses.push(`(${['event_summary', 'component', 'action', 'details'].map((c) => `positionUTF8(lowerUTF8(${c}), ${needle}) > 0`).join(' OR ')})`);
  }
  return clauses.length ? clauses.join(' AND ') : '1';
}

function micros(iso: string, field: string): number {
  const value = epochMicros(iso);
  if (!Number.isFinite(value)) throw new DebbieError('invalid_filter', `"${iso}" is not an ISO-8601 timestamp`, field);
  return value;
}
