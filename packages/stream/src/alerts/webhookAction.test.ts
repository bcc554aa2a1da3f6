import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEvent } from '@debbie/model';
import { LogStreamer } from '../LogStreamer.js';
import { webhookAction } from './webhookAction.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A real HTTP server on 127.0.0.1 that records JSON bodies and answers with `status`. */
async function hookServer(status: number, delayMs = 0): Promise<{ url: string; bodies: unknown[]; headers: Record<string, unknown>[] }> {
  const bodies: unknown[] = [];
  const headers: Record<string, unknown>[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      headers.push(req.headers);
      setTimeout(() => {
        res.writeHead(status);
        res.end('ok');
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hook`, bodies, headers };
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

const errorEvent = () => createEvent({ source: 'tool', level: 'ERROR', event_summary: 'tool failed', session_id: 's1' });

describe('webhookAction', () => {
  it('POSTs the alert name and the event as JSON to the URL', async () => {
    const hook = await hookServer(204);
    const streamer = new LogStreamer();
    streamer.addAlert({ name: 'errors', condition: { minLevel: 'ERROR' }, action: webhookAction({ url: hook.url, headers: { authorization: 'Bearer x' } }) });
    const event = errorEvent();
    streamer.write(event);
    await streamer.forceFlush();
    expect(hook.bodies).toEqual([{ alert: 'errors', suppressed: 0, event: JSON.parse(JSON.stringify(event)) }]);
    expect(hook.headers[0]).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer x' });
    expect(streamer.stats().alerts[0]).toMatchObject({ fired: 1, failed: 0 });
  });

  it('counts a non-2xx answer as a failure with the status in lastError', async () => {
    const hook = await hookServer(500);
    const streamer = new LogStreamer();
    streamer.addAlert({ name: 'errors', condition: {}, action: webhookAction({ url: hook.url }) });
    streamer.write(errorEvent());
    await streamer.forceFlush();
    expect(streamer.stats().alerts[0]).toMatchObject({ failed: 1, lastError: `webhook ${hook.url} answered 500 Internal Server Error` });
  });

  it('counts a timeout and a refused connection as failures, never throwing into write', async () => {
    const hook = await hookServer(200, 2000);
    const streamer = new LogStreamer();
    streamer.addAlert({ name: 'slow', condition: {}, action: webhookAction({ url: hook.url, timeoutMs: 50 }) });
    const downUrl = `http://127.0.0.1:${await closedPort()}/hook`;
    streamer.addAlert({ name: 'down', condition: {}, action: webhookAction({ url: downUrl }) });
    expect(() => streamer.write(errorEvent())).not.toThrow();
    await streamer.forceFlush();
    const [slow, down] = streamer.stats().alerts;
    expect(slow).toMatchObject({ failed: 1, lastError: `webhook ${hook.url}: timed out after 50 ms` });
    expect(down).toMatchObject({ failed: 1, lastError: `webhook ${downUrl}: ECONNREFUSED` });
  });

  it('refuses a URL that is not http(s) when the alert is configured', () => {
    expect(() => webhookAction({ url: 'not a url' })).toThrow(/not a valid URL/);
    expect(() => webhookAction({ url: 'file:///etc/passwd' })).toThrow(/must be http or https/);
  });
});
