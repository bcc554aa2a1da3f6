import { afterEach, describe, expect, it } from 'vitest';
import type { DebbieEvent } from '@debbie/model';
import { startCollector, type RunningCollector } from '@debbie/collector';
import { openStore } from '@debbie/store';
import { makeSpans, OtelSender } from './otelSender.js';

// Promise checked: backpressure, not loss. When the store cannot keep up the receiver answers
// 503 + Retry-After (never 2xx for what it may drop); the official OTel exporter retries, and in
// the end every span it was told was accepted is stored, each once.
let collector: RunningCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

describe('overload with the official OTel exporter as sender', () => {
  it('answers 503 + Retry-After while the store is behind; the exporter retries; every acknowledged span is stored once', async () => {
    const real = await openStore(':memory:');
    // A store that cannot write until the collector has had to refuse someone, then keeps up.
    let overloaded = false;
    const slowStore = {
      append: async (events: readonly DebbieEvent[]) => {
        while (!overloaded) {
          overloaded = (collector?.stats().receiver.requests_throttled ?? 0) > 0;
          await new Promise((r) => setTimeout(r, 20));
        }
        await real.append(events);
      },
      forceFlush: () => real.forceFlush(),
      shutdown: () => real.shutdown(),
      listSessions: () => real.listSessions(),
      queryEvents: real.queryEvents.bind(real),
    };
    collector = await startCollector({ port: 0, store: slowStore, maxPendingEvents: 1000 });
    const senders = Array.from({ length: 6 }, () => new OtelSender(collector!.url, 30_000));
    await Promise.all(
      senders.map(async (sender, s) => {
        for (let b = 0; b < 5; b++) await sender.send(makeSpans(400, `s${s}b${b}`));
      }),
    );
    for (const s of senders) await s.exporter.shutdown();
    const acknowledged = senders.reduce((n, s) => n + s.acknowledged.size, 0);
    const stats = collector.stats();
    expect(stats.receiver.requests_throttled).toBeGreaterThan(0); // the overload happened and was answered 503
    expect(senders.reduce((n, s) => n + s.failed, 0)).toBe(0); // the exporter's retries delivered the rest
    expect(acknowledged).toBe(6 * 5 * 400);
    await collector.flush();
    const spanIds: string[] = [];
    for await (const page of real.streamEvents({})) for (const e of page) spanIds.push(e.span_id!);
    expect(spanIds).toHaveLength(acknowledged);
    expect(new Set(spanIds).size).toBe(acknowledged);
    expect(stats.pipeline.store_failed + stats.pipeline.store_dropped).toBe(0);
  }, 120_000);
});
