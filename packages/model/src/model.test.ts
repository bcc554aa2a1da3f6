import { describe, expect, it } from 'vitest';
import {
  createEvent,
  DebbieError,
  epochMicros,
  eventFromSpanParts,
  filterFromSearchParams,
  filterToSearchParams,
  formatDebbieLine,
  isoFromEpochMicros,
  matchesFilter,
  normalizeTimestamp,
  parseDebbieEvent,
  parseFilter,
  redactEvent,
  redactString,
  REDACTED,
} from './index.js';

describe('timestamps', () => {
  it('formats microseconds and parses them back exactly', () => {
    const us = 1748513732123456;
    expect(isoFromEpochMicros(us)).toBe('2025-05-29T10:15:32.123456Z');
    expect(epochMicros('2025-05-29T10:15:32.123456Z')).toBe(us);
  });
  it('accepts Python log timestamps, offsets and missing fractions', () => {
    expect(normalizeTimestamp('2025-06-02 21:05:15,941')).toBe('2025-06-02T21:05:15.941000Z');
    expect(normalizeTimestamp('2025-06-02T23:05:15+02:00')).toBe('2025-06-02T21:05:15.000000Z');
    expect(normalizeTimestamp('yesterday')).toBeUndefined();
  });
});

describe('parseDebbieEvent', () => {
  it('fills defaults for a minimal record', () => {
    const e = parseDebbieEvent({ timestamp: '2025-01-01T00:00:00Z', source: 'tool', event_summary: 'x' });
    expect(e).toMatchObject({ level: 'INFO', component: 'tool', details: {}, tags: [], kind: 'log' });
  });
  it('names the field and the place that was wrong', () => {
    expect(() => parseDebbieEvent({ timestamp: 'nope', source: 'tool', event_summary: 'x' }, 'a.jsonl line 3')).toThrowError(
      /a\.jsonl line 3: field "timestamp" must be an ISO-8601 timestamp/,
    );
    expect(() => parseDebbieEvent({ timestamp: '2025-01-01T00:00:00Z', source: 'robot', event_summary: 'x' })).toThrowError(
      /field "source" must be one of the LogSource values/,
    );
    expect(() => parseDebbieEvent([1])).toThrowError(DebbieError);
    expect(() => parseDebbieEvent({ timestamp: '2025-01-01T00:00:00Z', source: 'tool', event_summary: 'x', duration_ms: -1 })).toThrowError(/duration_ms/);
  });
});

describe('EventFilter', () => {
  const base = createEvent({
    timestamp: '2025-01-01T00:00:10.000000Z',
    source: 'tool',
    level: 'WARNING',
    event_summary: 'Tool list_rfcs slow',
    session_id: 's1',
    agent_id: 'p',
    correlation_id: 'c1',
    tags: ['a', 'b'],
    details: { tool_name: 'list_rfcs' },
  });
  it('matches on every field and combines them with AND', () => {
    expect(matchesFilter(base, {})).toBe(true);
    expect(matchesFilter(base, { sources: ['tool', 'agent'] })).toBe(true);
    expect(matchesFilter(base, { sources: ['agent'] })).toBe(false);
    expect(matchesFilter(base, { levels: ['ERROR'] })).toBe(false);
    expect(matchesFilter(base, { minLevel: 'INFO' })).toBe(true);
    expect(matchesFilter(base, { minLevel: 'ERROR' })).toBe(false);
    expect(matchesFilter(base, { sessionId: 's2' })).toBe(false);
    expect(matchesFilter(base, { agentId: 'p', correlationId: 'c1' })).toBe(true);
    expect(matchesFilter(base, { since: '2025-01-01T00:00:10.000000Z', until: '2025-01-01T00:00:11.000000Z' })).toBe(true);
    expect(matchesFilter(base, { until: '2025-01-01T00:00:10.000000Z' })).toBe(false);
    expect(matchesFilter(base, { text: 'LIST_RFCS' })).toBe(true);
    expect(matchesFilter(base, { tags: ['a', 'c'] })).toBe(false);
  });
  it('parses flags with clear errors and survives a trip through URL parameters', () => {
    const f = parseFilter({ source: ['tool,agent'], level: 'warn', session: 's1', since: '2025-01-01 00:00:00', tag: ['x'] });
    expect(f).toEqual({ sources: ['tool', 'agent'], levels: ['WARNING'], sessionId: 's1', since: '2025-01-01T00:00:00.000000Z', tags: ['x'] });
    expect(filterFromSearchParams(filterToSearchParams(f))).toEqual(f);
    expect(() => parseFilter({ source: 'robot' })).toThrowError(/unknown source "robot"; expected one of debbie, debbie_comment/);
    expect(() => parseFilter({ level: 'loud' })).toThrowError(/--level: unknown level "loud"/);
    expect(() => parseFilter({ since: 'soon' })).toThrowError(/--since/);
  });
});

describe('redaction', () => {
  it('masks secret keys and secret-looking values at any depth, and leaves token counts alone', () => {
    const e = createEvent({
      source: 'ai_service',
      event_summary: 'calling with Authorization: Bearer abcdef123456789',
      details: {
        api_key: 'sk-or-v1-0123456789abcdef0123',
        headers: { Authorization: 'Basic dXNlcjpwYXNz' },
        input_tokens: 10,
        max_tokens: 100,
        url: 'https://x/?token=s3cr3tvalue&q=1',
        nested: [{ password: 'hunter2' }],
        note: 'ok',
      },
      context_snapshot: { env: { OPENROUTER_API_KEY: 'abc' } },
    });
    const r = redactEvent(e);
    expect(r.details).toEqual({
      api_key: REDACTED,
      headers: { Authorization: REDACTED },
      input_tokens: 10,
      max_tokens: 100,
      url: `https://x/?token=${REDACTED}&q=1`,
      nested: [{ password: REDACTED }],
      note: 'ok',
    });
    expect(r.context_snapshot).toEqual({ env: { OPENROUTER_API_KEY: REDACTED } });
    expect(r.event_summary).toBe(`calling with Authorization: Bearer ${REDACTED}`);
    expect(e.details.api_key).toBe('sk-or-v1-0123456789abcdef0123'); // the original is not mutated
  });
  it('masks keys that appear mid-text (patterns without a capture group)', () => {
    expect(redactString('using key sk-or-abcdefghijklmnopqrstuvwxyz now')).toBe(`using key ${REDACTED} now`);
    expect(redactString('id AKIAABCDEFGHIJKLMNOP and ghp_abcdefghijklmnopqrstuvwxyz0123456789')).toBe(`id ${REDACTED} and ${REDACTED}`);
  });

  it('returns the same object when nothing is secret', () => {
    const e = createEvent({ source: 'tool', event_summary: 'fine', details: { tool_name: 'x', n: 1 } });
    expect(redactEvent(e)).toBe(e);
  });
});

describe('foreign spans', () => {
  it('maps GenAI and OpenInference attributes onto sources, tools, models and tokens', () => {
    const common = { traceId: '0123456789abcdef0123456789abcdef', spanId: '0123456789abcdef', startMicros: 1e15, endMicros: 1e15 + 2500, statusCode: 0 };
    const tool = eventFromSpanParts({
      ...common,
      name: 'execute_tool search',
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'session.id': 's' },
    });
    expect(tool).toMatchObject({ source: 'tool', component: 'search', duration_ms: 2.5, session_id: 's', details: { tool_name: 'search' } });
    const llm = eventFromSpanParts({
      ...common,
      name: 'chat',
      statusCode: 2,
      statusMessage: 'boom',
      attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12 },
    });
    expect(llm).toMatchObject({
      source: 'ai_service',
      level: 'ERROR',
      performance_metrics: { input_tokens: 12 },
      details: { model: 'gpt-4o', status_message: 'boom' },
    });
    const agent = eventFromSpanParts({ ...common, name: 'a', attributes: { 'openinference.span.kind': 'AGENT' } });
    expect(agent.source).toBe('agent');
  });
});

describe('formatDebbieLine', () => {
  it('prints the seed line format', () => {
    const e = createEvent({
      timestamp: '2025-05-29T10:15:32.123456Z',
      source: 'debbie_comment',
      component: 'debugging',
      event_summary: 'Detected stall',
      details: { pattern: 'tool_execution_stall', confidence: 0.92 },
    });
    expect(formatDebbieLine(e)).toBe(
      '[2025-05-29 10:15:32.123] [debbie_comment] [INFO] [debugging] Detected stall | {"pattern":"tool_execution_stall","confidence":0.92}',
    );
  });
});
