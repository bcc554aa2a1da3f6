import { epochMicros, type DebbieEvent, type EventReader } from '@debbie/model';

const LOOKBACK_US = 15_000_000;

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

const isContinuationFalse = (e: DebbieEvent) => e.action.includes('continuation') && (e.details.decision === false || /DECISION:\s*False/i.test(e.event_summary));

/**
 * Finds the silences longer than the threshold in a session and explains each from what came just
 * before it: a tool that finished and a continuation that was declined means the agent waits for
 * a continuation (the known AIWhisperer issue); a finished turn means the user simply has not
 * written yet. (A silence is time with no operation open, so a slow operation is never one.)
 */
export async function explainStalls(reader: EventReader, sessionId: string, thresholdMs = 30_000): Promise<StallExplanation[]> {
  const timeline = await reader.timeline(sessionId, { gapThresholdMs: thresholdMs });
  const out: StallExplanation[] = [];
  for (const gap of timeline.gaps) {
    // What ended in the 15 s before the silence, by end time (spans sit at their start in the
    // timeline, so list order would miss the tool that just finished).
    const startUs = epochMicros(gap.start);
    const before = timeline.entries.filter((e) => e.end_us <= startUs && e.end_us >= startUs - LOOKBACK_US).map((e) => e.event);
    if (before.length === 0) continue;
    const last = timeline.entries.filter((e) => e.end_us <= startUs).reduce((a, b) => (b.end_us >= a.end_us ? b : a)).event;
    const toolDone = before.some((e) => e.source === 'tool' && e.kind === 'span');
    const declined = before.some(isContinuationFalse);
    const seconds = Math.round(gap.duration_ms / 100) / 10;
    let explanation: Pick<StallExplanation, 'likely_cause' | 'suggested_action' | 'message'>;
    if (toolDone && declined) {
      explanation = {
        likely_cause: 'continuation_required',
        suggested_action: 'inject_continuation_prompt',
        message: `Session stalled for ${seconds}s. Agent appears to be waiting for user input after tool execution. This is a known continuation issue.`,
      };
    } else if (before.some((e) => e.source === 'agent')) {
      explanation = { likely_cause: 'waiting_for_user', suggested_action: 'none', message: `The agent finished its turn and the session was quiet for ${seconds}s: the user had not written yet.` };
    } else {
      explanation = { likely_cause: 'unknown', suggested_action: 'inspect_logs', message: `The session was quiet for ${seconds}s after "${last.event_summary}".` };
    }
    out.push({ duration_s: seconds, start: gap.start, after_event: { event_id: last.event_id, source: last.source, summary: last.event_summary }, ...explanation });
  }
  return out;
}

