import { createEvent, SPAN_START_TAG, type DebbieEvent, type DebbieEventInit } from '@debbie/model';
import { describe, expect, it } from 'vitest';
import { SessionBoard } from './SessionBoard.js';
import { alignSteps } from './compareRuns.js';

let n = 0;
const ev = (init: Partial<DebbieEventInit> & { source: DebbieEventInit['source'] }): DebbieEvent =>
  createEvent({ session_id: 's1', event_id: `e${++n}`, timestamp: `2025-06-02T21:05:${String(10 + (n % 40)).padStart(2, '0')}.000000Z`, ...init });
const summary = (id: string) => ({
  session_id: id,
  first_timestamp: '2025-06-02T21:05:00.000000Z',
  last_timestamp: '2025-06-02T21:05:10.000000Z',
  duration_ms: 10_000,
  event_count: 3,
  error_count: 0,
  events_per_source: { tool: 3 },
  agents: [],
});

describe('SessionBoard', () => {
  it('says running, then stalled while silent past the threshold, then finished when the session stops', () => {
    let now = 1_000;
    const board = new SessionBoard({ stallMs: 500, now: () => now });
    board.write(ev({ source: 'tool', event_summary: 'list_rfcs', duration_ms: 10 }));
    expect(board.status('s1')).toBe('running');
    now += 499;
    expect(board.status('s1')).toBe('running');
    now += 1;
    expect(board.status('s1')).toBe('stalled');
    // Debbie speaking is not the session speaking
    board.write(ev({ source: 'debbie_comment', event_summary: 'Detected stall', details: { pattern: 'continuation_stall', status: 'open' } }));
    expect(board.status('s1')).toBe('stalled');
    board.write(ev({ source: 'agent', event_summary: 'resumed' }));
    expect(board.status('s1')).toBe('stalled'); // the stall insight is still open
    board.write(ev({ source: 'debbie_comment', event_summary: 'resolved', details: { pattern: 'continuation_stall', status: 'resolved' } }));
    expect(board.status('s1')).toBe('running');
    board.write(ev({ source: 'session', action: 'session_stopped', event_summary: 'stopped' }));
    expect(board.status('s1')).toBe('finished');
  });

  it('tracks spans in progress from span starts, ends them with their span, and counts no event for a start', () => {
    const board = new SessionBoard();
    const start = ev({ source: 'tool', event_summary: 'slow_search', span_id: 'aaaa000000000001', tags: [SPAN_START_TAG] });
    board.write(start);
    expect(board.pending('s1').map((p) => p.event.span_id)).toEqual(['aaaa000000000001']);
    const row = board.row(summary('s1'));
    expect(row.pending).toBe(1);
    expect(row.event_count).toBe(3); // the store's count; the start added none
    board.write(ev({ source: 'tool', event_summary: 'slow_search', span_id: 'aaaa000000000001', duration_ms: 2_000 }));
    expect(board.pending('s1')).toEqual([]);
  });

  it('forgets a session known only from a start whose span ended under another session', () => {
    const board = new SessionBoard();
    board.write(ev({ source: 'agent', session_id: 'trace-id-session', span_id: 'bbbb000000000001', tags: [SPAN_START_TAG] }));
    board.write(ev({ source: 'agent', session_id: 'real', span_id: 'bbbb000000000001', duration_ms: 5 }));
    expect(board.status('trace-id-session')).toBeNull();
    expect(board.liveRowsNotIn(new Set()).map((r) => r.session_id)).toEqual(['real']);
  });

  it('says looping while a loop insight is open, erroring after recent errors; indexes models, tokens and the latest comment', () => {
    const board = new SessionBoard({ stallMs: 60_000 });
    board.write(
      ev({
        source: 'ai_service',
        kind: 'span',
        duration_ms: 700,
        details: { model: 'openai/gpt-4o-mini' },
        performance_metrics: { input_tokens: 800, output_tokens: 20 },
      }),
    );
    board.write(ev({ source: 'debbie_comment', event_summary: 'Tool loop', details: { pattern: 'tool_loop', status: 'open' } }));
    expect(board.status('s1')).toBe('looping');
    const row = board.row(summary('s1'));
    expect(row.models).toEqual(['openai/gpt-4o-mini']);
    expect([row.input_tokens, row.output_tokens]).toEqual([800, 20]);
    expect(row.latest_comment?.pattern).toBe('tool_loop');
    board.write(ev({ source: 'debbie_comment', details: { pattern: 'tool_loop', status: 'resolved' } }));
    board.write(ev({ source: 'tool', level: 'ERROR', event_summary: 'boom' }));
    expect(board.status('s1')).toBe('erroring');
  });

  it('is bounded: the least recently active sessions are forgotten and counted', () => {
    const board = new SessionBoard({ maxSessions: 2 });
    for (const id of ['a', 'b', 'c']) board.write(ev({ source: 'agent', session_id: id }));
    expect(board.stats()).toMatchObject({ sessions: 2, forgotten: 1 });
    expect(board.status('a')).toBeNull();
  });

  it("shows a stored session it never saw live as finished, with the store's figures", () => {
    const row = new SessionBoard().row(summary('old'));
    expect(row).toMatchObject({ status: 'finished', event_count: 3, silent_ms: null });
  });
});

describe('alignSteps', () => {
  it('aligns like a diff: an extra call is a gap, not a shift of every later row', () => {
    const rows = alignSteps(['m', 't:list', 'm', 't:read', 'm'], ['m', 't:list', 'm', 't:list', 'm', 't:read', 'm']);
    expect(rows.filter((r) => r.same)).toHaveLength(5);
    const first = rows.findIndex((r) => !r.same);
    expect(first).toBe(3);
    expect(rows.filter((r) => r.a === null)).toHaveLength(2);
  });

  it('marks a substitution and pairs by position past its table bound', () => {
    expect(alignSteps(['a', 'b'], ['a', 'c'])).toEqual([
      { a: 0, b: 0, same: true },
      { a: 1, b: 1, same: false },
    ]);
    const big = Array.from({ length: 3_000 }, (_, i) => `s${i % 7}`);
    const rows = alignSteps(big, [...big.slice(0, 10), 'x', ...big.slice(11)]);
    expect(rows).toHaveLength(3_000);
    expect(rows.findIndex((r) => !r.same)).toBe(10);
  });
});
