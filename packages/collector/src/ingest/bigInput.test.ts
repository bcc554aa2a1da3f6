import { createWriteStream, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent, type EventSink } from '@debbie/model';
import { ingestFile } from './ingestFile.js';
import { JsonValueStream } from './JsonValueStream.js';
import { decodeJsonDocument } from './recordParsers.js';
import { looksLikeJson } from './detectFormat.js';
import { OTLP_EXAMPLES } from '../../../../test/sharedData.js';

// The OTLP/JSON examples of the specification (opentelemetry-proto), repeated into big requests.
const EXAMPLES = `${OTLP_EXAMPLES}/opentelemetry-proto/examples`;
const traceExample = () =>
  JSON.parse(readFileSync(`${EXAMPLES}/trace.json`, 'utf8')) as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] };
const logsExample = () =>
  JSON.parse(readFileSync(`${EXAMPLES}/logs.json`, 'utf8')) as { resourceLogs: { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[] };

/** A trace request with `n` copies of the example span (distinct span ids). */
function bigTraceRequest(n: number): object {
  const req = traceExample();
  const span = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
  req.resourceSpans[0]!.scopeSpans[0]!.spans = Array.from({ length: n }, (_, i) => ({ ...span, spanId: (i + 1).toString(16).padStart(16, '0') }));
  return req;
}

/** Counts events without keeping them (a test of bounded memory must not hold them either). */
class CountingSink implements EventSink {
  count = 0;
  sessions = new Set<string | null>();
  spanIds = new Set<string | null>();
  first: DebbieEvent[] = [];
  write(e: DebbieEvent): void {
    this.count += 1;
    this.spanIds.add(e.span_id);
    if (this.first.length < 5) this.first.push(e);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

let dir: string;
let sink: CountingSink;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'debbie-big-'));
  sink = new CountingSink();
});

describe('big OTLP/JSON input: every span, memory for one batch', () => {
  it('reads 1.3 MB and 2.3 MB single-line OTLP files (the Collector file exporter shape) completely', async () => {
    const one = JSON.stringify(bigTraceRequest(1)).length;
    for (const mb of [1.3, 2.3]) {
      const n = Math.ceil((mb * 1e6) / one);
      const path = join(dir, `otlp-${mb}.jsonl`);
      writeFileSync(path, `${JSON.stringify(bigTraceRequest(n))}\n`);
      const s = new CountingSink();
      const r = await ingestFile(path, { sink: s });
      expect(r).toMatchObject({ format: 'otlp-json', lines: 1, events: n, unparseable: 0, truncated: 0, limitErrors: [] });
      expect(s.spanIds.size).toBe(n);
    }
  });

  it('reads a 50 MB line of spans, and the logs example repeated on the next line', async () => {
    const path = join(dir, 'fifty.jsonl');
    const out = createWriteStream(path);
    // Written in pieces: the test does not hold the 50 MB either.
    const req = traceExample();
    const span = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    const open = JSON.stringify(req).replace(/"spans":\[.*\]\}\]\}\]\}$/s, '"spans":[');
    expect(open.endsWith('"spans":[')).toBe(true);
    out.write(open);
    let bytes = open.length;
    let n = 0;
    while (bytes < 50 * 1024 * 1024) {
      const text = `${n ? ',' : ''}${JSON.stringify({ ...span, spanId: (n + 1).toString(16).padStart(16, '0') })}`;
      if (!out.write(text)) await once(out, 'drain');
      bytes += text.length;
      n += 1;
    }
    const logs = logsExample();
    const record = logs.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    logs.resourceLogs[0]!.scopeLogs[0]!.logRecords = Array.from({ length: 3 }, () => record);
    out.end(`]}]}]}\n${JSON.stringify(logs)}\n`);
    await once(out, 'finish');
    const r = await ingestFile(path, { sink });
    expect(r).toMatchObject({ format: 'otlp-json', lines: 2, events: n + 3, unparseable: 0, truncated: 0 });
    expect(sink.spanIds.size).toBe(n + 1); // n spans + the log records' span id
    expect(sink.first[0]).toMatchObject({ service_name: 'my.service', duration_ms: 1000 });
  });

  it('streams a pretty-printed document over many lines the same as one parse of it', async () => {
    const req = bigTraceRequest(3000);
    const path = join(dir, 'pretty.json');
    writeFileSync(path, JSON.stringify(req, null, 2));
    const r = await ingestFile(path, { sink });
    const whole = decodeJsonDocument(req, path);
    expect(r).toMatchObject({ format: 'otlp-json', events: whole.events.length, unparseable: 0 });
    expect(sink.spanIds.size).toBe(3000);
  });

  it('a document after blank lines (and a BOM) is still one document', async () => {
    const path = join(dir, 'blank-first.json');
    writeFileSync(path, `\ufeff\n\n${JSON.stringify(bigTraceRequest(5), null, 2)}\n`);
    const r = await ingestFile(path, { sink });
    expect(r).toMatchObject({ format: 'otlp-json', events: 5, unparseable: 0 });
    const lines = join(dir, 'bom.jsonl');
    writeFileSync(lines, `\ufeff${JSON.stringify(bigTraceRequest(2))}\n`);
    expect(await ingestFile(lines, { sink })).toMatchObject({ format: 'otlp-json', events: 2, unparseable: 0 });
  });

  it('JsonValueStream gives the same events as a whole parse, whatever the chunking and key order', () => {
    const req = bigTraceRequest(7) as { resourceSpans: Record<string, unknown>[] };
    // The resource after the spans: items wait for it.
    const rs = req.resourceSpans[0]!;
    const reordered = { resourceSpans: [{ scopeSpans: rs.scopeSpans, resource: rs.resource }] };
    for (const doc of [req, reordered]) {
      const text = Buffer.from(`${JSON.stringify(doc)}\n${JSON.stringify(doc, null, 1)}`);
      const whole = decodeJsonDocument(doc, 'x').events;
      for (const size of [1, 3, 64, text.length]) {
        const got: DebbieEvent[] = [];
        const s = new JsonValueStream({ file: 'x', batchItems: 2, onEvents: (e) => got.push(...e), decodeOther: (v) => decodeJsonDocument(v, 'x') });
        for (let i = 0; i < text.length; i += size) s.push(text.subarray(i, i + size));
        s.end();
        const strip = (e: DebbieEvent) => ({ ...e, event_id: e.span_id });
        expect(got.map(strip)).toEqual([...whole, ...whole].map(strip));
        expect(s.values).toBe(2);
      }
    }
  });

  it('says where a JSON value breaks, and what limit a value exceeded', () => {
    const s = new JsonValueStream({ file: 'f.json', onEvents: () => {}, decodeOther: (v) => decodeJsonDocument(v, 'x') });
    expect(() => s.push(Buffer.from('{"resourceSpans":[\n{"scopeSpans":[}'))).toThrow(/f\.json line 2: unexpected "}"/);
    const deep = new JsonValueStream({ file: 'd.json', onEvents: () => {}, decodeOther: (v) => decodeJsonDocument(v, 'x') });
    expect(() => deep.push(Buffer.alloc(10_000, '['))).toThrow(/d\.json line 1: JSON nested deeper than the limit of 1000 levels/);
    const small = new JsonValueStream({
      file: 'g.jsonl',
      firstLine: 4,
      maxBufferedBytes: 100,
      onEvents: () => {},
      decodeOther: (v) => decodeJsonDocument(v, 'x'),
    });
    expect(() => small.push(Buffer.from(JSON.stringify([createEvent({ source: 'tool', event_summary: 'x'.repeat(200) })])))).toThrow(
      /g\.jsonl line 4: .*larger than the limit of 100 bytes/,
    );
  });
});

describe('over-long records, binary input', () => {
  it('an over-long text line is ONE event, cut, tagged truncated, with an error naming file, line and limit', async () => {
    const path = join(dir, 'long.log');
    const long = `2025-06-02 21:05:15,941 1398427 MainThread app.server - INFO - ${'é'.repeat(3 * 1024 * 1024)}`;
    writeFileSync(
      path,
      `2025-06-02 21:05:15,000 1398427 MainThread app.server - INFO - before\n${long}\n2025-06-02 21:05:16,000 1398427 MainThread app.server - INFO - after\n`,
    );
    const events: DebbieEvent[] = [];
    const r = await ingestFile(path, { sink: { write: (e) => void events.push(e), forceFlush: async () => {}, shutdown: async () => {} } });
    expect(r).toMatchObject({ lines: 3, events: 3, truncated: 1, unparseable: 0 });
    expect(events.map((e) => e.event_summary.slice(0, 6))).toEqual(['before', 'éééééé', 'after']);
    expect(events[1]!.tags).toContain('truncated');
    expect(events[1]!.details).toMatchObject({ truncated: true, original_bytes: Buffer.byteLength(long) });
    expect(events[1]!.event_summary).not.toMatch(/\ufffd/); // cut on a character boundary
    expect(r.limitErrors).toEqual([expect.stringMatching(/long\.log line 2: a line of \d+ bytes is longer than the limit of 1048576 bytes/)]);
  });

  it('a JSON line too big for its format (not OTLP) is one raw event tagged truncated, and an error naming the limit', async () => {
    const path = join(dir, 'events.jsonl');
    const big = createEvent({ source: 'tool', event_summary: 'big', details: { blob: 'x'.repeat(3 * 1024 * 1024) } });
    const small = createEvent({ source: 'tool', event_summary: 'small' });
    writeFileSync(path, `${JSON.stringify(big)}\n${JSON.stringify(small)}\n`);
    const events: DebbieEvent[] = [];
    const r = await ingestFile(path, {
      sink: { write: (e) => void events.push(e), forceFlush: async () => {}, shutdown: async () => {} },
      maxJsonValueBytes: 2 * 1024 * 1024,
    });
    expect(r).toMatchObject({ lines: 2, events: 2, unparseable: 1, truncated: 1 });
    expect(events[0]).toMatchObject({ action: 'unparsed_line', tags: ['unparsed', 'truncated'] });
    expect(events[1]).toEqual(small);
    expect(r.limitErrors[0]).toMatch(/events\.jsonl line 1: .*larger than the limit of 2097152 bytes/);
    // Under the default limit (64 MiB) the same line is read whole.
    const again: DebbieEvent[] = [];
    await ingestFile(path, { sink: { write: (e) => void again.push(e), forceFlush: async () => {}, shutdown: async () => {} } });
    expect(again).toEqual([big, small]);
  });

  it('a multi-line record is bounded in lines and characters; past the cap it is emitted, the error names the line, the rest stays as raw lines', async () => {
    const { LineIngester } = await import('./LineIngester.js');
    const { PythonLogParser } = await import('./recordParsers.js');
    const { compileLogFormat } = await import('./pythonLogFormat.js');
    const { LoggerSourceMap } = await import('./loggerSources.js');
    const events: DebbieEvent[] = [];
    const ing = new LineIngester({
      parser: new PythonLogParser(compileLogFormat('%(asctime)s %(levelname)s %(name)s: %(message)s'), new LoggerSourceMap([])),
      sink: { write: (e) => void events.push(e), forceFlush: async () => {}, shutdown: async () => {} },
      file: 'tb.log',
      maxRecordChars: 200,
    });
    ing.push('2025-06-10 10:00:00,000 ERROR app: boom');
    ing.push('Traceback (most recent call last):');
    for (let i = 0; i < 10; i++) ing.push(`  File "x.py", line ${i}, in f`);
    ing.end();
    expect(ing.stats.truncated).toBe(1);
    expect(ing.stats.limitErrors[0]).toMatch(/^tb\.log line \d+: a record longer than 1000 lines or 200 characters/);
    expect(events[0]!.stack_trace!.length).toBeLessThanOrEqual(200);
    expect(events.slice(1).every((e) => e.action === 'unparsed_line')).toBe(true);
    expect(events.length).toBeGreaterThan(1);
  });

  it('refuses a binary file with a clear error unless forced', async () => {
    const path = join(dir, 'image.bin');
    const bytes = Buffer.alloc(256 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 8) * 104729) & 0xff;
    writeFileSync(path, bytes);
    await expect(ingestFile(path, { sink })).rejects.toThrow(/image\.bin: looks binary .*--allow-binary/);
    expect(sink.count).toBe(0);
    const r = await ingestFile(path, { sink, allowBinary: true });
    expect(r.events).toBeGreaterThan(0);
    expect(r.unparseable).toBe(r.events);
  });
});

describe('stable ids', () => {
  it('the same file ingested twice, or a copy of it, gives the same ids; a different file other ids', async () => {
    const text = [
      '2025-06-02 21:05:15,000 1 MainThread app.server - INFO - one',
      '2025-06-02 21:05:15,000 1 MainThread app.server - INFO - one',
      '2025-06-02 21:05:16,000 1 MainThread app.server - ERROR - boom',
      'Traceback (most recent call last):',
      'ValueError: x',
    ].join('\n');
    const a = join(dir, 'a.log');
    const copy = join(dir, 'copy.log');
    const other = join(dir, 'other.log');
    writeFileSync(a, text);
    writeFileSync(copy, text);
    writeFileSync(other, `2025-06-02 21:05:14,000 1 MainThread app.server - INFO - zero\n${text}`);
    const ids = async (p: string) => {
      const got: string[] = [];
      await ingestFile(p, { sink: { write: (e) => void got.push(e.event_id), forceFlush: async () => {}, shutdown: async () => {} } });
      return got;
    };
    const first = await ids(a);
    expect(first).toHaveLength(3);
    expect(new Set(first).size).toBe(3); // two identical lines at different offsets are two records
    expect(await ids(a)).toEqual(first);
    expect(await ids(copy)).toEqual(first);
    const theirs = await ids(other);
    expect(theirs.filter((id) => first.includes(id))).toEqual([]);
  });

  it('a raw line before any timed record is placed just before it, and a file with no time is dated by the file: never the wall clock', async () => {
    const path = join(dir, 'raw-first.log');
    writeFileSync(path, 'no time here\n2025-06-02 21:05:15,000 1 MainThread app.server - INFO - one\nneither here\n');
    const read = async (p: string) => {
      const got: DebbieEvent[] = [];
      await ingestFile(p, { sink: { write: (e) => void got.push(e), forceFlush: async () => {}, shutdown: async () => {} } });
      return got;
    };
    const first = await read(path);
    await new Promise((r) => setTimeout(r, 5));
    expect(await read(path)).toEqual(first);
    expect(first.map((e) => e.action)).toEqual(['unparsed_line', '']); // the last line continues the record
    expect(first.map((e) => e.timestamp)).toEqual(['2025-06-02T21:05:14.999999Z', '2025-06-02T21:05:15.000000Z']);
    const none = join(dir, 'no-time.log');
    writeFileSync(none, 'just text\nmore text\n');
    const untimed = await read(none);
    const mtime = new Date(Math.floor(statSync(none).mtimeMs)).toISOString().replace('Z', '000Z');
    expect(untimed.map((e) => e.timestamp)).toEqual([mtime, mtime]);
  });

  it('OTLP spans keep their span ids as event ids; --session names lines without a session', async () => {
    const path = join(dir, 'mixed.jsonl');
    const named = createEvent({ source: 'tool', event_summary: 'named', session_id: 'theirs' });
    writeFileSync(path, `${JSON.stringify(bigTraceRequest(2))}\n${JSON.stringify(named)}\n`);
    const events: DebbieEvent[] = [];
    await ingestFile(path, { sink: { write: (e) => void events.push(e), forceFlush: async () => {}, shutdown: async () => {} }, sessionId: 'mine' });
    expect(events.map((e) => e.event_id)).toEqual(['0000000000000001', '0000000000000002', named.event_id]);
    expect(events.map((e) => e.session_id)).toEqual(['mine', 'mine', 'theirs']);
  });
});

describe('format detection', () => {
  it('JSON only when the first line is JSON or opens an object or array of values', () => {
    for (const yes of ['{"a":1}', '{', '[', '  {"resourceSpans": [', '[{"timestamp"', '[1, 2', '[]', '\ufeff{"a":1}'])
      expect(looksLikeJson(yes), yes).toBe(true);
    for (const no of ['[2025-06-10 10:00:00,000] INFO in app: started', '[INFO] ready', '[2025-06-02 21:05:15] [tool] [INFO] [x] y', 'plain text', '{not json'])
      expect(looksLikeJson(no), no).toBe(false);
  });
});
