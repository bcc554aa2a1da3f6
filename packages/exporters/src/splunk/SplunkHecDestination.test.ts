import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvent, epochMicros } from '@debbie/model';
import { exportEvents } from '../exportEvents.js';
import { LocalSplunkHecServer, splitConcatenatedJson, type LocalSplunkHecOptions } from '../testing/LocalSplunkHecServer.js';
import { syntheticBatches, syntheticEvent } from '../testing/syntheticEvents.js';
import { SplunkHecDestination, type SplunkHecDestinationOptions } from './SplunkHecDestination.js';

let server: LocalSplunkHecServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const TOKEN = '11111111-2222-3333-4444-555555555555';
const fast = { initialBackoffMs: 1, maxBackoffMs: 5, ackPollMs: 1 };
async function start(options: Partial<LocalSplunkHecOptions> = {}) {
  server = await LocalSplunkHecServer.start({ tokens: { [TOKEN]: { allowedIndexes: ['main', 'debbie'] } }, ...options });
  return server;
}
const destination = (options: Partial<SplunkHecDestinationOptions> = {}) => new SplunkHecDestination({ url: server!.url, token: TOKEN, ...fast, ...options });
const one = () => [createEvent({ source: 'agent', event_summary: 'hello' })];

describe('SplunkHecDestination', () => {
  it('sends HEC envelopes (time, host, source, sourcetype, index, event, fields) that round-trip', async () => {
    const hec = await start();
    const summary = await exportEvents(syntheticBatches(300, { batchSize: 120 }), destination({ index: 'debbie' }));
    expect(summary).toMatchObject({ written: 300, rejected: 0 });
    expect(hec.events).toHaveLength(300);
    const e = syntheticEvent(11);
    const stored = hec.events[11]!;
    expect(stored.time).toBe(epochMicros(e.timestamp) / 1e6);
    expect(stored).toMatchObject({ host: e.service_name, source: `debbie:${e.source}`, sourcetype: '_json', index: 'debbie' });
    expect(stored.event).toEqual(JSON.parse(JSON.stringify(e)));
    expect(stored.fields).toMatchObject({ session_id: 'sess-synthetic', level: e.level, debbie_source: e.source });
  });

  it('keeps every request under the byte limit by batching', async () => {
    const hec = await start({ maxContentLength: 16 * 1024 });
    const summary = await exportEvents(syntheticBatches(200), destination({ maxBatchBytes: 16 * 1024, gzip: false }));
    expect(summary.written).toBe(200);
    expect(hec.statuses.every((s) => s === 200)).toBe(true);
    expect(hec.statuses.length).toBeGreaterThan(5);
  });

  it('explains a missing, malformed, wrong or disabled token', async () => {
    await start({ tokens: { [TOKEN]: {}, off: { disabled: true } } });
    const send = async (headers: Record<string, string>) => {
      const r = await fetch(`${server!.url}/services/collector/event`, { method: 'POST', headers, body: '{"event":"x"}' });
      return { status: r.status, body: await r.json() };
    };
    expect(await send({})).toEqual({ status: 401, body: { text: 'Token is required', code: 2 } });
    expect(await send({ Authorization: `Bearer ${TOKEN}` })).toEqual({ status: 401, body: { text: 'Invalid authorization', code: 3 } });

    const wrong = destination({ token: 'not-a-token' });
    await wrong.write(one());
    await expect(wrong.close()).rejects.toThrow('Splunk HEC answered 403: "Invalid token" (code 4) — the HEC token is not valid: check --to-token');
    const disabled = destination({ token: 'off' });
    await disabled.write(one());
    await expect(disabled.close()).rejects.toThrow(/"Token disabled" \(code 1\) — the HEC token is disabled/);
    expect(() => new SplunkHecDestination({ url: server!.url, token: '' })).toThrow(/a HEC token is required/);
  });

  it('retries 503 "Server is busy" and 429, then succeeds', async () => {
    const hec = await start({ busyRequests: 2, throttledRequests: 1 });
    const dest = destination();
    await dest.write(one());
    expect(await dest.close()).toMatchObject({ written: 1 });
    expect(hec.statuses).toEqual([429, 503, 503, 200]);
  });

  it('gives up on a server that stays busy: the batch goes to the dead-letter file with the reason (issue 13)', async () => {
    await start({ busyRequests: 10 });
    const deadLetterPath = join(mkdtempSync(join(tmpdir(), 'debbie-hec-')), 'dead.jsonl');
    const dest = destination({ maxAttempts: 3, deadLetterPath });
    await dest.write([...one(), ...one()]);
    expect(await dest.close()).toMatchObject({ written: 0, rejected: 2 });
    const dead = readFileSync(deadLetterPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: number; reason: string });
    expect(dead).toHaveLength(2);
    expect(dead[0]).toMatchObject({ status: 503 });
    expect(dead[0]!.reason).toMatch(/"Server is busy" \(code 9\).*gave up after 3 attempts/);
  });

  it('dead-letters after repeated 500s and after an unreachable server, instead of losing the batch', async () => {
    await start({ failingRequests: 10 });
    const dir = mkdtempSync(join(tmpdir(), 'debbie-hec-'));
    const dest = destination({ maxAttempts: 2, deadLetterPath: join(dir, 'a.jsonl') });
    await dest.write(one());
    expect(await dest.close()).toMatchObject({ written: 0, rejected: 1 });
    expect(readFileSync(join(dir, 'a.jsonl'), 'utf8')).toMatch(/Splunk HEC answered 500/);
    const url = server!.url;
    await server!.stop();
    server = undefined;
    const gone = new SplunkHecDestination({ url, token: TOKEN, ...fast, maxAttempts: 2, deadLetterPath: join(dir, 'b.jsonl') });
    await gone.write(one());
    expect(await gone.close()).toMatchObject({ written: 0, rejected: 1 });
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8')).toMatch(/cannot reach .*gave up after 2 attempts/);
  });

  it('waits what Retry-After asks on 429 and 503 (not its own backoff)', async () => {
    const hec = await start({ throttledRequests: 1, busyRequests: 1, retryAfterSeconds: 7 });
    const delays: number[] = [];
    const dest = destination({
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    await dest.write(one());
    expect(await dest.close()).toMatchObject({ written: 1 });
    expect(hec.statuses).toEqual([429, 503, 200]);
    expect(delays).toEqual([7000, 7000]);
  });

  it('a late answer (timeout after HEC indexed): the resent copy is marked, never a silent duplicate', async () => {
    const hec = await start({ lateRequests: 2, lateAnswerMs: 400 });
    const dest = destination({ timeoutMs: 100, maxAttempts: 4 });
    const events = [createEvent({ source: 'agent', event_summary: 'a' }), createEvent({ source: 'agent', event_summary: 'b' })];
    await dest.write(events);
    const summary = await dest.close();
    expect(summary).toMatchObject({ written: 2, rejected: 0 });
    expect(summary.resent).toBeGreaterThan(0);
    // Every event is indexed once unmarked; each further copy carries debbie_resend and its event_id.
    for (const e of events) {
      const copies = hec.events.filter((x) => x.fields?.event_id === e.event_id);
      expect(copies.filter((c) => c.fields?.debbie_resend === undefined)).toHaveLength(1);
      expect(copies.length).toBeGreaterThan(1);
      expect(copies.slice(1).every((c) => typeof c.fields?.debbie_resend === 'string')).toBe(true);
    }
  });

  it('a 500 after HEC took the data: the retry is marked; a 503 (not taken) retry is not', async () => {
    const hec = await start({ failAfterIndexRequests: 1 });
    const dest = destination();
    await dest.write(one());
    expect(await dest.close()).toMatchObject({ written: 1, resent: 1 });
    expect(hec.events.map((e) => e.fields?.debbie_resend)).toEqual([undefined, '1']);
    const busy = await LocalSplunkHecServer.start({ tokens: { [TOKEN]: {} }, busyRequests: 1 });
    try {
      const d2 = new SplunkHecDestination({ url: busy.url, token: TOKEN, ...fast });
      await d2.write(one());
      expect(await d2.close()).toMatchObject({ written: 1, resent: 0 });
      expect(busy.events.map((e) => e.fields?.debbie_resend)).toEqual([undefined]);
    } finally {
      await busy.stop();
    }
  });

  it('names the index a token may not write to', async () => {
    await start();
    const dest = destination({ index: 'secret' });
    await dest.write(one());
    await expect(dest.close()).rejects.toThrow(/"Incorrect index" \(code 7\) — the index is not allowed for this token/);
  });

  it('waits for indexer acknowledgment on a channel', async () => {
    const hec = await start({ tokens: { [TOKEN]: { ack: true } }, ackPendingPolls: 2 });
    const dest = destination({ ack: true, maxBatchEvents: 10 });
    await exportEvents(syntheticBatches(25), dest);
    expect(hec.events).toHaveLength(25);
    // Without a channel, an ack-enabled token refuses with code 10.
    const noAck = destination();
    await noAck.write(one());
    await expect(noAck.close()).rejects.toThrow(/"Data channel is missing" \(code 10\)/);
  });

  it('dead-letters the one event HEC refuses and resends those after it', async () => {
    const hec = await start();
    const deadLetterPath = join(mkdtempSync(join(tmpdir(), 'debbie-hec-')), 'dead.jsonl');
    const dest = destination({ deadLetterPath });
    // A blank event field: built by hand, as our transform never makes one.
    const events = [
      createEvent({ source: 'agent', event_summary: 'a' }),
      createEvent({ source: 'agent', event_summary: 'b' }),
      createEvent({ source: 'agent', event_summary: 'c' }),
    ];
    await dest.write(events);
    const batch = (dest as unknown as { batcher: { items: { json: string; document: unknown }[] } }).batcher.items;
    const blank = JSON.stringify({ ...JSON.parse(batch[1]!.json), event: '' });
    batch[1] = { json: blank, document: JSON.parse(blank) };
    expect(await dest.close()).toMatchObject({ written: 2, rejected: 1 });
    expect(hec.events.map((e) => (e.event as { event_summary: string }).event_summary)).toEqual(['a', 'c']);
    const dead = JSON.parse(readFileSync(deadLetterPath, 'utf8')) as { status: number; reason: string; document: { event: string } };
    expect(dead.status).toBe(400);
    expect(dead.reason).toMatch(/"Event field cannot be blank" \(code 13\).*event #1 of the batch/);
    expect(dead.document.event).toBe('');
  });
});

describe('splitConcatenatedJson', () => {
  it('splits objects written back to back, with or without whitespace, braces inside strings included', () => {
    expect(splitConcatenatedJson('{"a":"}{"}{"b":1}\n {"c":[1,{"d":"\\"}"}]}')).toEqual(['{"a":"}{"}', '{"b":1}', '{"c":[1,{"d":"\\"}"}]}']);
  });
});
