import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createEvent, type DebbieEvent, type DebbieEventInit } from '@debbie/model';
import { LogStreamer } from './LogStreamer.js';
import { startStreamServer, isLoopbackHost, type StreamServer } from './StreamServer.js';
import { StreamClient } from './StreamClient.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(options: Partial<Parameters<typeof startStreamServer>[0]> = {}): Promise<{ streamer: LogStreamer; server: StreamServer }> {
  const streamer = options.streamer ?? new LogStreamer();
  const server = await startStreamServer({ port: 0, ...options, streamer });
  cleanups.push(() => server.close());
  return { streamer, server };
}

let n = 0;
const ev = (init: Partial<DebbieEventInit> = {}): DebbieEvent => createEvent({ source: 'agent', event_summary: `event ${++n}`, ...init });

/** A raw `ws` client that collects every message as parsed JSON. */
function rawClient(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    waiters.splice(0).forEach((w) => w());
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', resolve);
    ws.on('error', reject);
  });
  cleanups.push(() => ws.terminate());
  return {
    ws,
    messages,
    closed,
    opened,
    async waitFor(count: number) {
      while (messages.length < count) await new Promise<void>((r) => waiters.push(r));
      return messages.slice(0, count);
    },
  };
}

/** Waits until the server has registered `count` clients (the upgrade finishes asynchronously). */
async function clients(server: StreamServer, count: number): Promise<void> {
  while (server.stats().clients.length !== count) await new Promise((r) => setTimeout(r, 5));
}

describe('startStreamServer', () => {
  it('streams JSON DebbieEvents filtered by the query parameters, replay first', async () => {
    const { streamer, server } = await serve();
    streamer.write(ev({ source: 'tool', event_summary: 'buffered tool' }));
    streamer.write(ev({ source: 'agent', event_summary: 'buffered agent' }));
    const client = rawClient(`${server.url}?source=tool`);
    await client.opened;
    await clients(server, 1);
    streamer.write(ev({ source: 'agent', event_summary: 'live agent' }));
    streamer.write(ev({ source: 'tool', event_summary: 'live tool' }));
    const got = await client.waitFor(2);
    expect(got.map((m) => [m.source, m.event_summary])).toEqual([
      ['tool', 'buffered tool'],
      ['tool', 'live tool'],
    ]);
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('skips the replay with replay=false', async () => {
    const { streamer, server } = await serve();
    streamer.write(ev({ event_summary: 'old' }));
    const client = rawClient(`${server.url}?replay=false`);
    await client.opened;
    await clients(server, 1);
    streamer.write(ev({ event_summary: 'new' }));
    expect((await client.waitFor(1))[0]?.event_summary).toBe('new');
  });

  it('answers an invalid filter with an error message and close 1008, and keeps serving others', async () => {
    const { streamer, server } = await serve();
    const bad = rawClient(`${server.url}?source=toool`);
    const { code, reason } = await bad.closed;
    expect(code).toBe(1008);
    expect(reason).toMatch(/unknown source "toool"/);
    expect(bad.messages).toEqual([
      { stream: 'error', code: 'invalid_filter', message: expect.stringMatching(/--source: unknown source "toool"; expected one of debbie, debbie_comment/) },
    ]);

    const typo = rawClient(`${server.url}?sorce=tool`);
    expect((await typo.closed).code).toBe(1008);
    expect(typo.messages[0]?.message).toMatch(/unknown query parameter "sorce"/);
    const badTime = rawClient(`${server.url}?since=yesterday`);
    expect((await badTime.closed).reason).toMatch(/"yesterday" is not an ISO-8601 timestamp/);

    const good = rawClient(server.url);
    await good.opened;
    await clients(server, 1);
    streamer.write(ev({ event_summary: 'still up' }));
    expect((await good.waitFor(1))[0]?.event_summary).toBe('still up');
    expect(server.stats().invalidFilters).toBe(3);
  });

  it('survives garbage from a client: a huge message closes only that client', async () => {
    const { streamer, server } = await serve();
    const rude = rawClient(server.url);
    await rude.opened;
    rude.ws.send('x'.repeat(100_000));
    expect((await rude.closed).code).toBe(1009);
    const good = rawClient(server.url);
    await good.opened;
    await clients(server, 1);
    streamer.write(ev({ event_summary: 'alive' }));
    expect((await good.waitFor(1))[0]?.event_summary).toBe('alive');
  });

  it('answers a plain HTTP request and an unknown path without upgrading', async () => {
    const { server } = await serve({ path: '/stream' });
    const res = await fetch(server.url.replace('ws:', 'http:'));
    expect(res.status).toBe(426);
    expect(await res.text()).toMatch(/debbie tail --url ws:\/\/127\.0\.0\.1:\d+\/stream/);
    const wrong = rawClient(server.url.replace('/stream', '/other'));
    await expect(wrong.opened).rejects.toThrow(/Unexpected server response: 404/);
  });

  it('with a token: refuses upgrades without it or with a wrong one (401), accepts the right one', async () => {
    const { streamer, server } = await serve({ token: 's3cret' });
    await expect(rawClient(server.url).opened).rejects.toThrow(/Unexpected server response: 401/);
    await expect(rawClient(server.url, { authorization: 'Bearer wrong' }).opened).rejects.toThrow(/401/);
    const ok = rawClient(server.url, { authorization: 'Bearer s3cret' });
    await ok.opened;
    await clients(server, 1);
    streamer.write(ev({ event_summary: 'for the owner' }));
    expect((await ok.waitFor(1))[0]?.event_summary).toBe('for the owner');
    expect(server.stats().refused).toBe(2);
  });

  it('refuses to bind beyond loopback without a token', async () => {
    await expect(startStreamServer({ streamer: new LogStreamer(), host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /binding the stream to 0\.0\.0\.0 exposes it beyond this machine, so a bearer token is required/,
    );
    await expect(startStreamServer({ streamer: new LogStreamer(), port: 0, token: '' })).rejects.toThrow(/token is empty/);
    // Blank, or shorter than 16 characters off loopback (issue 13), as the collector's HTTP API refuses.
    await expect(startStreamServer({ streamer: new LogStreamer(), port: 0, token: '   ' })).rejects.toThrow(/empty or blank/);
    await expect(startStreamServer({ streamer: new LogStreamer(), host: '0.0.0.0', port: 0, token: 'a' })).rejects.toThrow(
      /a token of 1 characters is too easy to guess on 0\.0\.0\.0; use at least 16/,
    );
    expect(['127.0.0.1', 'localhost', '::1', '127.1.2.3'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '192.168.1.5', '::'].some(isLoopbackHost)).toBe(false);
  });

  it('reports a port in use as a clear error', async () => {
    const { server } = await serve();
    await expect(startStreamServer({ streamer: new LogStreamer(), port: server.port })).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${server.port}: EADDRINUSE \\(the port is in use`),
    );
  });

  it('refuses clients beyond maxClients with 503', async () => {
    const { server } = await serve({ maxClients: 1 });
    await rawClient(server.url).opened;
    await expect(rawClient(server.url).opened).rejects.toThrow(/503/);
  });

  it("drops a slow client's oldest events, counts them and tells the client, with bounded buffers", async () => {
    const { streamer, server } = await serve({ maxQueue: 100, maxBufferedBytes: 64 * 1024 });
    const slow = rawClient(server.url);
    await slow.opened;
    await clients(server, 1);
    // Stop reading: the kernel buffers fill, then ws.bufferedAmount, then the subscription queue drops.
    slow.ws.pause();
    const details = { blob: 'x'.repeat(2000) };
    for (let i = 0; i < 20_000; i += 1) {
      streamer.write(ev({ event_summary: `#${i}`, details }));
      if (i % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 50));
    const [info] = server.stats().clients;
    expect(info!.dropped).toBeGreaterThan(0);
    expect(info!.queued).toBeLessThanOrEqual(100);
    expect(info!.bufferedAmount).toBeLessThan(64 * 1024 + 10_000);
    slow.ws.resume();
    // The client hears about the drops once it reads again.
    await new Promise<void>((resolve) => {
      const check = () => (slow.messages.some((m) => m.stream === 'dropped') ? resolve() : setTimeout(check, 10));
      check();
    });
    const notice = slow.messages.find((m) => m.stream === 'dropped');
    expect(notice?.dropped).toBeGreaterThan(0);
    const delivered = slow.messages.filter((m) => m.event_id).length;
    expect(delivered).toBeLessThan(20_000);
  });

  it('closes clients with 1001 when the server closes, and their subscriptions go away', async () => {
    const { streamer, server } = await serve();
    const client = rawClient(server.url);
    await client.opened;
    await clients(server, 1);
    await server.close();
    expect((await client.closed).code).toBe(1001);
    expect(streamer.stats().subscribers).toHaveLength(0);
  });
});

describe('StreamClient', () => {
  it('iterates validated events matching its filter, live after replay', async () => {
    const { streamer, server } = await serve();
    streamer.write(ev({ source: 'tool', event_summary: 'replayed' }));
    const client = new StreamClient({ url: server.url, filter: { sources: ['tool'] } });
    cleanups.push(() => client.close());
    const seen: string[] = [];
    await client.connect();
    await clients(server, 1);
    streamer.write(ev({ source: 'agent', event_summary: 'not for me' }));
    streamer.write(ev({ source: 'tool', event_summary: 'live' }));
    for await (const event of client) {
      seen.push(event.event_summary);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual(['replayed', 'live']);
    await clients(server, 0);
  });

  it('ends when the server shuts down the stream', async () => {
    const { streamer, server } = await serve();
    const client = new StreamClient({ url: server.url });
    await client.connect();
    await clients(server, 1);
    streamer.write(ev({ event_summary: 'one' }));
    await streamer.shutdown();
    const seen: string[] = [];
    for await (const event of client) seen.push(event.event_summary);
    expect(seen).toEqual(['one']);
  });

  it('turns a connection refused into an error naming the URL and `debbie collect`', async () => {
    const { server } = await serve();
    const url = server.url;
    await server.close();
    const client = new StreamClient({ url });
    await expect(client.connect()).rejects.toThrow(
      `cannot connect to ${url}: connection refused. Is a collector running there? Start one with \`debbie collect\``,
    );
  });

  it('explains a missing token and a rejected filter', async () => {
    const { server } = await serve({ token: 'tok' });
    await expect(new StreamClient({ url: server.url }).connect()).rejects.toThrow(
      /401 Unauthorized\): pass the collector's token with --token or DEBBIE_TOKEN/,
    );
    const client = new StreamClient({ url: server.url, token: 'tok', filter: { since: 'nonsense' } as never });
    const iterate = async () => {
      for await (const _e of client) {
        /* none */
      }
    };
    await expect(iterate()).rejects.toThrow(/"nonsense" is not an ISO-8601 timestamp/);
  });

  it('skips and counts messages that are not valid DebbieEvents', async () => {
    const { server: real } = await serve();
    await real.close();
    // A fake server speaking the protocol badly.
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.on('listening', r));
    cleanups.push(() => new Promise((r) => wss.close(r)));
    wss.on('connection', (ws) => {
      ws.send('not json');
      ws.send(JSON.stringify({ level: 'INFO' }));
      ws.send(JSON.stringify(ev({ event_summary: 'good' })));
      ws.close(1000);
    });
    const invalid: string[] = [];
    const client = new StreamClient({ url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, onInvalid: (e) => invalid.push(e.message) });
    const seen: string[] = [];
    for await (const event of client) seen.push(event.event_summary);
    expect(seen).toEqual(['good']);
    expect(client.invalidMessages).toBe(2);
    expect(invalid[0]).toMatch(/not JSON/);
    expect(invalid[1]).toMatch(/stream message: field "timestamp" is required/);
  });

  it('refuses a URL that is not ws(s)', () => {
    expect(() => new StreamClient({ url: 'ftp://x' })).toThrow(/must be a ws:\/\/ or wss:\/\/ URL/);
    expect(() => new StreamClient({ url: 'nope' })).toThrow(/is not a URL/);
  });
});

describe('StreamServer Host and Origin (issue 13: any web page could read the live stream)', () => {
  /** Sends a raw upgrade request and returns the status line and body the server answers. */
  async function upgrade(port: number, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    const { connect } = await import('node:net');
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), text }));
      const lines = [
        'GET / HTTP/1.1',
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
      setTimeout(() => socket.end(), 500);
    });
  }

  it('refuses a hostile Origin with 403 and delivers nothing, even buffered events', async () => {
    const { streamer, server } = await serve();
    streamer.write(ev({ event_summary: 'buffered secret-ish' }));
    const r = await upgrade(server.port, { Host: `127.0.0.1:${server.port}`, Origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/Origin "http:\/\/evil\.example" may not read the stream/);
    expect(r.text).not.toContain('buffered');
    expect(server.stats().refused).toBe(1);
    expect(server.stats().accepted).toBe(0);
  });

  it('refuses a loopback Origin too (another local page), and the null origin of sandboxed frames', async () => {
    const { server } = await serve();
    for (const origin of ['http://localhost:3000', 'null', `http://127.0.0.1:${server.port}`]) {
      expect((await upgrade(server.port, { Host: `127.0.0.1:${server.port}`, Origin: origin })).status, origin).toBe(403);
    }
  });

  it('refuses a Host that is not this machine (DNS rebinding) when no token is set', async () => {
    const { server } = await serve();
    const r = await upgrade(server.port, { Host: `evil.example:${server.port}` });
    expect(r.status).toBe(403);
    expect(r.text).toMatch(/Host "evil\.example:\d+" is not this machine/);
  });

  it('accepts command-line clients (no Origin) and origins on the explicit allow-list', async () => {
    const { streamer, server } = await serve({ allowedOrigins: ['http://localhost:5173/'] });
    expect((await upgrade(server.port, { Host: `localhost:${server.port}` })).status).toBe(101);
    expect((await upgrade(server.port, { Host: `[::1]:${server.port}`, Origin: 'http://LOCALHOST:5173' })).status).toBe(101);
    streamer.write(ev({ event_summary: 'hello' }));
    const client = rawClient(server.url);
    await client.opened;
    expect((await client.waitFor(1))[0]).toMatchObject({ event_summary: 'hello' });
  });
});
