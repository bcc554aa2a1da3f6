import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollect, type Collector } from './collectProcess.js';

// Promise: a web page the user opens can never read Debbie's live stream. The WebSocket stream of
// a real `debbie collect` refuses (403, nothing delivered) any request with a browser Origin and,
// without a token, any Host that is not this machine (DNS rebinding), like the HTTP API does.

let collector: Collector;
beforeAll(async () => {
  collector = await startCollect();
});
afterAll(async () => {
  await collector?.stop();
});

function upgrade(url: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const { port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), text }));
    const lines = [
      `GET ${pathname}?replay=true HTTP/1.1`,
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    setTimeout(() => socket.end(), 700);
  });
}

describe('fault: hostile WebSocket origins against debbie collect', () => {
  it('sends events first, so a leak would show', async () => {
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [] },
          scopeLogs: [{ logRecords: [{ timeUnixNano: String(Date.now() * 1e6), body: { stringValue: 'private agent message' } }] }],
        },
      ],
    };
    const res = await fetch(`${collector.api}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a foreign site', { Origin: 'http://evil.example' }],
    ['a page on another local port', { Origin: 'http://localhost:8080' }],
    ['a sandboxed frame (null origin)', { Origin: 'null' }],
    ['an https site', { Origin: 'https://attacker.test' }],
  ])('refuses %s with 403 and delivers nothing', async (_what, headers) => {
    const port = new URL(collector.stream).port;
    const r = await upgrade(collector.stream, { Host: `127.0.0.1:${port}`, ...headers });
    expect(r.status).toBe(403);
    expect(r.text).not.toContain('private agent message');
  });

  it('refuses DNS rebinding (Host: evil.example) with 403', async () => {
    const port = new URL(collector.stream).port;
    const r = await upgrade(collector.stream, { Host: `evil.example:${port}` });
    expect(r.status).toBe(403);
    expect(r.text).not.toContain('private agent message');
  });

  it('still serves a command-line client (no Origin, loopback Host)', async () => {
    const port = new URL(collector.stream).port;
    const r = await upgrade(collector.stream, { Host: `127.0.0.1:${port}` });
    expect(r.status).toBe(101);
    expect(r.text).toContain('private agent message');
  });
});
