import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { assertSafeBind, checkBearer, checkLoopbackHostHeader, HttpError, isLoopbackHost, json } from '@debbie/collector';
import type { EventReader } from '@debbie/model';
import { ConsoleRoutes } from './ConsoleRoutes.js';
import { StaticAssets } from './staticAssets.js';

export interface ConsoleServerOptions {
  /** Read sessions from this store (`debbie ui --store`)… */
  reader?: EventReader;
  /** …or forward the console's API to a running collector (`debbie ui --url`), live stream included. */
  upstream?: { url: string; token?: string | undefined };
  /** Default 127.0.0.1; any other address requires a token. */
  host?: string;
  /** Default 4319; 0 picks a free port. */
  port?: number;
  /** Bearer token browsers must present (the login page asks for it). */
  token?: string | undefined;
  /** Silence that shows a live session as stalled (store mode; default 30 s). */
  stallMs?: number;
}

export interface RunningConsole {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * `debbie ui`: the console on its own HTTP server, over a store on disk or in front of a running
 * collector (its /console/api/ forwarded with the collector's token, so the browser never needs it
 * unless this server is exposed).
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<RunningConsole> {
  const host = options.host ?? '127.0.0.1';
  assertSafeBind(host, options.token, 'the console');
  if (!options.reader === !options.upstream) throw new Error('startConsoleServer needs exactly one of reader or upstream');
  const routes = options.reader
    ? new ConsoleRoutes({ reader: options.reader, ...(options.stallMs !== undefined ? { stallMs: options.stallMs } : {}) })
    : undefined;
  const assets = routes ? undefined : new StaticAssets();
  const loopbackOpen = !options.token && isLoopbackHost(host);
  const pending = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const work = (async () => {
      const url = new URL(req.url ?? '/', 'http://console');
      try {
        if (url.pathname === '/health') return json(res, 200, { status: 'ok' });
        if (loopbackOpen) checkLoopbackHostHeader(req);
        if (req.method === 'GET' || req.method === 'HEAD') {
          if (routes ? routes.serveAsset(url.pathname, req, res) : assets!.serve(url.pathname, res, req.method === 'HEAD')) return;
        }
        checkBearer(req, options.token);
        if (routes) {
          if (await routes.handle(url, req, res)) return;
        } else if (url.pathname.startsWith('/console/api/')) {
          return forward(options.upstream!, url, req, res);
        }
        throw new HttpError(404, `no such endpoint: ${url.pathname}`);
      } catch (error) {
        const e = error instanceof HttpError ? error : new HttpError(500, (error as Error).message);
        if (!res.headersSent)
          json(
            res,
            e.status,
            {
              error: {
                code: e.status === 401 ? 'unauthorized' : e.status === 403 ? 'forbidden' : e.status === 404 ? 'not_found' : 'bad_request',
                message: e.message,
              },
            },
            e.headers,
          );
        else res.destroy();
      }
    })();
    pending.add(work);
    void work.finally(() => pending.delete(work));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4319, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await Promise.allSettled([...pending]);
      await closed;
    },
  };
}

/** Forwards a console API request to the collector, streaming the answer (SSE included). */
function forward(upstream: { url: string; token?: string | undefined }, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const target = new URL(url.pathname + url.search, `${upstream.url.replace(/\/+$/, '')}/`);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const out = send(
      target,
      {
        method: 'GET',
        headers: { accept: req.headers.accept ?? '*/*', ...(upstream.token ? { authorization: `Bearer ${upstream.token}` } : {}) },
      },
      (up) => {
        const headers: Record<string, string> = {};
        for (const k of ['content-type', 'cache-control', 'content-length']) if (up.headers[k]) headers[k] = String(up.headers[k]);
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
        up.on('end', () => resolve());
        up.on('error', () => {
          res.destroy();
          resolve();
        });
      },
    );
    const cancel = () => out.destroy();
    res.on('close', cancel);
    out.on('error', (error) => {
      if (!res.headersSent)
        json(res, 502, { error: { code: 'upstream_unreachable', message: `the collector at ${upstream.url} did not answer: ${error.message}` } });
      else res.destroy();
      resolve();
    });
    out.end();
  });
}
