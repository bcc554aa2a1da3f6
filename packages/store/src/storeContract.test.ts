// The store contract, run against every backend: the embedded DuckDB file and a real ClickHouse
// server started by the test (testClickHouse.ts). Backend-specific behaviour lives in
// EventStore.test.ts (DuckDB) and clickhouse/ClickHouseStore.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DebbieError, matchesFilter, type DebbieEvent, type EventFilter } from '@debbie/model';
import { openStore } from './openStore.js';
import { labelFieldsOf, labelFromFields } from './sessionLabel.js';
import type { Store, StoreOptions } from './Store.js';
import { eventAt } from './testEvents.js';
import { clickHouseTestsEnabled, startClickHouse, TEST_USER, type TestClickHouse } from './testClickHouse.js';

interface Backend {
  name: string;
  /** A store location no other test uses. */
  fresh(): string;
}

let dir: string;
let clickhouse: TestClickHouse | undefined;
let counter = 0;

const duckdb: Backend = {
  name: 'duckdb',
  fresh: () => join(dir, `s${++counter}`, 'store.duckdb'),
};

const clickhouseBackend: Backend = {
  name: 'clickhouse',
  // Half the stores log in as a user with a password, so credentials are exercised too.
  fresh: () => clickhouse!.url(`contract_${process.pid}_${++counter}`, counter % 2 ? TEST_USER : undefined),
};

const backends: Backend[] = [duckdb];
if (clickHouseTestsEnabled()) backends.push(clickhouseBackend);

beforeAll(async () => {
  if (backends.includes(clickhouseBackend)) clickhouse = await startClickHouse();
}, 90_000);
afterAll(async () => {
  await clickhouse?.stop();
});

describe.each(backends)('store contract on $name', (backend) => {
  let store: Store | undefined;
  let location: string;
  const open = async (options: StoreOptions = {}) => {
    store = await openStore(location, options);
    return store;
  };
  beforeEach(() => {
    dir ??= mkdtempSync(join(tmpdir(), 'debbie-contract-'));
    location = backend.fresh();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rich: DebbieEvent = eventAt(1.234, {
    level: 'WARNING',
    source: 'tool',
    component: 'list_rfcs',
    action: 'tool_execution',
    event_summary: 'Tool list_rfcs completed',
    event_id: 'evt-rich',
    duration_ms: 10.5,
    details: { tool: 'list_rfcs', args: { status: 'draft' }, nested: [1, 'two', { three: null }] },
    state_before: { step: 1 },
    state_after: 'done',
    session_id: 's1',
    agent_id: 'p',
    correlation_id: 'c1',
    parent_id: 'turn-1',
    tags: ['tool', 'slow'],
    performance_metrics: { duration_ms: 10.5, tokens: 42 },
    stack_trace: 'Error: x\n    at y',
    context_snapshot: { continuation_depth: 2 },
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: 'b7ad6b7169203331',
    parent_span_id: '00f067aa0ba902b7',
    kind: 'span',
    service_name: 'aiwhisperer',
  });

  describe('writes', () => {
    it('reads back exactly the event it stored, every field, also when reopened read-only', async () => {
      await open();
      const minimal = eventAt(2, { event_id: 'evt-min' });
      await store!.append([rich, minimal]);
      expect(await store!.queryEvents({})).toEqual([rich, minimal]);
      await store!.close();
      await open({ readOnly: true });
      expect(await store!.queryEvents({})).toEqual([rich, minimal]);
      expect(store!.readOnly).toBe(true);
    });

    it('never shows a password in its path', async () => {
      await open();
      expect(store!.path).not.toContain(TEST_USER.password);
    });

    it('rejects a malformed event alone and stores the rest of its batch', async () => {
      const errors: Error[] = [];
      await open({ onError: (e) => errors.push(e) });
      const bad = { ...eventAt(1, { event_id: 'bad' }), timestamp: 'yesterday' };
      const badLevel = { ...eventAt(2, { event_id: 'bad-level' }), level: 'LOUD' } as unknown as DebbieEvent;
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const badJson = eventAt(3, { event_id: 'bad-json', details: circular });
      await store!.append([eventAt(0, { event_id: 'ok1' }), bad, badLevel, badJson, eventAt(4, { event_id: 'ok2' })]);
      expect((await store!.queryEvents({})).map((e) => e.event_id)).toEqual(['ok1', 'ok2']);
      expect(store!.stats()).toMatchObject({ appended: 2, rejected: 3, lastError: expect.stringContaining('bad-json') });
      expect(errors).toHaveLength(3);
      expect(errors[0]).toBeInstanceOf(DebbieError);
      expect(errors[0]!.message).toContain('event bad: field "timestamp" must be an ISO-8601 timestamp');
    });

    it('stores exactly strings holding control characters, quotes, backslashes, -0 and non-ASCII', async () => {
      await open();
      const awkward = ['', '\x00', 'a\x01b', '\x02', '\x03', '\x03x', 'é漢字🙂', '"quoted"\\', "it's", 'line\nbreak\ttab', ' ', '\\ud800 (text)'];
      const events = awkward.map((text, i) =>
        eventAt(0, {
          event_id: `e${i}`,
          event_summary: text,
          component: text,
          session_id: `s-${text}`,
          stack_trace: text,
          tags: [text, 'x'],
          details: { text, lone: 'x\ud800y' },
          duration_ms: i === 0 ? -0 : 1e-7 * i,
        }),
      );
      await store!.append(events);
      const back = await store!.queryEvents({});
      expect(back).toEqual(events); // same timestamp everywhere: insertion order is kept
      expect(Object.is(back[0]!.duration_ms, -0)).toBe(true);
      expect(store!.stats()).toMatchObject({ appended: awkward.length, dropped: 0 });
    });

    it('bounds the write queue: drops and counts past maxQueuedEvents, and commit() says so', async () => {
      await open({ maxQueuedEvents: 10, batchSize: 1000, flushIntervalMs: 60_000 });
      for (let i = 0; i < 15; i++) store!.write(eventAt(i));
      expect(store!.stats()).toMatchObject({ queued: 10, dropped: 5, appended: 0 });
      await expect(store!.commit()).rejects.toMatchObject({ code: 'store_write_failed', message: expect.stringContaining('5 event(s)') });
      expect(store!.stats()).toMatchObject({ queued: 0, dropped: 5, appended: 10, batches: 1 });
      expect(await store!.countEvents({})).toBe(10);
      store!.write(eventAt(20));
      await store!.commit(); // nothing lost since the last commit
      expect(await store!.countEvents({})).toBe(11);
    });

    it('flushes in batches of batchSize', async () => {
      await open({ batchSize: 3, flushIntervalMs: 60_000 });
      for (let i = 0; i < 7; i++) store!.write(eventAt(i));
      await store!.forceFlush();
      expect(store!.stats()).toMatchObject({ appended: 7, batches: 3, queued: 0 });
    });

    it('flushes on its timer while anything is queued', async () => {
      await open({ flushIntervalMs: 5 });
      store!.write(eventAt(0));
      await vi.waitFor(() => expect(store!.stats().appended).toBe(1), { timeout: 5000, interval: 5 });
    });

    it('close() stores what is still queued, then counts later writes as dropped', async () => {
      await open({ flushIntervalMs: 60_000 });
      store!.write(eventAt(0));
      store!.write(eventAt(1));
      await store!.close();
      store!.write(eventAt(2));
      expect(store!.stats()).toMatchObject({ appended: 2, dropped: 1 });
      await expect(store!.append([eventAt(3)])).rejects.toMatchObject({ code: 'store_closed' });
      await open({ readOnly: true });
      expect(await store!.countEvents({})).toBe(2);
    });

    it('refuses writes when opened read-only', async () => {
      await (await openStore(location)).close();
      await open({ readOnly: true });
      store!.write(eventAt(0));
      expect(store!.stats().dropped).toBe(1);
      await expect(store!.append([eventAt(0)])).rejects.toMatchObject({ code: 'store_read_only' });
      await expect(store!.deleteSessions(['x'])).rejects.toThrowError(/read-only/);
    });

    it('adds nothing for an event whose id is already stored (an ingest run twice)', async () => {
      await open();
      const events = Array.from({ length: 50 }, (_, i) => eventAt(i, { event_id: `ingest-${i}`, session_id: 'again', level: i % 10 ? 'INFO' : 'ERROR' }));
      await store!.append(events);
      await store!.append(events);
      await store!.append([...events.slice(10, 20), eventAt(99, { event_id: 'ingest-new', session_id: 'again' }), events[3]!]);
      for (const e of events.slice(0, 5)) store!.write(e);
      await store!.commit();
      expect(await store!.countEvents({})).toBe(51);
      expect((await store!.queryEvents({ sessionId: 'again' })).map((e) => e.event_id)).toEqual([...events.map((e) => e.event_id), 'ingest-new']);
      const [session] = await store!.listSessions();
      expect(session).toMatchObject({ session_id: 'again', event_count: 51, error_count: 5 });
      // Debbie's own comment at ERROR (an error burst insight) is no error of the session
      await store!.append([eventAt(100, { event_id: 'comment-1', session_id: 'again', source: 'debbie_comment', level: 'ERROR', component: 'debugging' })]);
      expect((await store!.listSessions())[0]).toMatchObject({ event_count: 52, error_count: 5 });
    });
  });

  describe('queries', () => {
    const at = (ms: number, init: Parameters<typeof eventAt>[1]) => eventAt(ms, init);
    const events: DebbieEvent[] = [
      at(0, {
        event_id: 'e1',
        source: 'websocket',
        level: 'DEBUG',
        session_id: 's1',
        correlation_id: 'c1',
        event_summary: 'Received sendUserMessage',
        component: 'ws',
        action: 'receive',
      }),
      at(10, {
        event_id: 'e2',
        source: 'agent',
        session_id: 's1',
        agent_id: 'p',
        correlation_id: 'c1',
        tags: ['turn'],
        action: 'agent_turn',
        kind: 'span',
        duration_ms: 900,
      }),
      at(20, {
        event_id: 'e3',
        source: 'ai_service',
        session_id: 's1',
        agent_id: 'p',
        correlation_id: 'c1',
        parent_id: 'e2',
        tags: ['turn', 'model'],
        details: { model: 'Gemini-Flash' },
      }),
      at(30, {
        event_id: 'e4',
        source: 'tool',
        level: 'ERROR',
        session_id: 's1',
        agent_id: 'p',
        correlation_id: 'c2',
        parent_id: 'e2',
        component: 'list_rfcs',
        kind: 'span',
        duration_ms: 5000,
      }),
      at(40, { event_id: 'e5', source: 'session', level: 'CRITICAL', session_id: 's2', agent_id: 'd', event_summary: 'Session STALLED' }),
      at(50, { event_id: 'e6', source: 'agent', level: 'WARNING', session_id: 's2', agent_id: 'e', tags: ['model'] }),
      at(60, { event_id: 'e7', source: 'server', level: 'INFO', event_summary: 'no session here' }),
    ];

    beforeEach(async () => {
      await open();
      await store!.append(events);
    });

    const filters: [string, EventFilter, string[]][] = [
      ['no filter', {}, ['e1', 'e2', 'e3', 'e4', 'e5', 'e6', 'e7']],
      ['sources', { sources: ['agent', 'tool'] }, ['e2', 'e4', 'e6']],
      ['levels', { levels: ['ERROR', 'DEBUG'] }, ['e1', 'e4']],
      ['minLevel', { minLevel: 'WARNING' }, ['e4', 'e5', 'e6']],
      ['sessionId', { sessionId: 's2' }, ['e5', 'e6']],
      ['empty sessionId', { sessionId: '' }, []],
      ['agentId', { agentId: 'p' }, ['e2', 'e3', 'e4']],
      ['correlationId', { correlationId: 'c1' }, ['e1', 'e2', 'e3']],
      ['since (inclusive)', { since: events[3]!.timestamp }, ['e4', 'e5', 'e6', 'e7']],
      ['until (exclusive)', { until: events[2]!.timestamp }, ['e1', 'e2']],
      ['text in summary, any case', { text: 'stalled' }, ['e5']],
      ['text in component', { text: 'LIST_RF' }, ['e4']],
      ['text in action', { text: 'agent_tu' }, ['e2']],
      ['text in details', { text: 'gemini' }, ['e3']],
      ['tags (all required)', { tags: ['turn', 'model'] }, ['e3']],
      ['combined', { sessionId: 's1', sources: ['agent', 'ai_service', 'tool'], minLevel: 'INFO', tags: ['turn'] }, ['e2', 'e3']],
      ['an injection attempt is just a value', { sessionId: "s1' OR '1'='1" }, []],
      ['a backslash-quote injection is just a value', { sessionId: "s1\\' OR 1 OR '" }, []],
      ['text with LIKE wildcards is literal', { text: '%_' }, []],
    ];
    for (const [name, filter, expected] of filters) {
      it(`filters by ${name} exactly as matchesFilter does`, async () => {
        const got = (await store!.queryEvents(filter)).map((e) => e.event_id);
        expect(got).toEqual(expected);
        expect(got).toEqual(events.filter((e) => matchesFilter(e, filter)).map((e) => e.event_id));
        expect(await store!.countEvents(filter)).toBe(expected.length);
      });
    }

    it('pages with limit, offset and order', async () => {
      expect((await store!.queryEvents({}, { limit: 2, offset: 1 })).map((e) => e.event_id)).toEqual(['e2', 'e3']);
      expect((await store!.queryEvents({}, { offset: 5 })).map((e) => e.event_id)).toEqual(['e6', 'e7']);
      expect((await store!.queryEvents({}, { order: 'desc', limit: 3 })).map((e) => e.event_id)).toEqual(['e7', 'e6', 'e5']);
      await expect(store!.queryEvents({}, { limit: -1 })).rejects.toMatchObject({ code: 'invalid_option' });
    });

    it('streams the same rows in pages, including ties on timestamp', async () => {
      const ties = Array.from({ length: 23 }, (_, i) => eventAt(100 + Math.floor(i / 5), { event_id: `t${String(i).padStart(2, '0')}`, session_id: 's3' }));
      await store!.append(ties);
      const pages: string[][] = [];
      for await (const page of store!.streamEvents({ sessionId: 's3' }, { batchSize: 5 })) pages.push(page.map((e) => e.event_id));
      expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 3]);
      expect(pages.flat()).toEqual(ties.map((e) => e.event_id));
    });

    it('summarizes sessions: counts per source, errors, agents, first/last and duration', async () => {
      const sessions = await store!.listSessions();
      expect(sessions.map((s) => s.session_id)).toEqual(['s1', 's2']);
      expect(sessions[0]).toEqual({
        session_id: 's1',
        first_timestamp: events[0]!.timestamp,
        last_timestamp: eventAt(5030).timestamp, // the tool span starting at 30 ms runs 5 s
        duration_ms: 5030,
        event_count: 4,
        error_count: 1,
        events_per_source: { agent: 1, ai_service: 1, tool: 1, websocket: 1 },
        agents: ['p'],
      });
      expect(sessions[1]).toMatchObject({ event_count: 2, error_count: 1, agents: ['d', 'e'], duration_ms: 10, events_per_source: { agent: 1, session: 1 } });
    });

    it('pages sessions, newest first on request', async () => {
      await store!.append([at(70, { event_id: 'n1', session_id: 's4' }), at(80, { event_id: 'n2', session_id: 's5' })]);
      const ids = async (o: Parameters<Store['listSessions']>[0]) => (await store!.listSessions(o)).map((s) => s.session_id);
      expect(await ids({ order: 'desc', limit: 2 })).toEqual(['s5', 's4']);
      expect(await ids({ order: 'desc', limit: 2, offset: 2 })).toEqual(['s2', 's1']);
      expect(await ids({ limit: 1, offset: 1 })).toEqual(['s2']);
      expect(await ids({ offset: 3 })).toEqual(['s5']);
      expect(await ids({ limit: 0 })).toEqual([]);
      expect(await ids({ idPrefix: 's' })).toEqual(['s1', 's2', 's4', 's5']);
      expect(await ids({ idPrefix: 's2' })).toEqual(['s2']);
      expect(await ids({ idPrefix: "s'" })).toEqual([]);
      expect(await ids({ idPrefix: 's', order: 'desc', limit: 3, offset: 1 })).toEqual(['s4', 's2', 's1']);
      // A page is summarized exactly as the whole listing summarizes the same sessions.
      const all = await store!.listSessions({ order: 'desc' });
      expect(await store!.listSessions({ order: 'desc', limit: 2, offset: 1 })).toEqual(all.slice(1, 3));
      expect(await store!.listSessions({ limit: 3 })).toEqual([...all].reverse().slice(0, 3));
      await expect(store!.listSessions({ offset: -2 })).rejects.toMatchObject({ code: 'invalid_option' });
    });

    it('labels several sessions in one call, as labelFieldsOf reads their first events', async () => {
      const labels = await store!.sessionLabels(['s1', 's2', 'nope']);
      expect([...labels.keys()].sort()).toEqual(['s1', 's2']);
      for (const id of ['s1', 's2']) {
        const first = events.filter((e) => e.session_id === id);
        expect(labels.get(id)).toEqual(labelFromFields(labelFieldsOf(first)));
      }
      expect((await store!.sessionLabels([])).size).toBe(0);
      const bounded = await store!.sessionLabels(['s1', 's2'], { since: events[4]!.timestamp });
      expect([...bounded.keys()]).toEqual(['s2']);
    });

    // Each case: a session's events (details, service, action, summary), and the label expected.
    const labelCases: [string, Partial<DebbieEvent>[], string, boolean][] = [
      [
        'the first non-empty string scenario',
        [{ details: { scenario: '' } }, { details: { scenario: 7 } }, { details: { scenario: 'slow-tool' } }],
        'slow-tool',
        false,
      ],
      ['not a nested scenario', [{ details: { nested: { scenario: 'deep' } }, service_name: 'svc' }], 'svc', false],
      ['quotes and non-ASCII in a scenario', [{ details: { scenario: 'it\'s "quoted" ✓' } }], 'it\'s "quoted" ✓', false],
      [
        'the first user message, without its lead',
        [{ event_summary: 'hello' }, { event_summary: 'ws: user message >> Fix the build ' }, { action: 'user_message', event_summary: 'second' }],
        'Fix the build',
        false,
      ],
      ['a user_message action', [{ action: 'user_message', event_summary: 'Just this' }], 'Just this', false],
      ['not a Unicode case fold of USER MESSAGE', [{ event_summary: 'USER MEſſAGE x' }, { service_name: 'svc' }], 'svc', false],
      ['the first non-empty service', [{ service_name: '' }, { service_name: 'api' }, { service_name: 'other' }], 'api', false],
      ['inferred when every event says so', [{ details: { session_inferred: true }, service_name: 'a' }, { details: { session_inferred: true } }], 'a', true],
      ['not inferred when one event does not', [{ details: { session_inferred: true } }, { details: { session_inferred: 'true' } }], '', false],
      ['from the first 50 events only', [...Array.from({ length: 50 }, () => ({})), { details: { scenario: 'late' } }], '', false],
    ];
    it('labels sessions by scenario, user message, service and the inferred mark, as labelFieldsOf does', async () => {
      const all: DebbieEvent[] = [];
      labelCases.forEach(([, parts], c) => {
        parts.forEach((part, i) =>
          all.push(eventAt(300 + c + i / 100, { event_id: `l${c}-${i}`, session_id: `label-${c}`, action: 'x', event_summary: 'x', ...part })),
        );
      });
      await store!.append(all);
      const labels = await store!.sessionLabels(labelCases.map((_, c) => `label-${c}`));
      labelCases.forEach(([name, , label, inferred], c) => {
        expect({ name, ...labels.get(`label-${c}`) }).toEqual({ name, label, inferred });
        expect(labelFromFields(labelFieldsOf(all.filter((e) => e.session_id === `label-${c}`)))).toEqual({ label, inferred });
      });
    });

    it('returns a correlation group in time order', async () => {
      expect((await store!.correlationGroup('c1')).map((e) => e.event_id)).toEqual(['e1', 'e2', 'e3']);
    });

    it('builds the timeline and the span tree of a stored session', async () => {
      const tl = await store!.timeline('s1', { gapThresholdMs: 1000 });
      expect(tl.entries.map((e) => [e.event.event_id, e.depth])).toEqual([
        ['e1', 0],
        ['e2', 0],
        ['e3', 1],
        ['e4', 1],
      ]);
      expect(tl.duration_ms).toBe(5030);
      const tree = await store!.spanTree('s1');
      expect(tree.map((n) => [n.event.event_id, n.children.map((c) => c.event.event_id)])).toEqual([
        ['e1', []],
        ['e2', ['e3', 'e4']],
      ]);
      await expect(store!.timeline('nope')).rejects.toMatchObject({ code: 'session_not_found' });
      await expect(store!.spanTree('nope')).rejects.toMatchObject({ code: 'session_not_found' });
    });

    it("moves a trace's events from its inferred session to the one a later span named, queued ones included", async () => {
      const trace = 'a'.repeat(32);
      const inferred = (n: number) =>
        eventAt(n, { event_id: `inf-${n}`, session_id: trace, trace_id: trace, details: { session_inferred: true, tool_name: 't' } });
      await store!.append([inferred(1), eventAt(2, { session_id: trace, trace_id: 'b'.repeat(32) })]);
      store!.write(inferred(3));
      expect(await store!.relabelSession(trace, trace, 'chat-42')).toBe(2);
      const moved = await store!.queryEvents({ sessionId: 'chat-42' });
      expect(moved.map((e) => e.event_id)).toEqual(['inf-1', 'inf-3']);
      expect(moved[0]!.details).toEqual({ tool_name: 't' });
      expect(await store!.countEvents({ sessionId: trace })).toBe(1);
      expect(await store!.relabelSession(trace, 'nobody', 'chat-43')).toBe(0);
    });

    it('deletes exactly the named sessions, including events still queued', async () => {
      store!.write(eventAt(4, { session_id: 's2' })); // still in the write queue
      expect(await store!.deleteSessions(['s2', 'never-seen'])).toBe(3);
      expect(await store!.countEvents({ sessionId: 's2' })).toBe(0);
      expect(await store!.countEvents({ sessionId: 's1' })).toBe(4);
      expect(await store!.countEvents({})).toBe(5);
      expect(await store!.deleteSessions([])).toBe(0);
      await store!.append([events[4]!]); // recorded again
      expect(await store!.countEvents({ sessionId: 's2' })).toBe(1);
    });
  });
});
