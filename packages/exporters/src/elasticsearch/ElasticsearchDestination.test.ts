import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent } from '@debbie/model';
import { LocalElasticsearchServer, type LocalElasticsearchOptions } from '../testing/LocalElasticsearchServer.js';
import { syntheticBatches, syntheticEvent } from '../testing/syntheticEvents.js';
import { exportEvents } from '../exportEvents.js';
import { ElasticsearchDestination, type ElasticsearchDestinationOptions } from './ElasticsearchDestination.js';

let server: LocalElasticsearchServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const fast = { initialBackoffMs: 1, maxBackoffMs: 5 };
async function start(options: LocalElasticsearchOptions = {}) {
  server = await LocalElasticsearchServer.start(options);
  return server;
}
const destination = (options: Partial<ElasticsearchDestinationOptions> = {}) => new ElasticsearchDestination({ url: server!.url, ...fast, ...options });

describe('ElasticsearchDestination', () => {
  it('retries only the 429 items of a bulk response mixing 201, 429 and 400, and dead-letters the 400 with its reason', async () => {
    const es = await start({ throttle: (id, attempt) => (id === 'e2' || id === 'e4') && attempt <= 2 });
    const deadLetterPath = join(mkdtempSync(join(tmpdir(), 'debbie-es-')), 'dead.jsonl');
    const events: DebbieEvent[] = [
      createEvent({ event_id: 'e1', source: 'tool', event_summary: 'first', details: { result: 'ok' } }),
      createEvent({ event_id: 'e2', source: 'tool', event_summary: 'throttled twice' }),
      // details.result was mapped as a keyword by e1: an object here is a mapping conflict (400).
      createEvent({ event_id: 'e3', source: 'tool', event_summary: 'conflicting', details: { result: { rows: 3 } } }),
      createEvent({ event_id: 'e4', source: 'tool', event_summary: 'throttled too' }),
      createEvent({ event_id: 'e5', source: 'tool', event_summary: 'last' }),
    ];
    // Structured details, dynamically mapped: the mapping conflict a `flattened` mapping avoids.
    const dest = destination({ deadLetterPath, maxAttempts: 4, structuredDetails: true });
    await dest.write(events);
    const summary = await dest.close();

    expect(summary).toMatchObject({ written: 4, rejected: 1 });
    // Attempt 1 sent all five; attempts 2 and 3 only the two throttled items.
    expect(es.requests.map((r) => r.items)).toEqual([5, 2, 2]);
    expect(
      es.documents
        .get('logs-debbie-default')!
        .map((d) => d._id)
        .sort(),
    ).toEqual(['e1', 'e2', 'e4', 'e5']);

    const dead = readFileSync(deadLetterPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: number; reason: string; document: { event: { id: string } } });
    expect(dead).toHaveLength(1);
    expect(dead[0]!.status).toBe(400);
    expect(dead[0]!.reason).toMatch(
      /document_parsing_exception: .*object mapping for \[debbie\.details\.result\]|failed to parse field \[debbie\.details\.result\]/,
    );
    expect(dead[0]!.document.event.id).toBe('e3');
  });

  it('gives up on an item still throttled after maxAttempts and dead-letters it as such', async () => {
    await start({ throttle: (id) => id === 'stuck' });
    const deadLetterPath = join(mkdtempSync(join(tmpdir(), 'debbie-es-')), 'dead.jsonl');
    const dest = destination({ deadLetterPath, maxAttempts: 3 });
    await dest.write([
      createEvent({ event_id: 'stuck', source: 'tool', event_summary: 'x' }),
      createEvent({ event_id: 'fine', source: 'tool', event_summary: 'y' }),
    ]);
    expect(await dest.close()).toMatchObject({ written: 1, rejected: 1 });
    expect(server!.requests).toHaveLength(3);
    expect(readFileSync(deadLetterPath, 'utf8')).toMatch(/still 429 after 3 attempts: es_rejected_execution_exception/);
  });

  it('sends gzip NDJSON with create actions and ECS documents, batched under the byte limit', async () => {
    const es = await start();
    const summary = await exportEvents(syntheticBatches(600, { batchSize: 250 }), destination({ maxBatchBytes: 64 * 1024 }));
    expect(summary).toMatchObject({ written: 600, rejected: 0 });
    expect(es.requests.length).toBeGreaterThan(1);
    for (const r of es.requests) {
      expect(r.bytes).toBeLessThanOrEqual(64 * 1024);
      expect(r.contentType).toBe('application/x-ndjson');
      expect(r.contentEncoding).toBe('gzip');
    }
    const doc = es.documents.get('logs-debbie-default')!.find((d) => d._id === 'evt-00000004')!._source as Record<string, any>;
    const e = syntheticEvent(4);
    expect(doc['@timestamp']).toBe(e.timestamp);
    expect(doc.message).toBe(e.event_summary);
    expect(doc.log).toEqual({ level: e.level.toLowerCase(), logger: e.component });
    expect(doc.event.duration).toBe(Math.round(e.duration_ms! * 1e6));
    expect(doc.labels.session_id).toBe('sess-synthetic');
    expect(doc.trace.id).toHaveLength(32);
    expect(JSON.parse(doc.debbie.details)).toEqual(e.details);
  });

  it('does not index an event twice when a retry repeats it (409 on our _id counts as written)', async () => {
    const es = await start();
    const event = createEvent({ event_id: 'same', source: 'agent', event_summary: 'once' });
    const first = destination();
    await first.write([event]);
    await first.close();
    const second = destination();
    await second.write([event]);
    expect(await second.close()).toMatchObject({ written: 1, rejected: 0 });
    expect(es.count).toBe(1);
  });

  it('authenticates with an API key or basic auth and explains a refusal', async () => {
    await start({ apiKeys: ['a2V5aWQ6c2VjcmV0'], users: [{ username: 'elastic', password: 'pw:x' }] });
    const ok = destination({ auth: { apiKey: { id: 'keyid', key: 'secret' } } });
    await ok.write([createEvent({ source: 'agent', event_summary: 'k' })]);
    expect((await ok.close()).written).toBe(1);
    const basic = destination({ auth: { username: 'elastic', password: 'pw:x' } });
    await basic.write([createEvent({ source: 'agent', event_summary: 'b' })]);
    expect((await basic.close()).written).toBe(1);

    const missing = destination();
    await missing.write([createEvent({ source: 'agent', event_summary: 'm' })]);
    await expect(missing.close()).rejects.toThrow(/refused the credentials \(401\): security_exception: missing authentication credentials/);
    const wrong = destination({ auth: { apiKey: 'bm9wZTpub3Bl' } });
    await wrong.write([createEvent({ source: 'agent', event_summary: 'w' })]);
    await expect(wrong.close()).rejects.toThrow(/unable to authenticate with provided credentials/);
  });

  it('retries a whole request answered 503 and splits one answered 413', async () => {
    const es = await start({ maxContentLength: 6_000, unavailableRequests: 2 });
    const dest = destination({ gzip: false });
    await dest.write([...syntheticBatches(20)][0]!);
    expect(await dest.close()).toMatchObject({ written: 20, rejected: 0 });
    expect(es.requests.slice(0, 2).map((r) => r.status)).toEqual([503, 503]);
    expect(es.requests.some((r) => r.status === 413)).toBe(true);
    expect(es.count).toBe(20);
  });

  it('rejects an invalid index name before sending anything', async () => {
    await start();
    expect(() => destination({ index: 'Logs Debbie' })).toThrow(/not a valid Elasticsearch index name/);
  });

  it('dead-letters what it gives up on when the cluster is unreachable after its retries (issue 13)', async () => {
    const es = await start();
    const url = es.url;
    await es.stop();
    server = undefined;
    const deadLetterPath = join(mkdtempSync(join(tmpdir(), 'debbie-es-')), 'dead.jsonl');
    const dest = new ElasticsearchDestination({ url, ...fast, maxAttempts: 2, deadLetterPath });
    await dest.write([createEvent({ source: 'agent', event_summary: 'x' })]);
    expect(await dest.close()).toMatchObject({ written: 0, rejected: 1 });
    const dead = JSON.parse(readFileSync(deadLetterPath, 'utf8')) as { reason: string; document: unknown };
    expect(dead.reason).toMatch(/cannot reach http:\/\/127\.0\.0\.1:\d+\/_bulk: ECONNREFUSED; gave up after 2 attempts/);
    expect(dead.document).toBeTruthy();
  });

  it('waits what Retry-After asks on a 429 or 503 answer', async () => {
    const es = await start({ throttledRequests: 1, unavailableRequests: 1, retryAfterSeconds: 3 });
    const delays: number[] = [];
    const dest = destination({
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    await dest.write([createEvent({ source: 'agent', event_summary: 'x' })]);
    expect(await dest.close()).toMatchObject({ written: 1, rejected: 0 });
    expect(es.requests.map((r) => r.status)).toEqual([429, 503, 200]);
    expect(delays).toEqual([3000, 3000]);
  });

  it('a late answer (timeout after the cluster indexed): the resend is a 409, never a duplicate document', async () => {
    const es = await start({ lateRequests: 1, lateAnswerMs: 400 });
    const dest = destination({ timeoutMs: 100 });
    const events = Array.from({ length: 20 }, (_, i) => createEvent({ source: 'agent', event_summary: `e${i}` }));
    await dest.write(events);
    expect(await dest.close()).toMatchObject({ written: 20, rejected: 0 });
    expect(es.count).toBe(20);
    expect(es.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('dead-letters a batch still answered 500/429 after the last attempt', async () => {
    await start({ throttledRequests: 10 });
    const deadLetterPath = join(mkdtempSync(join(tmpdir(), 'debbie-es-')), 'dead.jsonl');
    const dest = destination({ maxAttempts: 3, deadLetterPath });
    await dest.write([createEvent({ source: 'agent', event_summary: 'x' }), createEvent({ source: 'agent', event_summary: 'y' })]);
    expect(await dest.close()).toMatchObject({ written: 0, rejected: 2 });
    expect(readFileSync(deadLetterPath, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('LocalElasticsearchServer', () => {
  const post = (body: string, headers: Record<string, string> = { 'Content-Type': 'application/x-ndjson' }, path = '/_bulk') =>
    fetch(`${server!.url}${path}`, { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  it('refuses what Elasticsearch refuses: no final newline, wrong content type, index op on a data stream, missing @timestamp', async () => {
    await start();
    expect((await post('{"create":{"_index":"logs-a-b"}}\n{"@timestamp":"2025-01-01T00:00:00Z"}')).body.error.reason).toMatch(
      /must be terminated by a newline/,
    );
    expect((await post('{}\n', { 'Content-Type': 'text/plain' })).status).toBe(406);
    const r = await post(
      '{"index":{"_index":"logs-a-b"}}\n{"@timestamp":"2025-01-01T00:00:00Z"}\n{"create":{"_index":"logs-a-b"}}\n{"message":"no ts"}\n{"create":{"_index":"plain-index"}}\n{"message":"fine"}\n',
    );
    expect(r.status).toBe(200);
    expect(r.body.errors).toBe(true);
    expect(r.body.items.map((i: any) => Object.values(i)[0] as any).map((i: any) => i.status)).toEqual([400, 400, 201]);
    expect(r.body.items[0].index.error.reason).toMatch(/op_type of create/);
    expect(r.body.items[1].create.error.reason).toMatch(/\[@timestamp\] is missing/);
  });
});
