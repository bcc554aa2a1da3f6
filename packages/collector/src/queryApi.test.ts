import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent } from '@debbie/model';
import { openStore, type EventStore } from '@debbie/store';
import { startCollector, type RunningCollector } from './startCollector.js';
import { QueryClient } from './QueryClient.js';
import { OTLP_EXAMPLES } from '../../../test/sharedData.js';

let store: EventStore;
let collector: RunningCollector;
let client: QueryClient;

const at = (s: number) => new Date(Date.UTC(2025, 5, 2, 21, 5, s)).toISOString().replace('Z', '000Z');

function seed(): DebbieEvent[] {
  const events = [
    createEvent({
      timestamp: at(0),
      source: 'session',
      event_summary: 'turn',
      session_id: 's1',
      event_id: 'e1',
      duration_ms: 5000,
      kind: 'span',
      span_id: 'aaaaaaaaaaaaaaa1',
      trace_id: 'b'.repeat(32),
    }),
    createEvent({
      timestamp: at(1),
      source: 'tool',
      event_summary: 'list_rfcs',
      session_id: 's1',
      event_id: 'e2',
      parent_id: 'e1',
      correlation_id: 'c1',
      duration_ms: 10,
      details: { tool_name: 'list_rfcs' },
    }),
    createEvent({
      timestamp: at(40),
      source: 'agent',
      level: 'ERROR',
      event_summary: 'call failed with Authorization: Bearer abcdefghijklmnopqrstuvwxyz',
      session_id: 's1',
      event_id: 'e3',
      correlation_id: 'c1',
    }),
    createEvent({ timestamp: at(2), source: 'server', event_summary: 'other session', session_id: 's2', event_id: 'e4' }),
  ];
  return events;
}

beforeEach(async () => {
  store = await openStore(':memory:');
  collector = await startCollector({ port: 0, store, maxPageSize: 2 });
  client = new QueryClient({ url: collector.url });
  for (const e of seed()) collector.pipeline.write(e);
  await collector.flush();
});
afterEach(async () => {
  await collector.close();
});

describe('query API and QueryClient over the real store', () => {
  it('lists sessions', async () => {
    const sessions = await client.listSessions();
    expect(sessions.map((s) => s.session_id).sort()).toEqual(['s1', 's2']);
    expect(sessions.find((s) => s.session_id === 's1')).toMatchObject({ event_count: 3, error_count: 1 });
  });

  it('queries events with filters, paging past the server page size, in either order', async () => {
    const all = await client.queryEvents({ sessionId: 's1' });
    expect(all.map((e) => e.event_id)).toEqual(['e1', 'e2', 'e3']);
    const desc = await client.queryEvents({}, { order: 'desc', limit: 3 });
    expect(desc.map((e) => e.event_id)).toEqual(['e3', 'e4', 'e2']);
    const tools = await client.queryEvents({ sources: ['tool'] });
    expect(tools[0]!.details.tool_name).toBe('list_rfcs');
    expect(await client.countEvents({ minLevel: 'ERROR' })).toBe(1);
  });

  it('stored events were redacted by the pipeline', async () => {
    const [err] = await client.queryEvents({ levels: ['ERROR'] });
    expect(err!.event_summary).not.toContain('abcdefghijklmnop');
  });

  it('streams events as NDJSON in batches', async () => {
    const batches: string[][] = [];
    for await (const b of client.streamEvents({}, { batchSize: 3 })) batches.push(b.map((e) => e.event_id));
    expect(batches.map((b) => b.length)).toEqual([3, 1]);
    const cut = await fetch(`${collector.url}/api/events?format=ndjson&offset=1&limit=2`);
    expect(
      (await cut.text())
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { event_id: string }).event_id),
    ).toEqual(['e2', 'e4']);
    expect((await fetch(`${collector.url}/api/events?format=ndjson&order=desc`)).status).toBe(400);
  });

  it('serves a correlation group, a timeline with its gap, and the span tree', async () => {
    expect((await client.correlationGroup('c1')).map((e) => e.event_id)).toEqual(['e2', 'e3']);
    const timeline = await client.timeline('s1', { gapThresholdMs: 10_000 });
    expect(timeline.entries).toHaveLength(3);
    expect(timeline.gaps[0]!.before_event_id).toBe('e3');
    const tree = await client.spanTree('s1');
    expect(tree.find((n) => n.event.event_id === 'e1')!.children.map((c) => c.event.event_id)).toContain('e2');
  });

  it('answers a bad filter with a clear JSON error that the client rethrows', async () => {
    const res = await fetch(`${collector.url}/api/events?level=LOUD`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_filter' } });
    await expect(client.queryEvents({ levels: ['LOUD' as never] })).rejects.toThrow(/unknown level "LOUD"/);
    const bad = await fetch(`${collector.url}/api/events?limit=-1`);
    expect(bad.status).toBe(400);
    expect((await fetch(`${collector.url}/api/nope`)).status).toBe(404);
  });

  it('reports an unreachable collector clearly', async () => {
    const gone = new QueryClient({ url: 'http://127.0.0.1:1' });
    await expect(gone.listSessions()).rejects.toThrow(/cannot reach the collector/);
  });
});

describe('OTLP JSON examples of the specification', () => {
  const dir = OTLP_EXAMPLES;
  it('ingests trace.json, logs.json, events.json and the Jaeger fixture', async () => {
    const send = async (path: string, file: string) => {
      const res = await fetch(`${collector.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: readFileSync(`${dir}/${file}`),
      });
      expect(res.status).toBe(200);
      return res.json();
    };
    expect(await send('/v1/traces', 'opentelemetry-proto/examples/trace.json')).toEqual({});
    expect(await send('/v1/logs', 'opentelemetry-proto/examples/logs.json')).toEqual({});
    expect(await send('/v1/logs', 'opentelemetry-proto/examples/events.json')).toEqual({});
    expect(await send('/v1/traces', 'jaeger/cmd/jaeger/internal/extension/jaegerquery/internal/fixture/otlp2jaeger-in.json')).toEqual({});
    await collector.flush();
    const span = (await client.queryEvents({ text: "I'm a server span" }))[0]!;
    expect(span).toMatchObject({
      trace_id: '5b8efff798038103d269b633813fc60c',
      span_id: 'eee19b7ec3c1b174',
      parent_span_id: 'eee19b7ec3c1b173',
      timestamp: '2018-12-13T14:51:00.000000Z',
      duration_ms: 1000,
      service_name: 'my.service',
      kind: 'span',
    });
    expect(span.details['my.span.attr']).toBe('some value');
    const log = (await client.queryEvents({ text: 'Example log record' }))[0]!;
    expect(log).toMatchObject({ level: 'INFO', timestamp: '2018-12-13T14:51:00.300000Z', trace_id: '5b8efff798038103d269b633813fc60c' });
    expect(log.details).toMatchObject({
      'int.attribute': 10,
      'double.attribute': 637.704,
      'array.attribute': ['many', 'values'],
      'map.attribute': { 'some.map.key': 'some value' },
    });
    const pageView = (await client.queryEvents({ text: 'guidgenerator' }))[0]!;
    expect(pageView.action).toBe('browser.page_view');
    // The fixture sends the same span (trace e127…, span id and start) twice: the store keeps it once.
    expect(await client.countEvents({ text: 'okey-dokey-0' })).toBe(1);
  });
});
