import type { IncomingMessage, ServerResponse } from 'node:http';
import { DebbieError, filterFromSearchParams, type EventReader } from '@debbie/model';
import { HttpError, httpErrorOf } from './HttpError.js';

export interface QueryApiOptions {
  reader: EventReader;
  /** Largest page of /api/events as a JSON array; clients page with offset (or use NDJSON). Default 10,000. */
  maxPageSize?: number;
  /** Extra read-only JSON under /api/stats. */
  stats?: () => unknown;
  /** Run before each read, e.g. the store's forceFlush, so a query sees everything received so far. */
  beforeRead?: () => Promise<void>;
}

/** Header telling a client the page was cut at maxPageSize and where the next page starts. */
export const NEXT_OFFSET_HEADER = 'x-debbie-next-offset';

function intParam(params: URLSearchParams, name: string, min: number): number | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new HttpError(400, `query parameter "${name}" must be an integer ≥ ${min} (got "${v}")`);
  return Number(v);
}

function orderParam(params: URLSearchParams): 'asc' | 'desc' | undefined {
  const v = params.get('order');
  if (v === null || v === '') return undefined;
  if (v !== 'asc' && v !== 'desc') throw new HttpError(400, `query parameter "order" must be asc or desc (got "${v}")`);
  return v;
}

/**
 * The read side of the collector, HTTP + JSON over an EventReader:
 * GET /api/sessions, /api/events (JSON array pages, or NDJSON with format=ndjson),
 * /api/events/count, /api/correlation/:id, /api/sessions/:id/timeline, /api/sessions/:id/tree, /api/stats.
 * Errors are JSON: {"error": {"code", "message"}}.
 */
export class QueryApi {
  private readonly reader: EventReader;
  private readonly maxPageSize: number;
  private readonly stats: (() => unknown) | undefined;
  private readonly beforeRead: (() => Promise<void>) | undefined;

  constructor(options: QueryApiOptions) {
    this.reader = options.reader;
    this.beforeRead = options.beforeRead;
    this.maxPageSize = options.maxPageSize ?? 10_000;
    this.stats = options.stats;
  }

  /** Handles a GET under /api/. Never throws. */
  async handle(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}; the query API is read-only (GET)`);
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent); // ['api', ...]
      const p = url.searchParams;
      const [, a, b, c] = parts;
      if (this.beforeRead && a !== 'stats') await this.beforeRead();
      if (a === 'sessions' && b === undefined) {
        // ?limit=&offset=&order=desc page the sessions (newest first with desc), as the stores do.
        const order = orderParam(p);
        const limit = intParam(p, 'limit', 0);
        const offset = intParam(p, 'offset', 0);
        const prefix = p.get('prefix');
        return json(
          res,
          200,
          await this.reader.listSessions({
            ...(prefix !== null ? { idPrefix: prefix } : {}),
            ...(limit !== undefined ? { limit } : {}),
            ...(offset !== undefined ? { offset } : {}),
            ...(order ? { order } : {}),
          }),
        );
      }
      if (a === 'sessions' && b !== undefined && c === 'timeline' && parts.length === 4) {
        const gap = intParam(p, 'gapThresholdMs', 0);
        return json(res, 200, await this.reader.timeline(b, gap === undefined ? {} : { gapThresholdMs: gap }));
      }
      if (a === 'sessions' && b !== undefined && c === 'tree' && parts.length === 4) return json(res, 200, await this.reader.spanTree(b));
      if (a === 'events' && b === 'count' && parts.length === 3) return json(res, 200, { count: await this.reader.countEvents(filterFromSearchParams(p)) });
      if (a === 'events' && b === undefined) return await this.events(p, req, res);
      if (a === 'correlation' && b !== undefined && parts.length === 3) return json(res, 200, await this.reader.correlationGroup(b));
      if (a === 'stats' && b === undefined && this.stats) return json(res, 200, this.stats());
      throw new HttpError(
        404,
        `no such endpoint: ${url.pathname}; see /api/sessions, /api/events, /api/events/count, /api/correlation/:id, /api/sessions/:id/timeline, /api/sessions/:id/tree`,
      );
    } catch (error) {
      const e = httpErrorOf(error, 'query');
      const code = error instanceof DebbieError ? error.code : e.status === 404 ? 'not_found' : e.status === 500 ? 'internal' : 'bad_request';
      if (res.headersSent) {
        res.destroy(e); // mid-stream: the client sees a cut stream, never a silently short one
        return;
      }
      json(res, e.status, { error: { code, message: e.message } }, e.headers);
    }
  }

  private async events(p: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const filter = filterFromSearchParams(p);
    const order = orderParam(p);
    const offset = intParam(p, 'offset', 0) ?? 0;
    const limit = intParam(p, 'limit', 0);
    const ndjson = p.get('format') === 'ndjson' || (req.headers.accept ?? '').includes('application/x-ndjson');
    if (ndjson) {
      if (order === 'desc')
        throw new HttpError(400, 'order=desc is not available with format=ndjson (the stream is in time order); page with limit/offset instead');
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      let closed = false;
      res.on('close', () => {
        closed = true;
      });
      let skip = offset;
      let left = limit ?? Number.POSITIVE_INFINITY;
      for await (const page of this.reader.streamEvents(filter, { batchSize: 1000 })) {
        if (closed || left <= 0) break;
        let batch = page;
        if (skip > 0) {
          batch = batch.slice(skip);
          skip -= page.length - batch.length;
        }
        if (batch.length > left) batch = batch.slice(0, left);
        left -= batch.length;
        const text = batch.map((e) => JSON.stringify(e)).join('\n') + (batch.length ? '\n' : '');
        if (!res.write(text))
          await new Promise<void>((resolve) => {
            res.once('drain', resolve);
            res.once('close', resolve);
          });
      }
      res.end();
      return;
    }
    const pageLimit = limit === undefined ? this.maxPageSize : Math.min(limit, this.maxPageSize);
    const events = await this.reader.queryEvents(filter, { limit: pageLimit, offset, ...(order ? { order } : {}) });
    const headers: Record<string, string> = {};
    if (events.length === pageLimit && (limit === undefined || limit > pageLimit)) headers[NEXT_OFFSET_HEADER] = String(offset + pageLimit);
    json(res, 200, events, headers);
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
