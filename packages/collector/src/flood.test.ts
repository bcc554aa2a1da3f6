import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type EventStore } from '@debbie/store';
import { startCollector, type RunningCollector } from './startCollector.js';

let collector: RunningCollector | undefined;
let store: EventStore | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

function spansRequest(n: number, offset: number, pad = 0): string {
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: (offset + i + 1).toString(16).padStart(32, '0'),
    spanId: (offset + i + 1).toString(16).padStart(16, '0'),
    name: 'flood',
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000001000000',
    attributes: [
      { key: 'session.id', value: { stringValue: 'flood' } },
      { key: 'pad', value: { stringValue: 'x'.repeat(pad) } },
    ],
  }));
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

describe('collector under a flood', () => {
  it('bounds the bytes received and not yet answered: excess requests get 503 + Retry-After and are counted, accepted ones are all stored', async () => {
    store = await openStore(':memory:');
    // A slow sender holds nearly all the budget: all of its body but the last byte has arrived.
    const slowBody = Buffer.from(spansRequest(40, 100_000, 10_000));
    const limit = slowBody.length + 1024;
    collector = await startCollector({ port: 0, store, maxInflightBytes: limit });
    const { port } = new URL(collector.url);
    const slow = request({
      host: '127.0.0.1',
      port: Number(port),
      path: '/v1/traces',
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': String(slowBody.length) },
    });
    const slowStatus = new Promise<number>((resolve, reject) => {
      slow.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      slow.on('error', reject);
    });
    slow.write(slowBody.subarray(0, slowBody.length - 1));
    while (collector.stats().receiver.peak_inflight_bytes < slowBody.length - 1) await new Promise((r) => setTimeout(r, 5));
    // The flood: every request that would pass the budget is refused, counted, and costs nothing.
    const body = spansRequest(20, 0, 5000); // ~100 KiB each
    const flood = 50;
    const statuses = await Promise.all(
      Array.from({ length: flood }, async () => {
        const res = await fetch(`${collector!.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
        if (res.status === 503) expect(res.headers.get('retry-after')).toBe('1');
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s !== 503)).toEqual([]);
    slow.end(slowBody.subarray(slowBody.length - 1));
    expect(await slowStatus).toBe(200);
    // With the budget free again, senders retrying get through.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: spansRequest(20, 1000 * (i + 1), 5000),
      });
      expect(res.status).toBe(200);
    }
    const stats = collector.stats();
    expect(stats.receiver.requests_throttled).toBe(flood);
    expect(stats.receiver.peak_inflight_bytes).toBeLessThanOrEqual(limit + 64 * 1024); // + at most one chunk of a refused request
    expect(stats.receiver.spans_accepted).toBe(40 + 5 * 20);
    expect(await store.countEvents({ sessionId: 'flood' })).toBe(40 + 5 * 20);
  });

  it('answers 200 only once a request is committed, and 503 + Retry-After (accepting nothing) while the store is behind', async () => {
    const real = await openStore(':memory:');
    store = real;
    let open!: () => void;
    const gate = new Promise<void>((r) => {
      open = r;
    });
    // The store is stuck until the gate opens: what waits for it is bounded by maxPendingEvents.
    const slowStore = {
      append: async (events: Parameters<typeof real.append>[0]) => {
        await gate;
        return real.append(events);
      },
      forceFlush: () => real.forceFlush(),
      shutdown: () => real.shutdown(),
      listSessions: () => real.listSessions(),
      queryEvents: real.queryEvents.bind(real),
    };
    collector = await startCollector({ port: 0, store: slowStore, maxPendingEvents: 500 });
    let answered = 0;
    const first = fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: spansRequest(300, 0) }).then(
      (res) => {
        answered += 1;
        return res.status;
      },
    );
    while (collector.stats().pipeline.store_pending === 0) await new Promise((r) => setTimeout(r, 5));
    const second = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: spansRequest(300, 300) });
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toMatch(/^[123]$/); // spread, so refused senders do not return together
    expect(answered).toBe(0); // the first is not acknowledged before its commit
    open();
    expect(await first).toBe(200);
    expect(await real.countEvents({})).toBe(300);
    expect(collector.stats().pipeline).toMatchObject({ received: 300, stored: 300, refused: 300 });
  });
});
