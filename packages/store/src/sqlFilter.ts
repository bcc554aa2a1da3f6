import type { DuckDBTimestampValue, DuckDBValue } from '@duckdb/node-api';
import { duckdbTimestamp } from './duckdb.js';
import { DebbieError, epochMicros, LOG_LEVELS, levelRank, type EventFilter } from '@debbie/model';

/** A WHERE clause with positional parameters ($1, $2, …); user values are only ever bound. */
export interface SqlWhere {
  sql: string;
  params: DuckDBValue[];
}

/**
 * Translates an EventFilter into SQL with bound parameters, with the same meaning as the model's
 * matchesFilter: fields AND together, values inside a list OR.
 */
export function whereFromFilter(filter: EventFilter): SqlWhere {
  const clauses: string[] = [];
  const params: DuckDBValue[] = [];
  const bind = (value: DuckDBValue): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const inList = (column: string, values: readonly string[]) => {
    clauses.push(`"${column}" IN (${values.map((v) => bind(v)).join(', ')})`);
  };

  if (filter.sessionId !== undefined) clauses.push(`session_id = ${bind(filter.sessionId)}`);
  if (filter.eventId !== undefined) clauses.push(`event_id = ${bind(filter.eventId)}`);
  if (filter.sources && filter.sources.length > 0) inList('source', filter.sources);
  if (filter.levels && filter.levels.length > 0) inList('level', filter.levels);
  if (filter.minLevel) {
    const min = levelRank(filter.minLevel);
    inList(
      'level',
      LOG_LEVELS.filter((l) => levelRank(l) >= min),
    );
  }
  if (filter.agentId !== undefined) clauses.push(`agent_id = ${bind(filter.agentId)}`);
  if (filter.correlationId !== undefined) clauses.push(`correlation_id = ${bind(filter.correlationId)}`);
  if (filter.since !== undefined) clauses.push(`"timestamp" >= ${bind(timestampValue(filter.since, 'since'))}`);
  if (filter.until !== undefined) clauses.push(`"timestamp" < ${bind(timestampValue(filter.until, 'until'))}`);
  for (const tag of filter.tags ?? []) clauses.push(`list_contains(tags, ${bind(tag)})`);
  if (filter.text) {
    const needle = bind(filter.text.toLowerCase());
    clauses.push(
      `(contains(lower(event_summary), ${needle}) OR contains(lower(component), ${needle}) OR ` +
        `contains(lower("action"), ${needle}) OR contains(lower(CAST(details AS VARCHAR)), ${needle}))`,
    );
  }
  return { sql: clauses.length ? clauses.join(' AND ') : 'TRUE', params };
}

function timestampValue(iso: string, field: string): DuckDBTimestampValue {
  const micros = epochMicros(iso);
  if (!Number.isFinite(micros)) {
    throw new DebbieError('invalid_filter', `"${iso}" is not an ISO-8601 timestamp`, field);
  }
  return duckdbTimestamp(BigInt(micros));
}
