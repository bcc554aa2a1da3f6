import { createEvent, isoFromEpochMillis, type DebbieEvent, type DebbieEventInit } from '@debbie/model';
import { describe, expect, it } from 'vitest';
import { LogAnalyzer } from './LogAnalyzer.js';
import { renderReportHtml } from './renderReportHtml.js';
import { renderReportJson, renderReportMarkdown } from './renderReportMarkdown.js';

const T0 = Date.parse('2025-05-29T10:00:00Z');

/** A session whose every number is known: builds events at T0 + ms. */
class SessionBuilder {
  readonly events: DebbieEvent[] = [];
  private n = 0;
  add(atMs: number, init: Omit<DebbieEventInit, 'timestamp'>): DebbieEvent {
    const e = createEvent({ session_id: 's1', event_id: `e${++this.n}`, ...init, timestamp: isoFromEpochMillis(T0 + atMs) });
    this.events.push(e);
    return e;
  }
  tool(atMs: number, name: string, ms: number, agent = 'p'): DebbieEvent {
    return this.add(atMs, {
      source: 'tool',
      event_summary: `tool ${name}`,
      component: name,
      action: 'tool_execution',
      duration_ms: ms,
      agent_id: agent,
      details: { tool_name: name },
    });
  }
}

function basicSession() {
  const s = new SessionBuilder();
  let t = 0;
  // list_rfcs: 1..100 ms; read_file: 10 calls of 2000 ms (the slow one)
  for (let i = 1; i <= 100; i++) {
    s.tool(t, 'list_rfcs', i, i % 2 ? 'p' : 'e');
    t += 200;
  }
  const slow = [];
  for (let i = 0; i < 10; i++) {
    slow.push(s.tool(t, 'read_file', 2000 + i, 'p'));
    t += 2100;
  }
  for (let i = 0; i < 4; i++) {
    s.add(t, {
      source: 'ai_service',
      event_summary: 'chat',
      duration_ms: 500 * (i + 1),
      details: { model: 'gpt-x' },
      performance_metrics: { input_tokens: 100, output_tokens: 10 },
    });
    t += 2500;
  }
  s.add(t, { source: 'server', level: 'ERROR', agent_id: 'p', event_summary: 'Timeout after 3021 ms calling /srv/data/a.json' });
  s.add(t + 10, { source: 'server', level: 'ERROR', agent_id: 'e', event_summary: 'Timeout after 12 ms calling /tmp/x/b.json' });
  s.add(t + 20, { source: 'tool', level: 'CRITICAL', agent_id: 'p', event_summary: 'Timeout after 7 ms calling /tmp/y/c.json' });
  s.add(t + 30, { source: 'agent', level: 'ERROR', agent_id: 'd', event_summary: 'Empty AI reply' });
  return { s, slow, end: t + 30 };
}

describe('LogAnalyzer', () => {
  it('reports p50, p95 and max per tool within the stated accuracy, and flags the slow tool with its slowest calls as evidence', async () => {
    const { s, slow } = basicSession();
    const r = await new LogAnalyzer({ commentary: false }).analyze(s.events);
    const tools = Object.fromEntries(r.performance!.tools.map((t) => [t.name, t]));
    expect(tools.list_rfcs!.count).toBe(100);
    expect(tools.list_rfcs!.max_ms).toBe(100);
    // true p50 of 1..100 is 50 or 51, p95 is 95 or 96 (±1%)
    expect(tools.list_rfcs!.p50_ms).toBeGreaterThanOrEqual(50 * 0.99);
    expect(tools.list_rfcs!.p50_ms).toBeLessThanOrEqual(51 * 1.01);
    expect(tools.list_rfcs!.p95_ms).toBeGreaterThanOrEqual(95 * 0.99);
    expect(tools.list_rfcs!.p95_ms).toBeLessThanOrEqual(96 * 1.01);
    expect(tools.read_file!.max_ms).toBe(2009);
    expect(tools.read_file!.total_ms).toBe(20045);
    expect(tools.read_file!.slowest_event_ids).toEqual([slow[9]!.event_id, slow[8]!.event_id, slow[7]!.event_id]);
    expect(r.performance!.tools[0]!.name).toBe('read_file');

    const slowFinding = r.patterns!.findings.find((f) => f.pattern === 'slow_tool');
    expect(slowFinding?.summary).toContain('"read_file"');
    expect(slowFinding?.evidence).toEqual(tools.read_file!.slowest_event_ids);
    const rec = r.recommendations!.find((x) => x.because === slowFinding!.summary);
    expect(rec?.evidence).toEqual(slowFinding!.evidence);
    expect(r.patterns!.findings.some((f) => f.pattern === 'slow_tool' && f.summary.includes('list_rfcs'))).toBe(false);
  });

  it('sums model tokens and time per source', async () => {
    const { s } = basicSession();
    const r = await new LogAnalyzer({ commentary: false }).analyze(s.events);
    expect(r.performance!.models).toHaveLength(1);
    const m = r.performance!.models[0]!;
    expect([m.name, m.count, m.input_tokens, m.output_tokens, m.max_ms, m.total_ms]).toEqual(['gpt-x', 4, 400, 40, 2000, 5000]);
    const tool = r.performance!.per_source.find((p) => p.source === 'tool')!;
    expect(tool.spans).toBe(110);
    expect(tool.span_ms).toBe(5050 + 20045);
    const ai = r.performance!.per_source.find((p) => p.source === 'ai_service')!;
    expect(ai.share).toBeCloseTo(5000 / (5000 + 5050 + 20045), 6);
    expect(r.performance!.slowest[0]!.duration_ms).toBe(2009);
    expect(r.event_count).toBe(s.events.length);
  });

  it('groups errors by message template with first and last seen and the agents affected', async () => {
    const { s, end } = basicSession();
    const r = await new LogAnalyzer({ commentary: false }).analyze(s.events);
    expect(r.errors!.total).toBe(4);
    const [top, other] = r.errors!.groups;
    expect(top!.template).toBe('Timeout after <n> ms calling <path>');
    expect(top!.count).toBe(3);
    expect(top!.critical).toBe(1);
    expect(top!.agents).toEqual(['e', 'p']);
    expect(top!.sources).toEqual(['server', 'tool']);
    expect(top!.first_seen).toBe(isoFromEpochMillis(T0 + end - 30));
    expect(top!.last_seen).toBe(isoFromEpochMillis(T0 + end - 10));
    expect(other!.template).toBe('Empty AI reply');
    expect(r.patterns!.findings.find((f) => f.pattern === 'error_burst')?.evidence).toEqual(top!.sample_event_ids);
    const rec = r.recommendations!.find((x) => x.action.includes('Timeout after <n> ms'));
    expect(rec?.priority).toBe('high');
    expect(rec?.evidence).toEqual(top!.sample_event_ids);
  });

  it('finds a stall after a tool and a tool loop, with the events around them as evidence', async () => {
    const s = new SessionBuilder();
    let t = 0;
    const loop = [];
    for (let i = 0; i < 6; i++) {
      loop.push(s.tool(t, 'list_rfcs', 10, 'p'));
      t += 100;
    }
    const last = s.tool(t, 'search', 50, 'p');
    const resumed = s.add(t + 50 + 45_000, { source: 'session', event_summary: 'user: ok', agent_id: 'p' });
    // a comment inside the silence must not split it
    s.add(t + 10_000, { source: 'debbie_comment', event_summary: 'looks stalled', details: { pattern: 'stall' } });
    const r = await new LogAnalyzer({ commentary: false }).analyze(s.events);
    const stall = r.patterns!.findings.find((f) => f.pattern === 'stall_after_tool');
    expect(stall?.evidence).toEqual([last.event_id, resumed.event_id]);
    expect(stall?.summary).toContain('45.0 s');
    const loopFinding = r.patterns!.findings.find((f) => f.pattern === 'tool_loop');
    expect(loopFinding?.summary).toBe('Agent p called tool "list_rfcs" 6 times in a row');
    expect(loopFinding?.evidence).toEqual([...loop.slice(0, 5).map((e) => e.event_id), loop[5]!.event_id]);
    expect(r.recommendations![0]!.priority).toBe('high');
  });

  it('shows stored Debbie comments as findings and carries their recommendations with evidence', async () => {
    const s = new SessionBuilder();
    const tool = s.tool(0, 'list_rfcs', 10);
    const c = s.add(50_000, {
      source: 'debbie_comment',
      event_summary: 'Detected stall pattern: agent waiting after list_rfcs',
      component: 'debugging',
      details: { pattern: 'tool_execution_stall', confidence: 0.92, recommendations: ['Inject a continuation prompt'], evidence: [tool.event_id] },
    });
    const r = await new LogAnalyzer({ commentary: false }).analyze(s.events);
    expect(r.patterns!.stored_comments).toBe(1);
    const f = r.patterns!.findings.find((x) => x.origin === 'commentary')!;
    expect(f).toMatchObject({ pattern: 'tool_execution_stall', confidence: 0.92, event_id: c.event_id, evidence: [tool.event_id] });
    const rec = r.recommendations!.find((x) => x.action === 'Inject a continuation prompt')!;
    expect(rec.evidence).toEqual([c.event_id, tool.event_id]);
    expect(rec.priority).toBe('high');
  });

  it('limits the report to a time range and to the focus sections, and rejects a bad focus or time', async () => {
    const { s } = basicSession();
    const r = await new LogAnalyzer({ commentary: false }).analyze(s.events, { start: isoFromEpochMillis(T0), end: isoFromEpochMillis(T0 + 200 * 10) }, [
      'performance',
    ]);
    expect(r.event_count).toBe(10);
    expect(r.sections).toEqual(['performance']);
    expect(r.errors).toBeUndefined();
    expect(r.patterns).toBeUndefined();
    expect(r.performance!.tools[0]!.count).toBe(10);
    await expect(new LogAnalyzer({ commentary: false }).analyze(s.events, undefined, ['speed'])).rejects.toThrow(/unknown report section "speed"/);
    await expect(new LogAnalyzer({ commentary: false }).analyze(s.events, { start: 'yesterday' })).rejects.toThrow(/not an ISO-8601 timestamp/);
    await expect(new LogAnalyzer({ commentary: false }).analyze('s1')).rejects.toThrow(/needs a reader/);
  });

  it('gives the same numbers for shuffled input as for time-ordered input', async () => {
    const { s } = basicSession();
    const shuffled = [...s.events].reverse();
    const a = await new LogAnalyzer({ commentary: false }).analyze(s.events);
    const b = await new LogAnalyzer({ commentary: false }).analyze(shuffled);
    expect({ ...b, generated_at: '' }).toEqual({ ...a, generated_at: '' });
  });

  it('reads pages from an async source in one pass', async () => {
    const { s } = basicSession();
    async function* pages() {
      for (let i = 0; i < s.events.length; i += 7) yield s.events.slice(i, i + 7);
    }
    const r = await new LogAnalyzer({ commentary: false }).analyzeEvents(pages(), { sessionId: 's1' });
    const a = await new LogAnalyzer({ commentary: false }).analyze(s.events);
    expect(r.performance).toEqual(a.performance);
    expect(r.errors).toEqual(a.errors);
  });

  it('skips an event with a broken timestamp alone, and counts it', async () => {
    const { s } = basicSession();
    const broken = { ...s.events[3]!, timestamp: 'last tuesday' };
    const r = await new LogAnalyzer({ commentary: false }).analyze([...s.events, broken]);
    expect(r.event_count).toBe(s.events.length);
    expect(r.truncated.bad_timestamps).toBe(1);
    expect(renderReportMarkdown(r)).toContain('Skipped 1 event(s) whose timestamp is not ISO-8601.');
  });

  it('bounds memory: error groups past the limit are counted, not kept', async () => {
    const s = new SessionBuilder();
    for (let i = 0; i < 30; i++)
      s.add(i, { source: 'server', level: 'ERROR', event_summary: `failure kind ${String.fromCharCode(65 + (i % 26))}${i >= 26 ? 'x' : ''}` });
    const r = await new LogAnalyzer({ commentary: false, maxErrorGroups: 10 }).analyze(s.events);
    expect(r.errors!.groups).toHaveLength(10);
    expect(r.errors!.ungrouped).toBe(20);
    expect(r.errors!.total).toBe(30);
  });

  it('renders Markdown, JSON and HTML with event text escaped', async () => {
    const s = new SessionBuilder();
    s.add(0, { source: 'server', level: 'ERROR', event_summary: 'bad | pipe <script>alert(1)</script>' });
    s.tool(5, 'read_file', 10);
    const r = await new LogAnalyzer({ commentary: false }).analyze(s.events);
    const md = renderReportMarkdown(r);
    expect(md).toContain('## Performance');
    expect(md).toContain('## Errors');
    expect(md).toContain('## Patterns');
    expect(md).toContain('## Recommendations');
    expect(md).toContain('bad \\| pipe');
    expect(JSON.parse(renderReportJson(r)).event_count).toBe(2);
    const html = renderReportHtml(r);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&lt;n&gt;)&lt;/script&gt;');
    expect(html).toContain('<section id="recommendations">');
  });
});
