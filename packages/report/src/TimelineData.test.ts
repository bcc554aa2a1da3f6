import { createEvent, isoFromEpochMillis, type DebbieEvent, type DebbieEventInit } from '@debbie/model';
import { describe, expect, it } from 'vitest';
import { renderTimelineHtml } from './renderTimelineHtml.js';
import { buildTimelineData } from './TimelineData.js';

const T0 = Date.parse('2025-05-29T10:00:00Z');
const ev = (ms: number, init: Omit<DebbieEventInit, 'timestamp'>): DebbieEvent =>
  createEvent({ session_id: 's1', ...init, timestamp: isoFromEpochMillis(T0 + ms) });

describe('buildTimelineData', () => {
  const turn = ev(0, { event_id: 'turn', source: 'agent', event_summary: 'turn', duration_ms: 1000, agent_id: 'p', correlation_id: 'c1' });
  const chat = ev(10, {
    event_id: 'chat',
    source: 'ai_service',
    event_summary: 'chat',
    duration_ms: 300,
    parent_id: 'turn',
    agent_id: 'p',
    correlation_id: 'c1',
  });
  const tool = ev(400, {
    event_id: 'tool',
    source: 'tool',
    event_summary: 'list_rfcs',
    duration_ms: 50,
    span_id: 'aaaaaaaaaaaaaaaa',
    parent_id: 'turn',
    agent_id: 'p',
  });
  const log = ev(420, { event_id: 'log', source: 'tool', event_summary: 'reading', parent_span_id: 'aaaaaaaaaaaaaaaa' });
  const comment = ev(20_000, { event_id: 'cmt', source: 'debbie_comment', event_summary: 'stalled?' });
  const late = ev(61_000, { event_id: 'late', source: 'session', event_summary: 'user: ok', agent_id: 'p' });

  it('sorts rows by time, resolves parents by event id or span id, and computes depth', () => {
    const d = buildTimelineData([late, log, tool, comment, chat, turn]);
    expect(d.id).toEqual(['turn', 'chat', 'tool', 'log', 'cmt', 'late']);
    expect(d.parent).toEqual([-1, 0, 0, 2, -1, -1]);
    expect(d.depth).toEqual([0, 1, 1, 2, 0, 0]);
    expect(d.start).toEqual([0, 10, 400, 420, 20_000, 61_000]);
    expect(d.dur).toEqual([1000, 300, 50, -1, -1, -1]);
    expect(d.sources[d.src[2]!]).toBe('tool');
    expect(d.corr).toEqual([0, 0, -1, -1, -1, -1]);
    expect(d.agents).toEqual(['p']);
    expect(d.sum.map((i) => d.summaries[i])).toEqual(['turn', 'chat', 'list_rfcs', 'reading', 'stalled?', 'user: ok']);
    expect(d.session_id).toBe('s1');
  });

  it('finds stalls from activity only: a comment inside the silence does not split it', () => {
    const d = buildTimelineData([turn, chat, tool, log, comment, late]);
    expect(d.gaps).toEqual([[1000, 60_000, 0, 5]]);
  });

  it('labels each error with its cause (details.error_cause)', () => {
    const limited = ev(500, {
      event_id: 'e429',
      source: 'ai_service',
      level: 'ERROR',
      event_summary: 'chat',
      duration_ms: 20,
      details: { error_cause: 'rate_limit', http_status: 429 },
    });
    const broken = ev(600, {
      event_id: 'e500',
      source: 'ai_service',
      level: 'ERROR',
      event_summary: 'chat',
      duration_ms: 20,
      details: { error_cause: 'server_error' },
    });
    const d = buildTimelineData([turn, limited, broken]);
    expect(d.causes).toEqual(['rate_limit', 'server_error']);
    expect(d.cause).toEqual([-1, 0, 1]);
  });

  it('stores repeated summaries and details once', () => {
    const same = [0, 1, 2].map((i) => ev(i, { source: 'websocket', event_summary: '→ StreamingUpdate', details: { type: 'streaming_chunk' } }));
    const d = buildTimelineData(same);
    expect(d.summaries).toEqual(['→ StreamingUpdate']);
    expect(d.sum).toEqual([0, 0, 0]);
    expect(d.extras).toEqual(['{"details":{"type":"streaming_chunk"}}']);
    expect(d.ext).toEqual([0, 0, 0]);
  });

  it('embeds at most maxEvents rows and counts the rest', () => {
    const d = buildTimelineData([turn, chat, tool, log], { maxEvents: 2 });
    expect(d.count).toBe(2);
    expect(d.total).toBe(4);
    expect(d.dropped).toBe(2);
  });

  it('renders one self-contained page whose data cannot close the script element', () => {
    const evil = ev(5, {
      event_id: 'evil',
      source: 'server',
      event_summary: 'x</script><script>window.pwned=1</script><!--',
      details: { note: '</SCRIPT>\u2028' },
    });
    const html = renderTimelineHtml(buildTimelineData([turn, evil]));
    // exactly the three script elements we wrote (data, D3, client), each closed once
    expect(html.match(/<script\b/gi)).toHaveLength(3);
    expect(html.match(/<\/script>/gi)).toHaveLength(3);
    const json = /<script id="debbie-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const data = JSON.parse(json) as { summaries: string[]; extras: string[] };
    expect(data.summaries).toContain('x</script><script>window.pwned=1</script><!--');
    expect(data.extras.some((x) => x.includes('</SCRIPT>'))).toBe(true);
    // no URL the page could fetch: only XML namespace names and the D3 licence comment
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/|d3js\.org )/);
    expect(html).toContain("default-src 'none'");
  });
});
