import { describe, expect, it } from 'vitest';
import { buildTimeline } from './timeline.js';
import { eventAt } from './testEvents.js';

describe('buildTimeline', () => {
  const turn = eventAt(0, { event_id: 'turn', kind: 'span', duration_ms: 2000 });
  const ai = eventAt(100, { event_id: 'ai', kind: 'span', parent_id: 'turn', duration_ms: 500 });
  const chunk = eventAt(200, { event_id: 'chunk', parent_id: 'ai' });
  const tool = eventAt(1000, { event_id: 'tool', kind: 'span', parent_id: 'turn', duration_ms: 300 });
  // 8 s of silence after the turn ended at 2000 ms, then a nudge, then 30 s more.
  const nudge = eventAt(10_000, { event_id: 'nudge', source: 'user_script' });
  const late = eventAt(40_000, { event_id: 'late', source: 'websocket' });

  it('orders entries with ends, durations, depths and the silence before each', () => {
    const tl = buildTimeline('s1', [turn, ai, chunk, tool, nudge, late]);
    expect(tl.entries.map((e) => [e.event.event_id, e.depth, e.gap_before_ms, e.end_us - e.start_us])).toEqual([
      ['turn', 0, 0, 2_000_000],
      ['ai', 1, 0, 500_000],
      ['chunk', 2, 0, 0],
      ['tool', 1, 0, 300_000],
      ['nudge', 0, 8000, 0],
      ['late', 0, 30_000, 0],
    ]);
    expect(tl.start).toBe(turn.timestamp);
    expect(tl.end).toBe(late.timestamp);
    expect(tl.duration_ms).toBe(40_000);
  });

  it('lists silences over the threshold, largest first, after the event that ended last', () => {
    const tl = buildTimeline('s1', [turn, ai, chunk, tool, nudge, late], 5000);
    expect(tl.gaps).toEqual([
      { after_event_id: 'nudge', before_event_id: 'late', start: nudge.timestamp, duration_ms: 30_000 },
      { after_event_id: 'turn', before_event_id: 'nudge', start: eventAt(2000).timestamp, duration_ms: 8000 },
    ]);
    expect(buildTimeline('s1', [turn, ai, chunk, tool, nudge, late], 10_000).gaps.map((g) => g.duration_ms)).toEqual([30_000]);
    // the default is the one stall threshold (30 s, inclusive)
    expect(buildTimeline('s1', [turn, ai, chunk, tool, nudge, late]).gaps.map((g) => g.duration_ms)).toEqual([30_000]);
  });

  it('measures a silence from the latest end, not from the previous entry', () => {
    // "tool" (1000 ms) ends before "turn" (2000 ms): an event at 2500 ms waited 500 ms, not 1200.
    const after = eventAt(2500, { event_id: 'after' });
    const tl = buildTimeline('s1', [turn, tool, after]);
    expect(tl.entries.at(-1)?.gap_before_ms).toBe(500);
  });
});
