import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PipelineUnavailableError, type Pipeline } from '@debbie/pipeline';
import { assertSafeBind, checkBearer, checkLoopbackHostHeader, isLoopbackHost } from './auth.js';
import { HttpError } from './HttpError.js';
import { handlePostEvents } from './postEvents.js';
import { json, type QueryApi } from './QueryApi.js';
import { sendStatus, unavailable, type OtlpReceiver } from './OtlpReceiver.js';

/**
 * A web UI served next to the APIs (the console). Its assets are public code, served without the
 * token (a browser cannot send one with a page load); its data routes sit behind the token.
 */
export interface CollectorUi {
  /** Serves GET `path` when it is one of the UI's assets (/, /assets/…); false otherwise. */
  serveAsset(path: string, req: IncomingMessage, res: ServerResponse): boolean;
  /** Handles a data route of the UI (behind the token); resolves false when not one. */
  handle(url: URL, req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export interface CollectorServerOptions {
  receiver: OtlpReceiver;
  /** The read API under /api/; omitted → /api/ answers 404. */
  queryApi?: QueryApi | undefined;
  /** Default 127.0.0.1. Any other address requires a token. */
  host?: string;
  /** Default 4318 (the OTLP/HTTP port); 0 picks a free one. */
  port?: number;
  /** Bearer token required on every endpoint but /health. Default: none (loopback only). */
  token?: string | undefined;
  /** Where POST /api/events writes (the pipeline); omitted → that endpoint answers 404. */
  eventSink?: Pick<Pipeline, 'writeBatch' | 'checkAvailable'> | undefined;
  /** Largest POST /api/events body. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Time a client has to send a request's headers. Default 10 s. */
  headersTimeoutMs?: number;
  /** The web console at / (omitted → / answers 404). */
  ui?: CollectorUi | undefined;
}

/**
 * One HTTP server for OTLP ingest (POST /v1/traces, /v1/logs) and the query API (GET /api/…),
 * with bearer-token auth and /health for probes.
 */
export class CollectorServer {
  private readonly server: Server;
  private readonly options: CollectorServerOptions;
  private readonly pending = new Set<Promise<void>>();

  constructor(options: CollectorServerOptions) {
    this.options = options;
    assertSafeBind(options.host ?? '127.0.0.1', options.token, 'the collector');
    // Checks header and request timeouts every second (Node's default is every 30 s).
    this.server = createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
      const work = this.route(req, res);
      this.pending.add(work);
      void work.finally(() => this.pending.delete(work));
    });
    this.server.keepAliveTimeout = 30_000;
    // Slow or idle senders cannot hold connections: headers must arrive in time, a body that goes
    // idle is cut by readBody, and no request may take longer than two minutes in all.
    this.server.headersTimeout = options.headersTimeoutMs ?? 10_000;
    this.server.requestTimeout = 120_000;
  }

  /** Starts listening; resolves with the bound port. */
  listen(): Promise<number> {
    const { host = '127.0.0.1', port = 4318 } = this.options;
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** The base URL clients use (http://host:port). */
  get url(): string {
    const addr = this.server.address() as AddressInfo | null;
    const host = addr?.family === 'IPv6' ? `[${addr.address}]` : (addr?.address ?? this.options.host ?? '127.0.0.1');
    return `http://${host}:${addr?.port ?? this.options.port ?? 4318}`;
  }

  /** Stops accepting connections and waits for requests in progress to finish. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await Promise.allSettled([...this.pending]);
    this.server.closeAllConnections();
    await closed;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://collector');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const isOtlp = path === '/v1/traces' || path === '/v1/logs';
    try {
      if (path === '/health') return json(res, 200, { status: 'ok' });
      const loopbackOpen = !this.options.token && isLoopbackHost(this.options.host ?? '127.0.0.1');
      const ui = this.options.ui;
      if (ui && (req.method === 'GET' || req.method === 'HEAD') && !isOtlp && !path.startsWith('/api')) {
        if (loopbackOpen) checkLoopbackHostHeader(req);
        if (ui.serveAsset(path, req, res)) return;
      }
      checkBearer(req, this.options.token);
      if (loopbackOpen) checkLoopbackHostHeader(req);
      if (ui && !isOtlp && (await ui.handle(url, req, res))) return;
      if (isOtlp) {
        if (req.method !== 'POST') throw new HttpError(405, `use POST for ${path}`, 12, { Allow: 'POST' });
        return await this.options.receiver.handle(path === '/v1/traces' ? 'traces' : 'logs', req, res);
      }
      if (path === '/api/events' && req.method === 'POST' && this.options.eventSink) {
        return await handlePostEvents(req, res, this.options.eventSink, this.options.maxBodyBytes ?? 16 * 1024 * 1024);
      }
      if (path === '/api' || path.startsWith('/api/')) {
        if (!this.options.queryApi) throw new HttpError(404, 'this collector has no query API (no store)', 5);
        return await this.options.queryApi.handle(url, req, res);
      }
      if (path === '/v1/metrics') throw new HttpError(404, 'metrics are not collected by Debbie; send traces and logs', 12);
      throw new HttpError(404, `no such endpoint: ${path}`, 5);
    } catch (error) {
      const e =
        error instanceof HttpError ? error : error instanceof PipelineUnavailableError ? unavailable(error) : new HttpError(500, (error as Error).message, 13);
      req.resume();
      if (isOtlp) {
        const proto = /protobuf/i.test(String(req.headers['content-type'] ?? ''));
        sendStatus(res, proto ? 'protobuf' : 'json', e);
      } else if (!res.headersSent) {
        const code =
          e.status === 401
            ? 'unauthorized'
            : e.status === 403
              ? 'forbidden'
              : e.status === 404
                ? 'not_found'
                : e.status === 503
                  ? 'unavailable'
                  : e.status >= 500
                    ? 'internal'
                    : 'bad_request';
        json(res, e.status, { error: { code, message: e.message } }, e.headers);
      }
    }
  }
}
