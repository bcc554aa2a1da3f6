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
    attributes: [{ key: 'session.id', value: { stringValue: 'flood' } }, { key: 'pad', value: { stringValue: 'x'.repeat(pad) } }],
  }));
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

describe('collector under a flood', () => {
  it('bounds the bytes held in flight: excess requests get 503 + Retry-After and are counted, accepted ones are all stored', async () => {
    store = await openStore(':memory:');
    // A slow sender holds nearly all the budget: its body arrives in two halves.
    const slowBody = Buffer.from(spansRequest(40, 100_000, 10_000));
    const limit = slowBody.length + 1024;
    collector = await startCollector({ port: 0, store, maxInflightBytes: limit });
    const { port } = new URL(collector.url);
    const slow = request({ host: '127.0.0.1', port: Number(port), path: '/v1/traces', method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': String(slowBody.length) } });
    const slowStatus = new Promise<number>((resolve, reject) => {
      slow.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      slow.on('error', reject);
    });
    slow.write(slowBody.subarray(0, slowBody.length >> 1));
    while (collector.stats().receiver.peak_inflight_bytes === 0) await new Promise((r) => setTimeout(r, 5));
    // The flood: every request that would pass the budget is refused, counted, and costs nothing.
    const body = spansRequest(20, 0, 5000); // ~100 KiB each
    const flood = 50;
    const statuses = await Promise.all(Array.from({ length: flood }, async () => {
      const res = await fetch(`${collector!.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      if (res.status === 503) expect(res.headers.get('retry-after')).toBe('1');
      await res.arrayBuffer();
      return res.status;
    }));
    expect(statuses.filter((s) => s !== 503)).toEqual([]);
    slow.end(slowBody.subarray(slowBody.length >> 1));
    expect(await slowStatus).toBe(200);
    // With the budget free again, senders retrying get through.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: spansRequest(20, 1000 * (i + 1), 5000) });
      expect(res.status).toBe(200);
    }
    const stats = collector.stats();
    expect(stats.receiver.requests_throttled).toBe(flood);
    expect(stats.receiver.peak_inflight_bytes).toBeLessThanOrEqual(limit);
    expect(stats.receiver.spans_accepted).toBe(40 + 5 * 20);
    await collector.flush();
    expect(await store.countEvents({ sessionId: 'flood' })).toBe(40 + 5 * 20);
  });

  it("counts what the store's bounded queue drops when events arrive faster than it writes", async () => {
    store = await openStore(':memory:', { maxQueuedEvents: 1000 });
    collector = await startCollector({ port: 0, store });
    const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: spansRequest(5000, 0) });
    expect(res.status).toBe(200);
    await collector.flush();
    const s = collector.stats().store as { appended: number; dropped: number };
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.appended + s.dropped).toBe(5000);
    expect(await store.countEvents({})).toBe(s.appended);
  });
});
