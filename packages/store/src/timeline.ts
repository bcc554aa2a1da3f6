import { DEFAULT_STALL_MS, epochMicros, isStall, isoFromEpochMicros, type DebbieEvent, type SessionTimeline, type TimelineEntry } from '@debbie/model';
import { buildSpanTree, depthsOf } from './spanTree.js';

/** Silences of at least this (ms) are listed in `gaps` unless the caller says otherwise: the one stall threshold. */
export const DEFAULT_GAP_THRESHOLD_MS = DEFAULT_STALL_MS;

/**
 * Builds a session timeline from its events in time order: each entry's start and end
 * (start + duration for spans), the silence before it (its start minus the latest end of all
 * earlier entries, 0 when they overlap), its depth in the span tree, and the silences over the
 * threshold, largest first.
 */
export function buildTimeline(sessionId: string, events: readonly DebbieEvent[], gapThresholdMs = DEFAULT_GAP_THRESHOLD_MS): SessionTimeline {
  const depths = depthsOf(buildSpanTree(events));
  const entries: TimelineEntry[] = [];
  const gaps: SessionTimeline['gaps'] = [];
  let latestEnd = Number.NEGATIVE_INFINITY;
  let latestEndEvent: DebbieEvent | undefined;
  let first = Number.POSITIVE_INFINITY;
  for (const event of events) {
    const start = epochMicros(event.timestamp);
    const end = start + Math.round((event.duration_ms ?? 0) * 1000);
    const gapUs = latestEndEvent ? Math.max(0, start - latestEnd) : 0;
    const gapMs = gapUs / 1000;
    if (latestEndEvent && isStall(gapMs, gapThresholdMs)) {
      gaps.push({ after_event_id: latestEndEvent.event_id, before_event_id: event.event_id, start: isoFromEpochMicros(latestEnd), duration_ms: gapMs });
    }
    entries.push({ event, start_us: start, end_us: end, gap_before_ms: gapMs, depth: depths.get(event) ?? 0 });
    if (end > latestEnd) {
      latestEnd = end;
      latestEndEvent = event;
    }
    first = Math.min(first, start);
  }
  gaps.sort((a, b) => b.duration_ms - a.duration_ms);
  const start = entries.length ? first : 0;
  const end = entries.length ? latestEnd : 0;
  return {
    session_id: sessionId,
    start: entries.length ? isoFromEpochMicros(start) : '',
    end: entries.length ? isoFromEpochMicros(end) : '',
    duration_ms: (end - start) / 1000,
    entries,
    gaps,
  };
}
