import type { DebbieEvent } from '@debbie/model';

/**
 * What a session listing reads of a session's first events to label it: a few fields, not whole
 * events (a page of 50 sessions reads ~2,500 of them; converting whole events cost more than
 * the rest of `debbie sessions`).
 */
export interface SessionHead {
  action: string;
  event_summary: string;
  service_name: string | null;
  /** `details.scenario` when it is a non-empty string, else null. */
  scenario: string | null;
  /** Whether `details.session_inferred` is true: Debbie made the session up (docs/conventions.md). */
  session_inferred: boolean;
}

/** The head of an event read whole (a collector's query API, ClickHouse rows). */
export function sessionHeadOf(event: Pick<DebbieEvent, 'action' | 'event_summary' | 'service_name' | 'details'>): SessionHead {
  const scenario = event.details?.scenario;
  return {
    action: event.action,
    event_summary: event.event_summary,
    service_name: event.service_name ?? null,
    scenario: typeof scenario === 'string' && scenario !== '' ? scenario : null,
    session_inferred: event.details?.session_inferred === true,
  };
}
