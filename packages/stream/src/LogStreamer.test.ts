import { describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent, type DebbieEventInit } from '@debbie/model';
import { LogStreamer } from './LogStreamer.js';

let n = 0;
function ev(init: Partial<DebbieEventInit> = {}): DebbieEvent {
  n += 1;
  return createEvent({ source: 'agent', event_summary: `event ${n}`, ...init });
}

async function take<T>(it: AsyncIterator<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < count) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('LogStreamer', () => {
  it('delivers only the events that pass the subscriber filter', async () => {
    const streamer = new LogStreamer();
    const tools = streamer.subscribe({ sources: ['tool'] });
    const errors = streamer.subscribe({ minLevel: 'ERROR', sessionId: 's1' });
    streamer.write(ev({ source: 'tool', event_summary: 'tool ok' }));
    streamer.write(ev({ source: 'agent', level: 'ERROR', session_id: 's1', event_summary: 'agent failed' }));
    streamer.write(ev({ source: 'tool', level: 'CRITICAL', session_id: 's2', event_summary: 'tool crashed elsewhere' }));
    expect((await take(tools, 2)).map((e) => e.event_summary)).toEqual(['tool ok', 'tool crashed elsewhere']);
    expect((await take(errors, 1)).map((e) => e.event_summary)).toEqual(['agent failed']);
    expect(errors.queued).toBe(0);
  });

  it('replays the buffered matching events on subscribe, then follows live', async () => {
    const streamer = new LogStreamer({ bufferSize: 3 });
    for (const s of ['a', 'b', 'c', 'd']) streamer.write(ev({ event_summary: s }));
    const sub = streamer.subscribe({});
    streamer.write(ev({ event_summary: 'e' }));
    expect((await take(sub, 4)).map((e) => e.event_summary)).toEqual(['b', 'c', 'd', 'e']);
    const live = streamer.subscribe({}, { replay: false });
    const next = live.next();
    streamer.write(ev({ event_summary: 'f' }));
    expect((await next).value?.event_summary).toBe('f');
  });

  it('resolves a pending next() with the next live event without queueing it', async () => {
    const streamer = new LogStreamer();
    const sub = streamer.subscribe({}, { replay: false });
    const pending = sub.next();
    const event = ev();
    streamer.write(event);
    expect((await pending).value).toBe(event);
    expect(sub.delivered).toBe(1);
  });

  it('unsubscribes when the for-await loop breaks, and a pending next() ends on return()', async () => {
    const streamer = new LogStreamer();
    streamer.write(ev());
    streamer.write(ev());
    for await (const _event of streamer.subscribe({})) break;
    expect(streamer.stats().subscribers).toHaveLength(0);

    const sub = streamer.subscribe({}, { replay: false });
    const pending = sub.next();
    await sub.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(sub.closed).toBe(true);
    streamer.write(ev());
    expect((await sub.next()).done).toBe(true);
    expect(streamer.stats().subscribers).toHaveLength(0);
  });

  it('closes a subscription when its AbortSignal aborts', async () => {
    const streamer = new LogStreamer();
    const controller = new AbortController();
    const sub = streamer.subscribe({}, { signal: controller.signal });
    const pending = sub.next();
    controller.abort();
    expect((await pending).done).toBe(true);
    expect(streamer.stats().subscribers).toHaveLength(0);
  });

  it('drops the oldest events of a slow subscriber, counts them, and never blocks the producer', async () => {
    const streamer = new LogStreamer({ bufferSize: 100 });
    const slow = streamer.subscribe({}, { maxQueue: 10 });
    const fast = streamer.subscribe({}, { maxQueue: 1000 });
    const written: DebbieEvent[] = [];
    for (let i = 0; i < 250; i += 1) {
      const e = ev({ event_summary: `#${i}` });
      written.push(e);
      streamer.write(e);
    }
    expect(slow.dropped).toBe(240);
    expect(slow.queued).toBe(10);
    expect((await take(slow, 10)).map((e) => e.event_summary)).toEqual(written.slice(240).map((e) => e.event_summary));
    expect(fast.dropped).toBe(0);
    expect(await take(fast, 250)).toHaveLength(250);
    const stats = streamer.stats();
    expect(stats.emitted).toBe(250);
    expect(stats.buffered).toBe(100);
    expect(stats.subscribers.map((s) => [s.id, s.dropped])).toEqual([
      [slow.id, 240],
      [fast.id, 0],
    ]);
    expect(stats.dropped).toBe(240);
    slow.close();
    expect(streamer.stats().dropped).toBe(240); // drops of a gone subscriber stay counted
  });

  it('counts replayed events that do not fit the subscriber queue as dropped', () => {
    const streamer = new LogStreamer({ bufferSize: 50 });
    for (let i = 0; i < 50; i += 1) streamer.write(ev());
    const sub = streamer.subscribe({}, { maxQueue: 20 });
    expect(sub.queued).toBe(20);
    expect(sub.dropped).toBe(30);
  });

  it('ends iterators after the queued events on shutdown and ignores later writes', async () => {
    const streamer = new LogStreamer();
    const sub = streamer.subscribe({}, { replay: false });
    streamer.write(ev({ event_summary: 'last' }));
    await streamer.shutdown();
    streamer.write(ev());
    expect((await take(sub, 5)).map((e) => e.event_summary)).toEqual(['last']);
    expect(streamer.stats().rejected).toBe(1);
    expect(() => streamer.subscribe({})).toThrow(/shut down/);
  });

  it('refuses bad options and too many subscribers with clear errors', () => {
    expect(() => new LogStreamer({ bufferSize: 0 })).toThrow(/bufferSize must be a positive integer, got 0/);
    const streamer = new LogStreamer({ maxSubscribers: 1 });
    expect(() => streamer.subscribe({}, { maxQueue: -1 })).toThrow(/maxQueue must be a positive integer/);
    streamer.subscribe({});
    expect(() => streamer.subscribe({})).toThrow(/maxSubscribers 1/);
  });

  it('returns the buffered events that pass a filter from snapshot()', () => {
    const streamer = new LogStreamer();
    streamer.write(ev({ source: 'tool' }));
    streamer.write(ev({ source: 'agent' }));
    expect(streamer.snapshot({ sources: ['tool'] }).map((e) => e.source)).toEqual(['tool']);
  });
});
