import { describe, expect, it } from 'vitest';
import { harness } from '../testing/fixtures.js';

describe('ContinuationStallDetector', () => {
  it('reports a stall from a timer at the threshold when nothing follows a declined continuation', () => {
    const h = harness();
    h.user('list the RFCs');
    h.chat();
    const tool = h.tool('list_rfcs', { status: 'in_progress' });
    h.decision(false, 'no_continuation_signal');
    h.wait(29_000);
    expect(h.of('continuation_stall')).toHaveLength(0);
    h.wait(1_000); // no event arrives: only the timer can notice
    const [stall] = h.of('continuation_stall', 'insight');
    expect(stall).toBeDefined();
    expect(stall!.level).toBe('WARNING');
    expect(stall!.details).toMatchObject({
      status: 'open',
      likely_cause: 'continuation_required',
      suggested_action: 'inject_continuation_prompt',
      tool_name: 'list_rfcs',
      continuation_declined: true,
      confidence: 0.92,
      evidence: { event_ids: [tool.event_id], span_ids: [tool.span_id] },
    });
    // linked to the span that triggered it
    expect(stall!.parent_id).toBe(tool.span_id);
    expect(stall!.trace_id).toBe(tool.trace_id);
    expect(stall!.session_id).toBe('sess-1');
    expect(stall!.event_summary).toContain('Duration: 30.0s');
  });

  it('updates the same insight as the silence grows, then resolves it when the user writes', () => {
    const h = harness();
    h.tool('read_file', { path: 'a.md' });
    h.decision(false, 'no_continuation_signal');
    h.wait(200_000);
    expect(h.of('continuation_stall', 'insight')).toHaveLength(1);
    const updates = h.of('continuation_stall', 'insight_update');
    expect(updates.map((u) => u.details.stall_duration)).toEqual([60, 120]);
    h.user('ok');
    const [resolved] = h.of('continuation_stall', 'insight_resolved');
    expect(resolved!.details).toMatchObject({ status: 'resolved', resolution: 'user' });
    expect(resolved!.level).toBe('INFO');
    expect(new Set(h.of('continuation_stall').map((c) => c.details.insight_id)).size).toBe(1);
  });

  it('stays quiet when the agent continues, when the model terminated on purpose, and for an idle user after a final answer', () => {
    const h = harness();
    h.tool('list_rfcs');
    h.decision(true, 'model_continue');
    h.wait(500);
    h.chat(700, { finish_reason: 'stop' });
    h.decision(false, 'final_response');
    h.wait(90_000); // idle user
    h.tool('write_file', { path: 'x' });
    h.decision(false, 'model_terminated');
    h.wait(90_000);
    expect(h.comments).toHaveLength(0);
  });

  it('notices a stall in a replay from the gap before the next event', () => {
    // The clock is not advanced between events (a replay that does not drive time).
    const h = harness();
    h.tool('list_rfcs');
    h.decision(false, 'no_continuation_signal');
    const later = h.clock.now() + 45_000_000;
    h.processor.write({ ...h.tool('noop'), timestamp: new Date(later / 1000).toISOString().replace('Z', '000Z') });
    const [stall] = h.of('continuation_stall', 'insight');
    expect(stall?.details.stall_duration).toBeCloseTo(45, 0);
    expect(h.of('continuation_stall', 'insight_resolved')).toHaveLength(1);
  });
});
