import { formatDebbieLine, type DebbieEvent } from '@debbie/model';

/** Whether an event is Debbie's commentary (an insight, an update, a resolution) or an intervention. */
export function isCommentary(event: DebbieEvent): boolean {
  return event.source === 'debbie_comment' || (event.source === 'debbie' && event.component === 'intervention');
}

const BRIEF_KEYS = ['pattern', 'confidence', 'status', 'resolution', 'time_to_resolve', 'stall_duration', 'injection_type'];

/**
 * One commentary event as the seed prints it:
 * `[2025-05-29 10:15:32.123] [debbie_comment] [WARNING] [debugging] Detected stall pattern: … | {"pattern": …}`.
 * `brief` keeps only the headline facts in the details part; `full` prints every detail.
 */
export function formatCommentary(event: DebbieEvent, mode: 'brief' | 'full' = 'brief'): string {
  if (mode === 'full') return formatDebbieLine(event);
  const details: Record<string, unknown> = {};
  for (const k of BRIEF_KEYS) if (event.details[k] !== undefined) details[k] = event.details[k];
  return formatDebbieLine({ ...event, details, session_id: null, agent_id: null, duration_ms: null });
}
