import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent } from '@debbie/model';
import { LogStreamer, StreamClient, startStreamServer } from '@debbie/stream';

// A flood through the stream: memory stays bounded by the configured limits (replay buffer,
// per-subscriber queue, per-socket bytes) and every event is accounted for as delivered,
// queued or dropped.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMiB = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

let n = 0;
/** ~1.4 KB of JSON per event, each with its own 1,000-character string (as from a real producer). */
const flood = (): DebbieEvent => createEvent({ source: 'tool', event_summary: `flood ${++n}`, details: { payload: String(n).padEnd(1000, 'x') } });

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('stream flood', () => {
  it('in process: 200k events (~280 MB) against a stalled subscriber keep the heap bounded and count every drop', async () => {
    const streamer = new LogStreamer({ bufferSize: 10_000 });
    const stalled = streamer.subscribe({}, { maxQueue: 1000 });
    const reader = streamer.subscribe({}, { maxQueue: 1000 });
    let read = 0;
    const reading = (async () => {
      for await (const _e of reader) read += 1;
    })();
    const before = heapMiB();
    const total = 200_000;
    for (let i = 0; i < total; i += 1) {
      streamer.write(flood());
      if (i % 500 === 499) await new Promise((r) => setImmediate(r)); // let the reader run, as a server would
    }
    const after = heapMiB();
    const stats = streamer.stats();
    expect(stats.emitted).toBe(total);
    expect(stats.buffered).toBe(10_000);
    expect(stalled.queued).toBe(1000);
    expect(stalled.dropped).toBe(total - 1000);
    // The reader kept up, or what it missed is counted: nothing vanishes.
    expect(read + reader.queued + reader.dropped).toBe(total);
    // Retained: 10k buffered + ≤ 2×1000 queued events ≈ 12k × ~2.3 KB in memory ≈ 28 MiB; the flood was ~10× that.
    console.log(`in-process flood: heap +${(after - before).toFixed(1)} MiB`);
    expect(after - before).toBeLessThan(60);
    await streamer.shutdown();
    await reading;
  });

  it('over WebSocket: a client that stops reading costs bounded memory and its drops are counted and reported', async () => {
    const streamer = new LogStreamer({ bufferSize: 1000 });
    const maxQueue = 500;
    const maxBufferedBytes = 256 * 1024;
    const server = await startStreamServer({ streamer, port: 0, maxQueue, maxBufferedBytes });
    cleanups.push(() => server.close());
    // Not iterated yet, the client holds at most 100 events, then stops reading its socket.
    let reportedDropped = 0;
    const client = new StreamClient({
      url: server.url,
      replay: false,
      maxQueue: 100,
      onDropped: (d) => {
        reportedDropped = d;
      },
    });
    cleanups.push(() => client.close());
    await client.connect();
    while (server.stats().clients.length < 1) await new Promise((r) => setTimeout(r, 5));

    const before = heapMiB();
    const total = 100_000;
    let maxQueued = 0;
    let maxBuffered = 0;
    for (let i = 0; i < total; i += 1) {
      streamer.write(flood());
      if (i % 500 === 499) {
        await new Promise((r) => setImmediate(r));
        const [c] = server.stats().clients;
        maxQueued = Math.max(maxQueued, c!.queued);
        maxBuffered = Math.max(maxBuffered, c!.bufferedAmount);
      }
    }
    const after = heapMiB();
    const [onServer] = server.stats().clients;
    expect(maxQueued).toBeLessThanOrEqual(maxQueue);
    expect(maxBuffered).toBeLessThanOrEqual(maxBufferedBytes + 2048); // the limit plus the message that crossed it
    expect(onServer!.dropped).toBeGreaterThan(total / 2);
    expect(onServer!.delivered + onServer!.queued + onServer!.dropped).toBe(total);
    console.log(`websocket flood: heap +${(after - before).toFixed(1)} MiB`);
    expect(after - before).toBeLessThan(40);

    // Reading again, the client gets what was kept and, when the stream ends, the final drop count.
    const dropped = onServer!.dropped;
    await streamer.shutdown();
    let events = 0;
    for await (const _e of client) events += 1;
    expect(reportedDropped).toBe(dropped);
    expect(client.droppedByServer).toBe(dropped);
    expect(events + client.droppedLocally + reportedDropped).toBe(total);
  });
});
