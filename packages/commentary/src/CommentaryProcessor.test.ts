import { describe, expect, it } from 'vitest';
import { createEvent, DebbieError, type DebbieEvent } from '@debbie/model';
import { CommentaryProcessor } from './CommentaryProcessor.js';
import { resolveCommentaryConfig } from './config.js';
import { ReplayClock } from './ReplayClock.js';
import { harness, T0 } from './testing/fixtures.js';
import { messageTemplate, normalizeArguments } from './templates.js';
import { eventMicros } from './eventTime.js';
import { epochMicros } from '@debbie/model';
import { formatCommentary } from './formatCommentary.js';

describe('CommentaryProcessor', () => {
  it('honours insight_level: brief is one line, detailed adds the reasoning and all recommendations', () => {
    const run = (level: 'brief' | 'detailed') => {
      const h = harness({ config: { insight_level: level } });
      h.tool('list_rfcs');
      h.decision(false, 'no_continuation_signal');
      h.wait(31_000);
      return h.of('continuation_stall', 'insight')[0]!;
    };
    const brief = run('brief');
    const detailed = run('detailed');
    expect(brief.event_summary).not.toContain('known continuation issue');
    expect(detailed.event_summary).toContain('known continuation issue');
    expect((brief.details.recommendations as string[]).length).toBe(1);
    expect((detailed.details.recommendations as string[]).length).toBeGreaterThan(1);
    expect(formatCommentary(brief)).toMatch(
      /^\[2025-06-02 21:05:\d\d\.\d{3}\] \[debbie_comment\] \[WARNING\] \[debugging\] Detected stall pattern: .*\| \{"pattern":"continuation_stall","confidence":0.92/,
    );
  });

  it('does nothing when disabled or with pattern_detection off', () => {
    for (const config of [{ enabled: false }, { pattern_detection: false }]) {
      const h = harness({ config });
      for (let i = 0; i < 6; i++) h.tool('search_code', { q: 1 });
      h.decision(false, 'no_continuation_signal');
      h.wait(60_000);
      expect(h.comments).toHaveLength(0);
    }
  });

  it('ignores its own comments fed back by the pipeline (re-entrant onComment)', () => {
    const clock = new ReplayClock(T0);
    const seen: DebbieEvent[] = [];
    const p: CommentaryProcessor = new CommentaryProcessor({
      clock,
      onComment: (e) => {
        seen.push(e);
        p.write(e);
      },
    });
    for (let i = 0; i < 6; i++)
      p.write(
        createEvent({
          source: 'tool',
          event_summary: 'x',
          session_id: 's',
          duration_ms: 5,
          timestamp: new Date(T0 / 1000 + i).toISOString(),
          details: { tool_name: 't', tool_arguments: '{"q":1}' },
        }),
      );
    expect(seen.filter((e) => e.action === 'insight')).toHaveLength(1);
    expect(p.stats().events).toBe(6);
  });

  it('survives malformed events: the detector error is counted, nothing is thrown, later events still work', () => {
    const h = harness();
    expect(() => h.processor.write({ source: 'tool', session_id: 'bad', kind: 'span', timestamp: 'garbage' } as unknown as DebbieEvent)).not.toThrow();
    expect(h.processor.stats().detectorErrors).toBeGreaterThan(0);
    expect(() => h.processor.write({ source: 'session' } as unknown as DebbieEvent)).not.toThrow();
    expect(() => h.processor.write(null as unknown as DebbieEvent)).not.toThrow();
    expect(h.processor.stats().rejected).toBe(2);
    for (let i = 0; i < 4; i++) h.tool('search_code', { q: 1 });
    expect(h.of('tool_loop', 'insight')).toHaveLength(1);
  });

  it('evicts sessions idle past the correlation timeout and the longest idle beyond maxSessions, counting both', () => {
    const clock = new ReplayClock(T0);
    const p = new CommentaryProcessor({ clock, correlationTimeoutMs: 60_000, maxSessions: 100 });
    const ev = (s: string) => createEvent({ source: 'agent', event_summary: 'x', session_id: s, timestamp: new Date(clock.now() / 1000).toISOString() });
    for (let i = 0; i < 250; i++) {
      p.write(ev(`s${i}`));
      clock.advanceBy(10);
    }
    expect(p.stats().sessions).toBeLessThanOrEqual(100);
    expect(p.stats().evictedCapacity).toBeGreaterThanOrEqual(150);
    clock.advanceBy(120_000);
    p.write(ev('late'));
    expect(p.stats().sessions).toBe(1);
    expect(p.stats().evictedIdle).toBeGreaterThan(0);
  });

  it('keeps one insight per problem: a worsening loop updates it a bounded number of times', () => {
    const h = harness();
    for (let i = 0; i < 200; i++) h.tool('search_code', { q: 'same' });
    expect(h.of('tool_loop', 'insight')).toHaveLength(1);
    expect(h.of('tool_loop', 'insight_update').length).toBeLessThanOrEqual(5);
  });
});

describe('resolveCommentaryConfig', () => {
  it('fills defaults from AIWhisperer and rejects bad settings naming them', () => {
    const c = resolveCommentaryConfig({ thresholds: { stall_seconds: 45 } });
    expect(c).toMatchObject({ enabled: true, insight_level: 'detailed', pattern_detection: true });
    expect(c.thresholds).toMatchObject({ stall_seconds: 45, memory_spike_mb: 400, websocket_slow_ms: 1000 });
    expect(c.interventions).toMatchObject({ enabled: false, max_per_session: 10, failure_limit: 2, failure_window: 5 });
    expect(() => resolveCommentaryConfig({ thresholds: { stall_secnds: 4 } })).toThrow(/debbie_config\.commentary\.thresholds: unknown setting 'stall_secnds'/);
    expect(() => resolveCommentaryConfig({ insight_level: 'verbose' })).toThrow(DebbieError);
    expect(() => resolveCommentaryConfig({ thresholds: { stall_seconds: -1 } })).toThrow(/thresholds\.stall_seconds: expected a non-negative number/);
    expect(() => resolveCommentaryConfig({ interventions: { url: 'http://x' } })).toThrow(/interventions\.url/);
  });
});

describe('templates and time', () => {
  it('masks numbers, ids, uuids, paths and hex so similar errors share a template', () => {
    const a = messageTemplate('Timeout after 3012 ms on /tmp/a.json for 1b4e28ba-2fa1-11d2-883f-0016d3cca427 (toolu_01AbC) 0xdeadbeef1');
    const b = messageTemplate('Timeout after 2990 ms on /var/lib/b.json for 6fa459ea-ee8a-3ca4-894e-db77e160355e (toolu_99ZZZ) 0x12345abcd');
    expect(a).toBe(b);
    expect(a).toBe('Timeout after <num> ms on <path> for <uuid> (<id>) <hex>');
  });

  it('normalizes tool arguments: key order and whitespace do not matter, values do', () => {
    expect(normalizeArguments('{"b":1, "a":[1,2]}')).toBe(normalizeArguments({ a: [1, 2], b: 1 }));
    expect(normalizeArguments('{"a":1}')).not.toBe(normalizeArguments('{"a":2}'));
    expect(normalizeArguments('not json {')).toBe('"not json {"');
  });

  it('parses timestamps exactly like the model', () => {
    for (const ts of ['2025-06-02T21:05:00.123456Z', '2024-02-29T23:59:59.999999Z', '1999-12-31T00:00:00.000001Z', '2025-06-02T21:05:00.123+02:00']) {
      expect(eventMicros(ts)).toBe(epochMicros(ts));
    }
  });
});
