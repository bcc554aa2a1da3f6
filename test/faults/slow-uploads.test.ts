import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector, type RunningCollector } from '@debbie/collector';
import { openStore } from '@debbie/store';

// Promises checked: the in-flight budget counts bytes actually received, so four idle chunked
// uploads cannot starve other senders; an idle body is cut (408, connection closed) and a client
// that never finishes its headers is disconnected — each after a bounded time.
let collector: RunningCollector | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  await collector?.close();
  collector = undefined;
});

function spansJson(n: number, offset: number): string {
  const spans = Array.from({ length: n }, (_, i) => ({
    traceId: (offset + i + 1).toString(16).padStart(32, '0'),
    spanId: (offset + i + 1).toString(16).padStart(16, '0'),
    name: 'ok',
    startTimeUnixNano: '1700000000000000000',
    endTimeUnixNano: '1700000000001000000',
    attributes: [{ key: 'session.id', value: { stringValue: 'slow' } }],
  }));
  return JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
    sockets.push(s);
  });
}

const closed = (s: Socket) =>
  new Promise<string>((resolve) => {
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
    });
    s.on('close', () => resolve(got));
  });

describe('slow and idle uploads', () => {
  it('four idle chunked uploads hold only what they sent: others still get 200; the idle ones are cut', async () => {
    const store = await openStore(':memory:');
    collector = await startCollector({ port: 0, store, maxInflightBytes: 1024 * 1024, idleBodyTimeoutMs: 1500 });
    const port = collector.port;
    const idle = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const s = await open(port);
        const chunk = 'x'.repeat(1000);
        s.write(
          `POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n`,
        );
        return { socket: s, done: closed(s) };
      }),
    );
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: spansJson(50, i * 50) });
      expect(res.status).toBe(200);
    }
    // The idle uploads are cut after their idle timeout (bounded wait: the test times out otherwise).
    for (const { done } of idle) await done;
    expect(collector.stats().receiver.requests_failed).toBeGreaterThanOrEqual(4);
    expect(await store.countEvents({ sessionId: 'slow' })).toBe(250);
  }, 60_000);

  it('a client that never finishes its headers is disconnected', async () => {
    collector = await startCollector({ port: 0, store: await openStore(':memory:'), headersTimeoutMs: 1000 });
    const s = await open(collector.port);
    s.write('POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl');
    const answer = await closed(s);
    expect(answer).toMatch(/^HTTP\/1\.1 408|^$/); // Node answers 408 Request Timeout, or just closes
    const res = await fetch(`${collector.url}/health`);
    expect(res.status).toBe(200);
  }, 60_000);
});
