import { afterEach, describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent, type EventSink } from '@debbie/model';
import { RemoteEventSink } from './RemoteEventSink.js';
import { startCollector, type RunningCollector } from './startCollector.js';

class CollectingSink implements EventSink {
  events: DebbieEvent[] = [];
  write(e: DebbieEvent): void { this.events.push(e); }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

let collector: RunningCollector | undefined;
afterEach(async () => { await collector?.close(); });

describe('RemoteEventSink → POST /api/events', () => {
  it('delivers events in batches through the collector pipeline (redacted there), counting rejects', async () => {
    const sink = new CollectingSink();
    collector = await startCollector({ port: 0, sinks: [sink] });
    const remote = new RemoteEventSink({ url: collector.url, batchSize: 3 });
    for (let i = 0; i < 7; i++) remote.write(createEvent({ source: 'tool', event_summary: `e${i} password=hunter2`, session_id: 'r' }));
    remote.write({ ...createEvent({ source: 'tool', event_summary: 'bad' }), source: 'nope' as never });
    await remote.forceFlush();
    expect(remote.stats).toEqual({ sent: 7, rejected: 1, dropped: 0 });
    expect(sink.events.map((e) => e.event_summary)).toEqual(Array.from({ length: 7 }, (_, i) => `e${i} password=[REDACTED]`));
  });

  it('counts what it could not deliver and keeps the error, never throwing from write()', async () => {
    const remote = new RemoteEventSink({ url: 'http://127.0.0.1:1', maxQueued: 5 });
    for (let i = 0; i < 8; i++) remote.write(createEvent({ source: 'tool', event_summary: `e${i}` }));
    await remote.forceFlush();
    expect(remote.stats).toEqual({ sent: 0, rejected: 0, dropped: 8 });
    expect(remote.lastError?.message).toMatch(/cannot reach the collector/);
  });

  it('the endpoint rejects a body that is not NDJSON or a JSON array with a clear error', async () => {
    collector = await startCollector({ port: 0, sinks: [new CollectingSink()] });
    const res = await fetch(`${collector.url}/api/events`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { message: 'body must be a JSON array of DebbieEvents' } });
    const ndjson = await fetch(`${collector.url}/api/events`, { method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: 'nope\n' });
    expect(await ndjson.json()).toMatchObject({ accepted: 0, rejected: 1, errors: [expect.stringMatching(/^line 1: not JSON/)] });
  });
});
