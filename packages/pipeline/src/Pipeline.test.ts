import { describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent, type EventSink } from '@debbie/model';
import { cleanEvent, createPipeline, PipelineUnavailableError } from './index.js';

class FakeStore {
  rows: DebbieEvent[] = [];
  appends = 0;
  fail: Error | undefined;
  gate: Promise<void> = Promise.resolve();
  async append(events: readonly DebbieEvent[]): Promise<void> {
    await this.gate;
    this.appends += 1;
    if (this.fail) throw this.fail;
    this.rows.push(...events);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

class Collect implements EventSink {
  events: DebbieEvent[] = [];
  write(e: DebbieEvent): void {
    this.events.push(e);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

const ev = (message: string, extra: Partial<DebbieEvent> = {}) => createEvent({ source: 'agent', event_summary: message, session_id: 's1', ...extra });

describe('Pipeline', () => {
  it('redacts once at the entrance: the store, the sinks and the commentary all get the masked event', async () => {
    const store = new FakeStore();
    const sink = new Collect();
    const seen = new Collect();
    const p = createPipeline({ store, sinks: [{ name: 'stream', sink }], commentary: () => seen });
    await p.writeBatch([ev('calling with api_key=sk-abcdefghijklmnopqrstuvwx')]);
    for (const got of [store.rows[0]!, sink.events[0]!, seen.events[0]!]) {
      expect(got.event_summary).not.toContain('sk-abcdefghijklmnopqrstuvwx');
    }
    expect(p.stats()).toMatchObject({ received: 1, stored: 1 });
  });

  it('comments go to the store and sinks once and are never commented on; batches marked done skip the commentary', async () => {
    const store = new FakeStore();
    const sink = new Collect();
    const seen: DebbieEvent[] = [];
    const p = createPipeline({
      store,
      sinks: [sink],
      commentary: (emit) => ({
        write(e) {
          seen.push(e);
          if (e.event_summary === 'stall') emit(ev('you seem stuck', { source: 'debbie_comment' }));
        },
        async forceFlush() {},
        async shutdown() {},
      }),
    });
    await p.writeBatch([ev('stall')]);
    await p.writeBatch([ev('stall'), ev('earlier comment', { source: 'debbie_comment' })], { commentaryDone: true });
    await p.forceFlush();
    expect(seen.map((e) => e.event_summary)).toEqual(['stall']);
    expect(store.rows.map((e) => e.event_summary).sort()).toEqual(['earlier comment', 'stall', 'stall', 'you seem stuck']);
    expect(sink.events).toHaveLength(4);
    expect(p.stats()).toMatchObject({ received: 3, comments: 1, commentary_skipped: 2, stored: 4 });
  });

  it('an empty batch (every item rejected by the decoder) is acknowledged at once', async () => {
    const p = createPipeline({ store: new FakeStore() });
    await p.writeBatch([]);
    expect(p.stats().stored).toBe(0);
  });

  it('groups concurrent batches into one commit and acknowledges only after it', async () => {
    const store = new FakeStore();
    let open!: () => void;
    store.gate = new Promise((r) => {
      open = r;
    });
    const p = createPipeline({ store });
    let acked = 0;
    const batches = Array.from({ length: 5 }, (_, i) =>
      p.writeBatch([ev(`b${i}`)]).then(() => {
        acked += 1;
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(acked).toBe(0);
    open();
    await Promise.all(batches);
    expect(acked).toBe(5);
    expect(store.appends).toBe(1);
  });

  it('refuses a batch (accepting nothing) while the store is behind, and takes it once there is room', async () => {
    const store = new FakeStore();
    let open!: () => void;
    store.gate = new Promise((r) => {
      open = r;
    });
    const p = createPipeline({ store, maxPendingEvents: 3 });
    const first = p.writeBatch([ev('a'), ev('b')]);
    await expect(p.writeBatch([ev('c'), ev('d')])).rejects.toBeInstanceOf(PipelineUnavailableError);
    expect(p.stats()).toMatchObject({ received: 2, refused: 2 });
    open();
    await first;
    await p.writeBatch([ev('c'), ev('d')]);
    expect(store.rows).toHaveLength(4);
  });

  it('a failed commit rejects its batches, refuses new ones while it lasts, and recovers', async () => {
    const store = new FakeStore();
    const errors: string[] = [];
    const p = createPipeline({ store, onError: (e, where) => errors.push(`${where}: ${e.message}`) });
    store.fail = new Error('No space left on device');
    await expect(p.writeBatch([ev('a')])).rejects.toThrow(/No space left/);
    expect(() => p.checkAvailable(1)).toThrow(PipelineUnavailableError);
    await expect(p.ready()).rejects.toThrow(/No space left/);
    expect(p.stats()).toMatchObject({ refused: 2, store_failed: 0, store_error: 'No space left on device' }); // the failed batch and the one checkAvailable refused
    p.submit(ev('unwaited')); // nobody waits for it and the store is failing: dropped, a loss
    expect(p.stats().store_dropped).toBe(1);
    expect(errors).toEqual(['store: No space left on device']);
    store.fail = undefined;
    await new Promise((r) => setTimeout(r, 1100));
    await p.writeBatch([ev('b')]);
    expect(p.stats()).toMatchObject({ stored: 1, store_error: null });
    expect(p.lost()).toBe(1);
  });

  it('a throwing sink is counted and reported; the other sinks and the store still get the event', async () => {
    const store = new FakeStore();
    const good = new Collect();
    const errors: string[] = [];
    const bad: EventSink = {
      write() {
        throw new Error('boom');
      },
      async forceFlush() {},
      async shutdown() {},
    };
    const p = createPipeline({ store, sinks: [{ name: 'bad', sink: bad }, good], onError: (e, w) => errors.push(`${w}: ${e.message}`) });
    await p.writeBatch([ev('a'), ev('b')]);
    expect(good.events).toHaveLength(2);
    expect(store.rows).toHaveLength(2);
    expect(p.stats().sink_errors).toBe(2);
    expect(errors).toEqual(['bad: boom']); // reported at most once a second per sink
  });

  it('submit (the SDK path) returns the masked event and stores it without waiting', async () => {
    const store = new FakeStore();
    const p = createPipeline({ store });
    const out = p.submit(ev('password=hunter2hunter2'));
    expect(out?.event_summary).not.toContain('hunter2hunter2');
    await p.forceFlush();
    expect(store.rows).toHaveLength(1);
  });
});

describe('Pipeline: batches encoded elsewhere (ingest workers)', () => {
  class EncodedStore extends FakeStore {
    encoded: { count: number; tag: string }[] = [];
    async appendEncoded(batches: readonly { count: number; tag: string }[]): Promise<void> {
      await this.gate;
      if (this.fail) throw this.fail;
      this.encoded.push(...batches);
    }
  }

  it('accepts them only when the store is the only taker, counts them as received and stored, and commits them with events', async () => {
    const store = new EncodedStore();
    expect(createPipeline({ store: new FakeStore() }).acceptsEncoded).toBe(false); // the store cannot take them
    expect(createPipeline({ store, sinks: [new Collect()] }).acceptsEncoded).toBe(false); // a sink needs the events
    const p = createPipeline({ store, sessionKeys: ['conv'] });
    expect(p.acceptsEncoded).toBe(true);
    expect(p.cleaning).toEqual({ redact: true, sessionKeys: ['conv'] });
    p.writeEncoded({ count: 3, tag: 'a' } as { count: number });
    p.write(ev('one event'));
    p.writeEncoded({ count: 2, tag: 'b' } as { count: number });
    await p.forceFlush();
    expect(store.encoded.map((b) => b.tag)).toEqual(['a', 'b']);
    expect(store.rows).toHaveLength(1);
    expect(p.stats()).toMatchObject({ received: 6, stored: 6, store_failed: 0 });
    expect(p.lost()).toBe(0);
  });

  it('counts a failed encoded commit as lost (store_failed), never as stored', async () => {
    const store = new EncodedStore();
    store.fail = new Error('disk full');
    const p = createPipeline({ store });
    p.writeEncoded({ count: 4 });
    await p.forceFlush();
    expect(p.stats()).toMatchObject({ received: 4, stored: 0, store_failed: 4 });
    expect(p.lost()).toBe(4);
  });

  it('learns a trace session named elsewhere: later keyless spans of the trace take it', async () => {
    const store = new EncodedStore();
    const p = createPipeline({ store });
    p.noteTraceSession('t'.repeat(32), 'named-session');
    await p.writeBatch([createEvent({ source: 'agent', event_summary: 'child', kind: 'span', trace_id: 't'.repeat(32) })]);
    expect(store.rows[0]!.session_id).toBe('named-session');
  });
});

describe('cleanEvent', () => {
  it('converts and redacts once, as the pipeline does', () => {
    const e = cleanEvent(ev('token=abcdefghijklmnopqrstuvwxyz012345'), {}, true);
    expect(e.event_summary).not.toContain('abcdefghijklmnopqrstuvwxyz012345');
    expect(cleanEvent(ev('token=abcdefghijklmnopqrstuvwxyz012345'), undefined, false).event_summary).toContain('abcdefghijklmnopqrstuvwxyz012345');
  });
});
