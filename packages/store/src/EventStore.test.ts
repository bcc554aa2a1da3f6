import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DebbieEvent } from '@debbie/model';
import { openStore } from './openStore.js';
import type { EventStore } from './EventStore.js';
import { eventAt } from './testEvents.js';
import { SliceEncoder, type EncodedEvents } from './encodeRows.js';

// What only the DuckDB backend does (its batch text, Appender fallback, the file on disk). The
// behaviour every backend shares is tested once for both in storeContract.test.ts.
let dir: string;
let store: EventStore | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-store-'));
});
afterEach(async () => {
  await store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Reads rows with a plain DuckDB connection, independent of the store's code. */
async function rawQuery(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const conn = await instance.connect();
    const rows = (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
    conn.closeSync();
    return rows;
  } finally {
    instance.closeSync();
  }
}

describe('EventStore (DuckDB) writes', () => {
  it('keeps a lone surrogate in JSON exactly, retrying such a batch through the Appender', async () => {
    const errors: Error[] = [];
    store = await openStore(':memory:', { onError: (e) => errors.push(e) });
    const lone = eventAt(1, { event_id: 'lone', details: { text: 'x\ud800y' }, tags: ['t\udc00'] });
    await store.append([eventAt(0, { event_id: 'plain' }), lone]);
    const back = await store.queryEvents({});
    expect(back.map((e) => e.event_id)).toEqual(['plain', 'lone']);
    expect(back[1]!.details).toEqual({ text: 'x\ud800y' });
    expect(back[1]!.tags).toEqual(['t\ufffd']); // the client's UTF-8 conversion replaces it, as before
    expect(store.stats()).toMatchObject({ appended: 2, dropped: 0, rejected: 0, lastError: expect.stringContaining('retried through the Appender') });
    expect(errors).toEqual([]);
  });
  it('retries a whole multi-slice batch through the Appender when a later slice fails, losing and doubling nothing', async () => {
    const errors: Error[] = [];
    store = await openStore(':memory:', { onError: (e) => errors.push(e), batchSize: 10_000 });
    const events: DebbieEvent[] = [];
    for (let i = 0; i < 7000; i++) events.push(eventAt(i, { event_id: `e${i}` }));
    events[3000] = eventAt(3000, { event_id: 'e3000', details: { text: '\udfff' } }); // refused by DuckDB's JSON cast
    events[5000] = { ...events[5000]!, timestamp: 'never' }; // malformed: rejected alone, once
    await store.append(events);
    const ids = (await store.queryEvents({})).map((e) => e.event_id);
    expect(ids).toEqual(events.filter((_, i) => i !== 5000).map((e) => e.event_id));
    expect(store.stats()).toMatchObject({ appended: 6999, rejected: 1, dropped: 0, batches: 1 });
    expect(errors.map((e) => e.message)).toEqual([expect.stringContaining('event e5000: field "timestamp"')]);
  });
  it('closes once when close() is called twice at once, dropping writes made meanwhile', async () => {
    store = await openStore(':memory:', { flushIntervalMs: 60_000 });
    store.write(eventAt(0));
    const first = store.close();
    store.write(eventAt(1));
    await Promise.all([first, store.close()]);
    expect(store.stats()).toMatchObject({ appended: 1, dropped: 1, queued: 0 });
  });
  it('a close() reaches the file: what was queued is on disk for a plain DuckDB reader', async () => {
    const path = join(dir, 'close.duckdb');
    store = await openStore(path, { flushIntervalMs: 60_000 });
    store.write(eventAt(0));
    store.write(eventAt(1));
    await store.close();
    store = undefined;
    expect(await rawQuery(path, 'SELECT count(*) AS n FROM events')).toEqual([{ n: 2n }]);
  });
});

/** Encodes events as an ingest worker does: slices of `per` rows. */
function encode(events: readonly DebbieEvent[], per = 3): EncodedEvents {
  const encoder = new SliceEncoder();
  const out: EncodedEvents = { count: events.length, duplicates: 0, slices: [] };
  for (const e of events) {
    if (!encoder.add(e)) out.duplicates += 1;
    if (encoder.rows >= per) out.slices.push(encoder.take()!);
  }
  const last = encoder.take();
  if (last) out.slices.push(last);
  return out;
}

describe('EventStore (DuckDB) encoded batches and the insert of new rows', () => {
  it('stores encoded slices in their order (same-time rows too), drops a repeated id once, and stores nothing twice', async () => {
    store = await openStore(':memory:');
    const events = [0, 0, 0, 1, 1, 2, 3].map((ms, i) => eventAt(ms, { event_id: `x${i}`, event_summary: i === 4 ? '' : `e${i}`, details: { i } }));
    const batch = encode([...events, { ...events[2]! }]); // the last repeats x2 in the same encoding
    expect(batch.duplicates).toBe(1);
    await store.appendEncoded([batch]);
    expect((await store.queryEvents({})).map((e) => [e.event_id, e.event_summary])).toEqual(events.map((e) => [e.event_id, e.event_summary]));
    expect(store.stats()).toMatchObject({ appended: 7, duplicates: 1 });
    await store.appendEncoded([encode(events, 2)]); // the same again (other slices): all stored already
    await store.append(events.slice(0, 3)); // and through the event path
    expect(await store.countEvents({})).toBe(7);
    expect(store.stats()).toMatchObject({ appended: 7, duplicates: 1 + 7 + 3 });
  });
  it('stores an event two workers both encoded once (the same id in two batches of one commit)', async () => {
    store = await openStore(':memory:');
    const events = Array.from({ length: 8 }, (_, i) => eventAt(i, { event_id: `w${i}` }));
    await store.appendEncoded([encode(events.slice(0, 5), 2), encode(events.slice(4), 2)]);
    expect((await store.queryEvents({})).map((e) => e.event_id)).toEqual(events.map((e) => e.event_id));
    expect(store.stats()).toMatchObject({ appended: 8, duplicates: 1 });
  });
  it('inserts a slice whose rows are partly stored through the anti-join, in order', async () => {
    store = await openStore(':memory:');
    const events = Array.from({ length: 6 }, (_, i) => eventAt(i % 2, { event_id: `p${i}` }));
    await store.append([events[1]!, events[4]!]);
    await store.append(events);
    expect((await store.queryEvents({})).map((e) => e.event_id)).toEqual(['p4', 'p0', 'p2', 'p1', 'p3', 'p5']);
    expect(store.stats()).toMatchObject({ appended: 6, duplicates: 2 });
  });
  it('leaves out in one commit what is stored (same id and time) and keeps the rest, escaped text included, in order', async () => {
    store = await openStore(':memory:');
    const events = Array.from({ length: 9 }, (_, i) => eventAt(i % 3, { event_id: `m${i}`, event_summary: i % 4 === 0 ? '' : `s\x02${i}` }));
    await store.appendEncoded([encode([events[2]!, events[7]!], 1)]);
    await store.appendEncoded([encode(events, 2), encode(events.slice(5), 2)]); // two batches: m5..m8 twice in one commit
    const got = await store.queryEvents({});
    // by time, then as stored: the first commit's m7 (time 1) and m2 (time 2) before the rest
    expect(got.map((e) => e.event_id)).toEqual(['m0', 'm3', 'm6', 'm7', 'm1', 'm4', 'm2', 'm5', 'm8']);
    for (const e of got) expect(e.event_summary).toBe(events.find((x) => x.event_id === e.event_id)!.event_summary);
    expect(store.stats()).toMatchObject({ appended: 9, duplicates: 2 + 4 });
  });
  it('stores one id at two times as two events (a duplicate is the same id at the same time)', async () => {
    store = await openStore(':memory:');
    await store.appendEncoded([encode([eventAt(0, { event_id: 'same' })]), encode([eventAt(5, { event_id: 'same' })])]);
    await store.append([eventAt(0, { event_id: 'same' })]); // stored already
    expect((await store.queryEvents({})).map((e) => e.timestamp)).toEqual([eventAt(0).timestamp, eventAt(5).timestamp]);
  });
  it('checks row by row when an id cannot be listed (a control character in it)', async () => {
    store = await openStore(':memory:');
    const odd = eventAt(0, { event_id: 'a\x01b' });
    await store.appendEncoded([encode([odd])]);
    await store.appendEncoded([encode([odd])]);
    expect((await store.queryEvents({})).map((e) => e.event_id)).toEqual(['a\x01b']);
  });
});
