import {
  DebbieError,
  filterToSearchParams,
  parseDebbieEvent,
  type DebbieEvent,
  type EventFilter,
  type EventReader,
  type QueryOptions,
  type SessionListOptions,
  type SessionSummary,
  type SessionTimeline,
  type SpanNode,
} from '@debbie/model';
import { NEXT_OFFSET_HEADER } from './http/QueryApi.js';

export interface QueryClientOptions {
  /** Base URL of a running collector, e.g. http://127.0.0.1:4318. */
  url: string;
  /** Bearer token; default env DEBBIE_TOKEN. */
  token?: string | undefined;
  /** Per-request timeout in ms. Default 30,000. */
  timeoutMs?: number;
}

/**
 * EventReader over a collector's query API, so the CLI, report and scripts read a running
 * collector exactly as they read the embedded store (`--url` instead of `--store`).
 * Network and HTTP failures throw DebbieError `collector_unreachable` / `collector_error`.
 * @example
 *   const reader = new QueryClient({ url: 'http://127.0.0.1:4318' });
 *   const sessions = await reader.listSessions();
 */
export class QueryClient implements EventReader {
  private readonly base: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: QueryClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new DebbieError('invalid_url', `"${options.url}" is not a URL (expected e.g. http://127.0.0.1:4318)`, '--url');
    }
    this.base = parsed.href.replace(/\/+$/, '');
    this.token = options.token ?? (process.env.DEBBIE_TOKEN || undefined);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  listSessions(options: SessionListOptions = {}): Promise<SessionSummary[]> {
    const params = new URLSearchParams();
    if (options.limit !== undefined) params.set('limit', String(options.limit));
    if (options.offset !== undefined) params.set('offset', String(options.offset));
    if (options.order !== undefined) params.set('order', options.order);
    if (options.idPrefix !== undefined) params.set('prefix', options.idPrefix);
    const query = params.toString();
    return this.getJson<SessionSummary[]>(`/api/sessions${query ? `?${query}` : ''}`);
  }

  async queryEvents(filter: EventFilter, options: QueryOptions = {}): Promise<DebbieEvent[]> {
    const out: DebbieEvent[] = [];
    let offset = options.offset ?? 0;
    // The server caps a page; keep asking until the limit is met or a page says there is no more.
    for (;;) {
      const params = filterToSearchParams(filter);
      if (options.limit !== undefined) params.set('limit', String(options.limit - out.length));
      if (offset) params.set('offset', String(offset));
      if (options.order) params.set('order', options.order);
      const res = await this.request(`/api/events?${params}`);
      const page = this.events(await this.bodyJson(res, '/api/events'), '/api/events');
      out.push(...page);
      const next = res.headers.get(NEXT_OFFSET_HEADER);
      if (!next || page.length === 0 || (options.limit !== undefined && out.length >= options.limit)) return out;
      offset = Number(next);
    }
  }

  async *streamEvents(filter: EventFilter, options: { batchSize?: number } = {}): AsyncIterable<DebbieEvent[]> {
    const batchSize = options.batchSize ?? 1000;
    const params = filterToSearchParams(filter);
    params.set('format', 'ndjson');
    const res = await this.request(`/api/events?${params}`, 0);
    if (!res.body) return;
    const decoder = new TextDecoder();
    let rest = '';
    let batch: DebbieEvent[] = [];
    let line = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      rest += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const text = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        line += 1;
        if (!text.trim()) continue;
        batch.push(parseDebbieEvent(JSON.parse(text), `${this.base}/api/events line ${line}`));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    rest += decoder.decode();
    if (rest.trim()) batch.push(parseDebbieEvent(JSON.parse(rest), `${this.base}/api/events line ${line + 1}`));
    if (batch.length) yield batch;
  }

  async countEvents(filter: EventFilter): Promise<number> {
    const body = await this.getJson<{ count: number }>(`/api/events/count?${filterToSearchParams(filter)}`);
    return body.count;
  }

  async correlationGroup(correlationId: string): Promise<DebbieEvent[]> {
    const path = `/api/correlation/${encodeURIComponent(correlationId)}`;
    return this.events(await this.getJson(path), path);
  }

  timeline(sessionId: string, options: { gapThresholdMs?: number } = {}): Promise<SessionTimeline> {
    const q = options.gapThresholdMs !== undefined ? `?gapThresholdMs=${options.gapThresholdMs}` : '';
    return this.getJson<SessionTimeline>(`/api/sessions/${encodeURIComponent(sessionId)}/timeline${q}`);
  }

  spanTree(sessionId: string): Promise<SpanNode[]> {
    return this.getJson<SpanNode[]>(`/api/sessions/${encodeURIComponent(sessionId)}/tree`);
  }

  /** Nothing to release: each call is its own HTTP request. */
  async close(): Promise<void> {}

  private events(body: unknown, where: string): DebbieEvent[] {
    if (!Array.isArray(body)) throw new DebbieError('collector_error', `expected a JSON array of events from ${where}`);
    return body.map((e, i) => parseDebbieEvent(e, `${where} [${i}]`));
  }

  private async getJson<T>(path: string): Promise<T> {
    return (await this.bodyJson(await this.request(path), path)) as T;
  }

  private async bodyJson(res: Response, path: string): Promise<unknown> {
    try {
      return await res.json();
    } catch (error) {
      throw new DebbieError('collector_error', `${this.base}${path} answered something that is not JSON: ${(error as Error).message}`);
    }
  }

  /** timeoutMs 0 = none (streams may run long). */
  private async request(path: string, timeoutMs = this.timeoutMs): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(`${this.base}${path}`, { headers, ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new DebbieError(
        'collector_unreachable',
        `cannot reach the collector at ${this.base} (${cause?.code ?? cause?.message ?? (error as Error).message}); is \`debbie collect\` running?`,
        '--url',
      );
    }
    if (!res.ok) {
      let message = `${res.status} ${res.statusText}`;
      try {
        const body = (await res.json()) as { error?: { message?: string } };
        if (body.error?.message) message = `${res.status}: ${body.error.message}`;
      } catch {
        /* not JSON: keep the status line */
      }
      throw new DebbieError('collector_error', `${this.base}${path} failed: ${message}`, '--url');
    }
    return res;
  }
}
