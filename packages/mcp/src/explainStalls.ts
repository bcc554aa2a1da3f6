import { DEFAULT_STALL_MS, epochMicros, isStall, type DebbieEvent, type EventReader } from '@debbie/model';

/** One silence in a session, explained as the seed's `explain_stall` does. */
export interface StallExplanation {
  duration_s: number;
  start: string;
  /** The last event before the silence. */
  after_event: { event_id: string; source: string; summary: string };
  likely_cause: 'continuation_required' | 'waiting_for_user' | 'unknown';
  suggested_action: 'inject_continuation_prompt' | 'none' | 'inspect_logs';
  message: string;
}

/** What ended this long before a silence is taken as what led into it. */
const LOOKBACK_US = 15_000_000;

const isContinuationFalse = (e: DebbieEvent) =>
  e.action.includes('continuation') && (e.details.decision === false || /DECISION:\s*False/i.test(e.event_summary));
/** Debbie's own comments and interventions are not the session's activity. */
const isDebbie = (e: DebbieEvent) => e.source === 'debbie' || e.source === 'debbie_comment';

interface Span {
  event: DebbieEvent;
  start: number;
  end: number;
}

/**
 * Finds the silences of at least the stall threshold in a session (time with no operation open and no
 * event, Debbie's own comments aside) and explains each from what ended just before it: a tool
 * that finished and a continuation that was declined means the agent waits for a continuation (the
 * known AIWhisperer issue); a finished turn means the user simply has not written yet.
 */
export async function explainStalls(reader: EventReader, sessionId: string, thresholdMs = DEFAULT_STALL_MS): Promise<StallExplanation[]> {
  const items: Span[] = [];
  for await (const page of reader.streamEvents({ sessionId })) {
    for (const event of page) {
      if (isDebbie(event)) continue;
      const start = epochMicros(event.timestamp);
      items.push({ event, start, end: start + (event.duration_ms ?? 0) * 1000 });
    }
  }
  items.sort((a, b) => a.start - b.start);
  const out: StallExplanation[] = [];
  let latestEnd = Number.NEGATIVE_INFINITY;
  let last: Span | undefined;
  for (const item of items) {
    const silenceUs = item.start - latestEnd;
    if (last && isStall(silenceUs / 1000, thresholdMs)) {
      const before = items.filter((x) => x.end <= latestEnd && x.end >= latestEnd - LOOKBACK_US).map((x) => x.event);
      out.push(explain(before, last.event, latestEnd, silenceUs));
    }
    if (item.end >= latestEnd) {
      latestEnd = item.end;
      last = item;
    }
  }
  return out;
}

function explain(before: DebbieEvent[], last: DebbieEvent, startUs: number, silenceUs: number): StallExplanation {
  const seconds = Math.round(silenceUs / 100_000) / 10;
  const toolDone = before.some((e) => e.source === 'tool' && e.kind === 'span');
  let explanation: Pick<StallExplanation, 'likely_cause' | 'suggested_action' | 'message'>;
  if (toolDone && before.some(isContinuationFalse)) {
    explanation = {
      likely_cause: 'continuation_required',
      suggested_action: 'inject_continuation_prompt',
      message: `Session stalled for ${seconds}s. Agent appears to be waiting for user input after tool execution. This is a known continuation issue.`,
    };
  } else if (before.some((e) => e.source === 'agent')) {
    explanation = {
      likely_cause: 'waiting_for_user',
      suggested_action: 'none',
      message: `The agent finished its turn and the session was quiet for ${seconds}s: the user had not written yet.`,
    };
  } else {
    explanation = {
      likely_cause: 'unknown',
      suggested_action: 'inspect_logs',
      message: `The session was quiet for ${seconds}s after "${last.event_summary}".`,
    };
  }
  return {
    duration_s: seconds,
    start: new Date(Math.floor(startUs / 1000)).toISOString(),
    after_event: { event_id: last.event_id, source: last.source, summary: last.event_summary },
    ...explanation,
  };
}
