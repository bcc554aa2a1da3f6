import { describe, expect, it } from 'vitest';
import { createEvent, epochMicros, isoFromEpochMicros, type DebbieEvent } from '@debbie/model';
import { CommentaryProcessor } from './CommentaryProcessor.js';
import { replayInsights } from './analysis/SessionReplay.js';

// Issue 17 item 1: offline data is judged and stamped by the time of its evidence.
const T0 = Date.UTC(2025, 5, 10, 8, 0, 0) * 1000;
const at = (ms: number, init: Partial<Parameters<typeof createEvent>[0]> & { source: DebbieEvent['source'] }) =>
  createEvent({ event_summary: init.action ?? 'e', session_id: 's-2025', agent_id: 'p', ...init, timestamp: isoFromEpochMicros(T0 + ms * 1000) });

/** A 2025 session: 5 identical tool calls (a loop), a declined continuation, 90 s of silence, a user nudge. */
function log2025(): DebbieEvent[] {
  const out: DebbieEvent[] = [];
  for (let i = 0; i < 5; i++) {
    out.push(
      at(i * 1000, {
        source: 'tool',
        kind: 'span',
        duration_ms: 200,
        component: 'search_code',
        action: 'tool_execution',
        details: { tool_name: 'search_code', tool_arguments: '{"q":"x"}' },
      }),
    );
  }
  out.push(
    at(5_000, {
      source: 'session',
      component: 'session_manager',
      action: 'continuation_decision',
      details: { decision: false, reason: 'no_continuation_signal' },
    }),
  );
  out.push(at(95_000, { source: 'agent', component: 'agent', action: 'user_message', event_summary: '>>> USER MESSAGE >>> ok', details: { chars: 2 } }));
  return out;
}

describe("time: 'event'", () => {
  it('dates every comment inside the 2025 session, at the event that completed the evidence', () => {
    const comments: DebbieEvent[] = [];
    const p = new CommentaryProcessor({ time: 'event', onComment: (c) => comments.push(c) });
    const events = log2025();
    for (const e of events) p.write(e);
    expect(comments.length).toBeGreaterThan(0);
    const first = epochMicros(events[0]!.timestamp);
    const last = epochMicros(events.at(-1)!.timestamp);
    for (const c of comments) {
      const t = epochMicros(c.timestamp);
      expect(c.timestamp.startsWith('2025-06-10'), c.event_summary).toBe(true);
      expect(t).toBeGreaterThanOrEqual(first);
      expect(t).toBeLessThanOrEqual(last);
    }
    // the loop is stamped at the 4th call (the one that made it a loop), the stall when 30 s of silence had passed
    const loop = comments.find((c) => c.details.pattern === 'tool_loop')!;
    expect(loop.timestamp).toBe(events[3]!.timestamp);
    const stall = comments.find((c) => c.details.pattern === 'continuation_stall' && c.action === 'insight')!;
    expect(epochMicros(stall.timestamp)).toBe(T0 + (4_000 + 200 + 30_000) * 1000);
  });

  it('a replay of the same events in event time gives the same insights, session as long as the log', () => {
    const events = log2025();
    const insights = replayInsights(events);
    expect(insights.map((i) => i.pattern).sort()).toEqual(['continuation_stall', 'tool_loop']);
    for (const i of insights) {
      expect(i.opened_at.startsWith('2025-06-10')).toBe(true);
      if (i.resolved_at) expect(i.resolved_at <= events.at(-1)!.timestamp).toBe(true);
    }
    // stable insight ids: the same events give the same ids wherever they are replayed
    expect(replayInsights(events).map((i) => i.insight_id)).toEqual(insights.map((i) => i.insight_id));
  });

  it('a second recording older than the first (files ingested in any order) is stamped in its own time', () => {
    const comments: DebbieEvent[] = [];
    const p = new CommentaryProcessor({ time: 'event', onComment: (c) => comments.push(c) });
    const later = log2025().map((e) => ({ ...e, session_id: 's-later', timestamp: isoFromEpochMicros(epochMicros(e.timestamp) + 90 * 86_400_000_000) }));
    const earlier = log2025();
    for (const e of later) p.write(e);
    for (const e of earlier) p.write(e);
    const ofEarlier = comments.filter((c) => c.session_id === 's-2025');
    expect(ofEarlier.map((c) => c.details.pattern)).toEqual(expect.arrayContaining(['tool_loop', 'continuation_stall']));
    for (const c of ofEarlier) expect(c.timestamp.startsWith('2025-06-10'), c.event_summary).toBe(true);
    const stall = ofEarlier.find((c) => c.details.pattern === 'continuation_stall' && c.action === 'insight')!;
    expect(epochMicros(stall.timestamp)).toBe(T0 + (4_000 + 200 + 30_000) * 1000);
    for (const c of comments.filter((c) => c.session_id === 's-later')) expect(c.timestamp.startsWith('2025-09-08'), c.event_summary).toBe(true);
  });

  it("'wall' time (live) keeps the clock it is given", () => {
    const comments: DebbieEvent[] = [];
    const now = Date.UTC(2026, 0, 1) * 1000;
    const p = new CommentaryProcessor({ clock: { now: () => now, setTimer: () => () => {} }, onComment: (c) => comments.push(c) });
    for (const e of log2025()) p.write(e);
    expect(comments.find((c) => c.details.pattern === 'tool_loop')!.timestamp.startsWith('2026-01-01')).toBe(true);
  });
});
