import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent } from '@debbie/model';
import { createPipeline } from '@debbie/pipeline';
import { openStore, type EventStore } from '@debbie/store';
import { ingestFile } from '../ingestFile.js';
import { encodeJsonLines, type JsonLinesFileContext } from './encodeJsonLines.js';
import { JsonLinesPool } from './JsonLinesPool.js';

// The worker threads run the built worker script (packages/collector/dist): `pnpm run build` first.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-parallel-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD';
const TRACE = 'a'.repeat(32);
const ctx: JsonLinesFileContext = { file: 'f.jsonl', fileKey: 'key', runName: 'f', redact: true, sessionKeys: [] };

function line(i: number, extra: Partial<DebbieEvent> = {}): string {
  const micros = Date.UTC(2025, 5, 2, 21, 5, 0) * 1000 + i * 1000;
  const ts = `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 23)}000Z`;
  return JSON.stringify(createEvent({ source: 'agent', event_summary: `step ${i} – ünïcode`, timestamp: ts, session_id: 's1', event_id: `e${i}`, ...extra }));
}

/** A file that holds every kind of line the workers hand back, among plain events. */
function mixedLines(n: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 5)
      lines.push('{"not json'); // malformed: kept raw, alone, with its line number
    else if (i === 9) lines.push(line(i, { event_summary: `calling with api_key=${SECRET}` }));
    else if (i === 13)
      lines.push(line(i, { session_id: null, trace_id: TRACE, span_id: 'b'.repeat(16), kind: 'span', duration_ms: 1 })); // needs its trace's session
    else if (i === 14)
      lines.push(line(i, { session_id: 'traced', trace_id: TRACE, kind: 'span', duration_ms: 1 })); // names it (a relabel)
    else if (i === 20) lines.push('');
    else if (i === 21)
      lines.push(JSON.stringify({ resourceLogs: [] })); // OTLP: the main thread's
    else if (i === 22)
      lines.push(line(3)); // the same event again
    else if (i === 23) lines.push(`${line(i)}\r`);
    else if (i === 25)
      lines.push(line(i, { event_summary: 'decoded badly: \ufffd' })); // binary garbage: kept raw
    else if (i === 26)
      lines.push(line(i).replace('step', 'st\u0001ep')); // a raw control character: kept raw
    else if (i === 30) lines.push(JSON.stringify({ timestamp: '2025-06-02T21:06:00Z', source: 'tool', event_summary: 'no id of its own' }));
    else lines.push(line(i));
  }
  return lines;
}

describe('encodeJsonLines (what a worker does with a chunk)', () => {
  it('encodes plain events, masks secrets, and hands every other line back with its number, offset and clock', () => {
    const lines = mixedLines(40);
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    const r = encodeJsonLines(bytes, 101, 5000, ctx);
    expect(r).toMatchObject({ lines: 40, lastLine: 140 });
    const back = r.steps.filter((s) => s.kind === 'line');
    expect(back.map((s) => s.line)).toEqual([106, 114, 121, 122, 126, 127]); // not JSON, keyless span, blank, OTLP, garbage twice
    const offsetOf = (i: number) =>
      5000 +
      Buffer.byteLength(
        lines
          .slice(0, i)
          .map((l) => `${l}\n`)
          .join(''),
      );
    expect(back.map((s) => s.offset)).toEqual([5, 13, 20, 21, 25, 26].map(offsetOf));
    expect(back[0]!.text).toBe('{"not json');
    expect(back[0]!.clock).toBeGreaterThan(0); // the time of event 4, for the raw event the main thread makes
    expect(r.steps.filter((s) => s.kind === 'named')).toEqual([{ kind: 'named', traceId: TRACE, sessionId: 'traced', clock: undefined }]);
    const text = r.encoded.slices.map((s) => s.columns.join('')).join('');
    expect(text).not.toContain(SECRET);
    expect(text).toContain('api_key=');
    expect(r.encoded).toMatchObject({ count: 34, duplicates: 1 });
    expect(r.events).toBe(34);
  });

  it('makes the stable id LineIngester makes for an event its line gave none', async () => {
    const { LineIngester } = await import('../LineIngester.js');
    const { JsonLinesParser } = await import('../recordParsers.js');
    const text = `${line(0)}\n${JSON.stringify({ timestamp: '2025-06-02T21:06:00Z', source: 'tool', event_summary: 'no id of its own' })}\n`;
    const got: DebbieEvent[] = [];
    const ingester = new LineIngester({
      parser: new JsonLinesParser(),
      file: 'f.jsonl',
      fileKey: 'key',
      sink: { write: (e) => got.push(e), forceFlush: async () => {}, shutdown: async () => {} },
    });
    for (const l of text.split('\n').slice(0, 2)) ingester.push(l);
    ingester.end();
    const r = encodeJsonLines(Buffer.from(text), 1, 0, ctx);
    expect(r.encoded.slices[0]!.ids!.split('\x02')).toEqual(got.map((e) => e.event_id));
  });
});

describe('JsonLinesPool', () => {
  it('reads chunks on worker threads exactly as on the main thread, and reads a dead worker’s chunks itself', async () => {
    const lines = mixedLines(300);
    const chunks = [lines.slice(0, 100), lines.slice(100, 200), lines.slice(200)].map((ls) => Buffer.from(`${ls.join('\n')}\n`));
    const pool = new JsonLinesPool(2, ctx);
    try {
      const results = await Promise.all(chunks.map((c, i) => pool.run(c, 1 + i * 100, i)));
      expect(results).toEqual(chunks.map((c, i) => encodeJsonLines(c, 1 + i * 100, i, ctx)));
      expect(pool.inlineChunks).toBe(0); // the threads did it
      const inFlight = pool.run(chunks[0]!, 1, 0);
      await (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0]!.worker.terminate();
      await (pool as unknown as { slots: { worker?: { terminate(): Promise<number> } }[] }).slots[1]!.worker?.terminate();
      expect(await inFlight).toEqual(encodeJsonLines(chunks[0]!, 1, 0, ctx));
      expect(await pool.run(chunks[1]!, 101, 1)).toEqual(encodeJsonLines(chunks[1]!, 101, 1, ctx));
    } finally {
      await pool.close();
    }
  });
});

describe('ingestFile with workers, into a DuckDB store', () => {
  let stores: EventStore[] = [];
  afterEach(async () => {
    for (const s of stores) await s.close();
    stores = [];
  });

  async function ingest(path: string, workers: number, store: EventStore, sessionId?: string) {
    const pipeline = createPipeline({ store });
    expect(pipeline.acceptsEncoded).toBe(true);
    const result = await ingestFile(path, { sink: pipeline, workers, sessionId, maxLineBytes: 256 * 1024, ready: () => pipeline.ready() });
    await pipeline.forceFlush();
    return { result, stats: pipeline.stats(), lost: pipeline.lost() };
  }

  it('stores exactly what the main thread alone stores: nothing lost or doubled, secrets masked, a bad line rejected alone, a long line streamed', async () => {
    const lines = mixedLines(6000);
    lines[4000] = line(4000, { details: { blob: 'x'.repeat(300 * 1024) } }); // over maxLineBytes: read by the serial splitter from there on
    const path = join(dir, 'mixed.jsonl');
    writeFileSync(path, lines.join('\n')); // no final newline
    const rows = async (workers: number) => {
      const store = await openStore(join(dir, `w${workers}.duckdb`));
      stores.push(store);
      const first = await ingest(path, workers, store);
      const again = await ingest(path, workers, store);
      const events = await store.queryEvents({});
      return { first, again, events };
    };
    const serial = await rows(0);
    const parallel = await rows(2);
    expect(parallel.first.result).toEqual(serial.first.result);
    expect(parallel.first.result).toMatchObject({ lines: 6000, unparseable: 4, firstUnparseable: expect.stringMatching(/^line 6: is not JSON/) });
    expect(parallel.first.stats).toMatchObject({
      received: serial.first.stats.received,
      stored: serial.first.stats.stored,
      session_relabels: 1,
      store_failed: 0,
    });
    expect(parallel.first.lost).toBe(0);
    const key = (e: DebbieEvent) => JSON.stringify(e);
    expect(parallel.events.map(key).sort()).toEqual(serial.events.map(key).sort());
    expect(parallel.events).toHaveLength(6000 - 1 /* the repeated event */ - 1 /* OTLP with no records */);
    expect(parallel.events.map(key).join('\n')).not.toContain(SECRET);
    expect(parallel.events.find((e) => e.span_id === 'b'.repeat(16))!.session_id).toBe('traced'); // relabelled
    // Ingesting the same file again stores nothing twice.
    expect(parallel.again.stats.stored).toBe(parallel.first.stats.stored);
    expect(await stores[1]!.countEvents({})).toBe(parallel.events.length);
  });

  it('stores an event repeated in other chunks of the same file once, as the main thread does', async () => {
    // A block of events written three times (a log concatenated with itself): each copy lands in
    // other chunks, read by different workers, and the copies reach the store in one commit.
    const block = Array.from({ length: 6000 }, (_, i) => line(i));
    const path = join(dir, 'repeated.jsonl');
    writeFileSync(path, `${[...block, ...block, ...block].join('\n')}\n`);
    for (const workers of [0, 2]) {
      const store = await openStore(join(dir, `repeated-w${workers}.duckdb`));
      stores.push(store);
      const { result, lost } = await ingest(path, workers, store);
      expect(result).toMatchObject({ lines: 18_000, unparseable: 0 });
      expect(lost).toBe(0);
      expect(await store.countEvents({})).toBe(6000);
    }
  });

  it('gives --session to events that name none, with the same ids as the main thread', async () => {
    const path = join(dir, 'plain.jsonl');
    writeFileSync(path, `${mixedLines(500).join('\n')}\n`);
    const ids: string[][] = [];
    for (const workers of [0, 1]) {
      const store = await openStore(':memory:');
      stores.push(store);
      await ingest(path, workers, store, 'given');
      const events = await store.queryEvents({});
      expect(events.find((e) => e.event_summary === 'no id of its own')!.session_id).toBe('given');
      ids.push(events.map((e) => e.event_id).sort());
    }
    expect(ids[1]).toEqual(ids[0]);
  });
});
