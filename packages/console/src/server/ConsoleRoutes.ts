import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, httpErrorOf, json, type CollectorUi } from '@debbie/collector';
import type { DebbieEvent, EventFilter, EventReader } from '@debbie/model';
import { LogAnalyzer, renderReportHtml, renderTimelineHtml, TimelineDataBuilder, type TimelineData } from '@debbie/report';
import { compareRuns } from './compareRuns.js';
import { SESSION_STATUSES, SessionBoard, type SessionStatus } from './SessionBoard.js';
import { SessionCatalog, type SessionQuery } from './SessionCatalog.js';
import { StaticAssets } from './staticAssets.js';
import { serveLive, type LiveSource } from './serveLive.js';
import { streamSession } from './streamSession.js';

export interface ConsoleOptions {
  /** Where sessions are read (the store, or a collector's query API client). */
  reader: EventReader;
  /** Live events (the collector's LogStreamer); omitted → no live tail (a store on disk). */
  live?: LiveSource | undefined;
  /** The board to use (add it to the pipeline's sinks so it sees every event); default a new one. */
  board?: SessionBoard;
  /** Silence that shows a live session as stalled (default 30 s). */
  stallMs?: number;
  /** Run before each read (the store's forceFlush). */
  beforeRead?: () => Promise<void>;
  /** Most events a session page loads (default 200,000; the rest are counted). */
  maxSessionEvents?: number;
}

/** What the client needs to know about this console. */
interface ConsoleInfo {
  live: boolean;
  stall_ms: number;
  statuses: readonly SessionStatus[];
}

const TEXT_HTML = { 'Content-Type': 'text/html; charset=utf-8' };

function intParam(p: URLSearchParams, name: string, def: number, max: number): number {
  const v = p.get(name);
  if (v === null || v === '') return def;
  if (!/^\d+$/.test(v)) throw new HttpError(400, `query parameter "${name}" must be a non-negative integer (got "${v}")`);
  return Math.min(Number(v), max);
}

/**
 * The console's routes on the collector's HTTP server (a CollectorUi): its assets at / and
 * /assets/, and its data under /console/api/ (behind the collector's token):
 * sessions (paged, filtered, with status), a session's steps (streamed as NDJSON), one full event, the timeline and report pages, a comparison of two runs, and /console/api/live
 * (Server-Sent Events from the LogStreamer).
 */
export class ConsoleRoutes implements CollectorUi {
  readonly board: SessionBoard;
  private readonly reader: EventReader;
  private readonly live: LiveSource | undefined;
  private readonly catalog: SessionCatalog;
  private readonly assets = new StaticAssets();
  private readonly beforeRead: (() => Promise<void>) | undefined;
  private readonly maxSessionEvents: number;

  constructor(options: ConsoleOptions) {
    this.reader = options.reader;
    this.live = options.live;
    this.board = options.board ?? new SessionBoard(options.stallMs !== undefined ? { stallMs: options.stallMs } : {});
    this.beforeRead = options.beforeRead;
    this.maxSessionEvents = options.maxSessionEvents ?? 200_000;
    this.catalog = new SessionCatalog({ reader: options.reader, board: this.board, ...(options.beforeRead ? { beforeRead: options.beforeRead } : {}) });
  }

  /** The Content-Security-Policy the console is served with. */
  get csp(): string {
    return this.assets.csp;
  }

  /** Bytes of the console's assets (HTML, CSS, client modules). */
  get assetBytes(): number {
    return this.assets.totalBytes;
  }

  serveAsset(path: string, req: IncomingMessage, res: ServerResponse): boolean {
    return this.assets.serve(path, res, req.method === 'HEAD');
  }

  async handle(url: URL, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = url.pathname;
    if (!path.startsWith('/console/api/')) return false;
    try {
      if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not allowed on ${path}; the console's API is read-only (GET)`);
      const parts = path.slice('/console/api/'.length).split('/').filter(Boolean).map(decodeURIComponent);
      const p = url.searchParams;
      const [a, b, c, d] = parts;
      if (a === 'info' && !b) {
        const info: ConsoleInfo = { live: !!this.live, stall_ms: this.board.stallThresholdMs, statuses: SESSION_STATUSES };
        json(res, 200, info);
      } else if (a === 'live' && !b) {
        if (!this.live) throw new HttpError(404, 'no live stream here (a store on disk); run `debbie collect` for live sessions');
        await serveLive(this.live, p, req, res);
      } else if (a === 'sessions' && !b) {
        json(res, 200, await this.catalog.page(sessionQuery(p)));
      } else if (a === 'sessions' && b && !c) {
        await this.beforeRead?.();
        const head = { session_id: b, pending: this.board.pending(b).map((x) => x.event), status: this.board.status(b), stall_ms: this.board.stallThresholdMs };
        await streamSession(this.reader, b, head, { maxEvents: this.maxSessionEvents }, req, res);
      } else if (a === 'sessions' && b && c === 'events' && d && parts.length === 4) {
        json(res, 200, await this.event(b, d, p));
      } else if (a === 'sessions' && b && c === 'timeline' && parts.length === 3) {
        const data = await this.columns(b, { maxEvents: this.maxSessionEvents });
        res.writeHead(200, TEXT_HTML);
        res.end(renderTimelineHtml(data));
      } else if (a === 'sessions' && b && c === 'report' && parts.length === 3) {
        await this.beforeRead?.();
        const report = await new LogAnalyzer({ reader: this.reader }).analyze(b);
        res.writeHead(200, TEXT_HTML);
        res.end(renderReportHtml(report));
      } else if (a === 'compare' && !b) {
        const x = p.get('a');
        const y = p.get('b');
        if (!x || !y) throw new HttpError(400, 'compare needs two sessions: ?a=SESSION&b=SESSION');
        await this.beforeRead?.();
        json(res, 200, await compareRuns(this.reader, x, y));
      } else {
        throw new HttpError(404, `no such console endpoint: ${path}`);
      }
    } catch (error) {
      const e = httpErrorOf(error, 'console query');
      if (res.headersSent) res.destroy(e);
      else json(res, e.status, { error: { code: e.status === 404 ? 'not_found' : e.status === 500 ? 'internal' : 'bad_request', message: e.message } });
    }
    return true;
  }

  private async columns(
    sessionId: string,
    options: ConstructorParameters<typeof TimelineDataBuilder>[0],
    see?: (e: DebbieEvent) => void,
  ): Promise<TimelineData> {
    await this.beforeRead?.();
    const builder = new TimelineDataBuilder({ gapThresholdMs: this.board.stallThresholdMs, ...options });
    for await (const page of this.reader.streamEvents({ sessionId }, { batchSize: 10_000 })) {
      for (const e of page) {
        builder.add(e);
        see?.(e);
      }
    }
    return builder.build(sessionId);
  }

  /** One full event (the details pane), found near the time the client knows it by. */
  private async event(sessionId: string, eventId: string, p: URLSearchParams): Promise<DebbieEvent> {
    await this.beforeRead?.();
    const us = Number(p.get('us'));
    const filter: EventFilter = { sessionId };
    if (p.get('us') !== null && Number.isFinite(us)) {
      filter.since = new Date(Math.floor(us / 1000) - 1).toISOString();
      filter.until = new Date(Math.floor(us / 1000) + 2).toISOString();
    }
    for await (const page of this.reader.streamEvents(filter, { batchSize: 5_000 })) {
      const hit = page.find((e) => e.event_id === eventId);
      if (hit) return hit;
    }
    const pending = this.board.pending(sessionId).find((x) => x.event.event_id === eventId);
    if (pending) return pending.event;
    throw new HttpError(404, `no event ${eventId} in session ${sessionId}`);
  }
}

function sessionQuery(p: URLSearchParams): SessionQuery {
  const status = (p.get('status') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of status) {
    if (!SESSION_STATUSES.includes(s as SessionStatus)) throw new HttpError(400, `unknown status "${s}"; expected one of ${SESSION_STATUSES.join(', ')}`);
  }
  const q: SessionQuery = { offset: intParam(p, 'offset', 0, Number.MAX_SAFE_INTEGER), limit: intParam(p, 'limit', 100, 1_000) };
  if (status.length) q.status = status as SessionStatus[];
  for (const k of ['source', 'agent', 'model', 'text'] as const) {
    const v = p.get(k);
    if (v) q[k] = v;
  }
  for (const k of ['since', 'until'] as const) {
    const v = p.get(k);
    if (!v) continue;
    const t = Date.parse(v);
    if (!Number.isFinite(t)) throw new HttpError(400, `query parameter "${k}" must be an ISO-8601 time (got "${v}")`);
    q[k] = new Date(t).toISOString().replace('Z', '000Z'); // the store's microsecond form
  }
  return q;
}
