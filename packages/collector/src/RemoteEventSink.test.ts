import { afterEach, describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent, type EventSink } from '@debbie/model';
import { RemoteEventSink } from './RemoteEventSink.js';
import { startCollector, type RunningCollector } from './startCollector.js';

class CollectingSink implements EventSink {
  events: DebbieEvent[] = [];
  write(e: DebbieEvent): void {
    this.events.push(e);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

let collector: RunningCollector | undefined;
afterEach(async () => {
  await collector?.close();
});

describe('RemoteEventSink → POST /api/events', () => {
  it('delivers events in batches through the collector pipeline (redacted there), counting rejects', async () => {
    const sink = new CollectingSink();
    collector = await startCollector({ port: 0, sinks: [sink] });
    const remote = new RemoteEventSink({ url: collector.url, batchSize: 3 });
    for (let i = 0; i < 7; i++) remote.write(createEvent({ source: 'tool', event_summary: `e${i} password=hunter2`, session_id: 'r' }));
    remote.write({ ...createEvent({ source: 'tool', event_summary: 'bad' }), source: 'nope' as never });
    await remote.forceFlush();
    expect(remote.stats).toEqual({ sent: 7, rejected: 1, dropped: 0, retries: 0 });
    expect(sink.events.map((e) => e.event_summary)).toEqual(Array.from({ length: 7 }, (_, i) => `e${i} password=[REDACTED]`));
  });

  it('counts what it could not deliver and keeps the error, never throwing from write()', async () => {
    const remote = new RemoteEventSink({ url: 'http://127.0.0.1:1', maxQueued: 5 });
    for (let i = 0; i < 8; i++) remote.write(createEvent({ source: 'tool', event_summary: `e${i}` }));
    await remote.forceFlush();
    expect(remote.stats).toEqual({ sent: 0, rejected: 0, dropped: 8, retries: 0 });
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

  it('waits out 503 + Retry-After (the collector is behind) and sends the same batch again: nothing dropped', async () => {
    const { createServer } = await import('node:http');
    let calls = 0;
    const got: string[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        calls += 1;
        if (calls <= 2) {
          res.writeHead(503, { 'Retry-After': '0', 'Content-Type': 'application/json' }).end('{"error":{"code":"unavailable"}}');
          return;
        }
        expect(req.headers['x-debbie-commentary']).toBe('done');
        got.push(...body.split('\n'));
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ accepted: body.split('\n').length, rejected: 0, errors: [] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const remote = new RemoteEventSink({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, commentaryDone: true });
      for (let i = 0; i < 3; i++) remote.write(createEvent({ source: 'tool', event_summary: `e${i}` }));
      await remote.forceFlush();
      expect(remote.stats).toEqual({ sent: 3, rejected: 0, dropped: 0, retries: 2 });
      expect(got).toHaveLength(3);
    } finally {
      server.close();
    }
  });

  it('a batch marked commentary-done is stored but not commented on again by the collector', async () => {
    const seen: DebbieEvent[] = [];
    collector = await startCollector({
      port: 0,
      sinks: [new CollectingSink()],
      commentary: () => ({
        write: (e) => {
          seen.push(e);
        },
        forceFlush: async () => {},
        shutdown: async () => {},
      }),
    });
    const done = new RemoteEventSink({ url: collector.url, commentaryDone: true });
    done.write(createEvent({ source: 'tool', event_summary: 'already commented' }));
    await done.shutdown();
    const fresh = new RemoteEventSink({ url: collector.url });
    fresh.write(createEvent({ source: 'tool', event_summary: 'fresh' }));
    await fresh.shutdown();
    expect(seen.map((e) => e.event_summary)).toEqual(['fresh']);
    expect(collector.stats().pipeline).toMatchObject({ received: 2, commentary_skipped: 1 });
  });
});
