import { isoFromEpochMicros, LOG_SOURCES, type LogSource, type SessionSummary } from '@debbie/model';

/**
 * A SessionSummary from the row both stores' session query returns: first_us, last_us,
 * event_count, error_count, parallel `sources`/`counts` arrays and `agents`.
 */
export function sessionSummaryFromRow(r: Record<string, unknown>): SessionSummary {
  const first = Number(r.first_us);
  const last = Number(r.last_us);
  const counts: Partial<Record<LogSource, number>> = {};
  const names = r.sources as LogSource[];
  names.forEach((s, i) => {
    counts[s] = Number((r.counts as unknown[])[i]);
  });
  // A stable key order (LOG_SOURCES) makes JSON output diffable.
  const ordered: Partial<Record<LogSource, number>> = {};
  for (const s of LOG_SOURCES) if (counts[s] !== undefined) ordered[s] = counts[s];
  return {
    session_id: r.session_id as string,
    first_timestamp: isoFromEpochMicros(first),
    last_timestamp: isoFromEpochMicros(last),
    duration_ms: (last - first) / 1000,
    event_count: Number(r.event_count),
    error_count: Number(r.error_count),
    events_per_source: ordered,
    agents: (r.agents as string[] | null) ?? [],
  };
}
