import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readRequestBody } from './readRequestBody.js';

export interface HecTokenConfig {
  /** Indexes this token may write to; an event naming another gets code 7. Default ['main']. */
  allowedIndexes?: string[];
  /** Indexer acknowledgment on for this token (a channel is then required). Default false. */
  ack?: boolean;
  /** A disabled token is refused with code 1. Default false. */
  disabled?: boolean;
}

export interface LocalSplunkHecOptions {
  /** Token → its configuration. */
  tokens: Record<string, HecTokenConfig>;
  /** max_content_length of a request. Default 1 MiB (Splunk Cloud's limit). */
  maxContentLength?: number;
  /** Answer the next N event requests with 503 {"text":"Server is busy","code":9}. Default 0. */
  busyRequests?: number;
  /** Answer the next N event requests with 429 (a load balancer in front of HEC throttling). Default 0. */
  throttledRequests?: number;
  /** Acknowledgment polls answered `false` before an ack turns true. Default 1. */
  ackPendingPolls?: number;
  /** Keep received events in `events` for inspection; off, only `count` grows. Default true. */
  storeEvents?: boolean;
  /** `Retry-After` seconds sent with 429 and 503 answers. Default: none. */
  retryAfterSeconds?: number;
  /** Index the next N event requests, then answer only after `lateAnswerMs` (past a client's timeout). Default 0. */
  lateRequests?: number;
  /** Delay of a late answer. Default 1,000 ms. */
  lateAnswerMs?: number;
  /** Index the next N event requests, then answer 500 (a proxy failing after HEC took the data). Default 0. */
  failAfterIndexRequests?: number;
  /** Answer the next N event requests 500 without indexing. Default 0. */
  failingRequests?: number;
}

export interface StoredHecEvent {
  time: number | undefined;
  host: string | undefined;
  source: string | undefined;
  sourcetype: string | undefined;
  index: string;
  event: unknown;
  fields: Record<string, unknown> | undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A strict local stand-in for Splunk's HTTP Event Collector on 127.0.0.1 (no Splunk can run
 * here). It implements the documented protocol: `/services/collector/event` (and `/event/1.0`,
 * `/services/collector`), `Authorization: Splunk <token>` with codes 2/3 (401) and 1/4 (403),
 * batches of concatenated JSON objects, codes 5 (no data), 6 (invalid data format), 7 (incorrect
 * index), 12/13 (event field missing/blank), 15 (indexed fields not flat) with
 * `invalid-event-number` — events before the bad one are indexed — gzip bodies, 413 over the size
 * limit, 503 code 9 when busy, and indexer acknowledgment: channels (codes 10, 11, 14),
 * `ackId` in answers and `/services/collector/ack`.
 */
export class LocalSplunkHecServer {
  readonly events: StoredHecEvent[] = [];
  /** Events indexed so far. */
  count = 0;
  /** Status of every request, in order. */
  readonly statuses: number[] = [];
  private readonly server: Server;
  private readonly channels = new Map<string, { next: number; acks: Map<number, number> }>();
  private busy: number;
  private throttled: number;
  private late: number;
  private failAfterIndex: number;
  private failing: number;

  private constructor(private readonly options: LocalSplunkHecOptions) {
    this.busy = options.busyRequests ?? 0;
    this.throttled = options.throttledRequests ?? 0;
    this.late = options.lateRequests ?? 0;
    this.failAfterIndex = options.failAfterIndexRequests ?? 0;
    this.failing = options.failingRequests ?? 0;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => this.reply(res, 500, { text: 'Internal server error', code: 8 }));
    });
  }

  static async start(options: LocalSplunkHecOptions): Promise<LocalSplunkHecServer> {
    const s = new LocalSplunkHecServer(options);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Makes the next N event requests answer 503 code 9. */
  setBusy(requests: number): void {
    this.busy = requests;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
    this.statuses.push(status);
    const text = JSON.stringify(body);
    const retryAfter =
      (status === 429 || status === 503) && this.options.retryAfterSeconds !== undefined ? { 'Retry-After': String(this.options.retryAfterSeconds) } : {};
    res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(text), ...retryAfter });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/\/$/, '');
    if (path === '/services/collector/health') {
      this.reply(res, 200, { text: 'HEC is healthy', code: 17 });
      return;
    }
    const isEvent = path === '/services/collector/event' || path === '/services/collector/event/1.0' || path === '/services/collector';
    const isAck = path === '/services/collector/ack';
    if (!isEvent && !isAck) {
      this.reply(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
      return;
    }
    if (req.method !== 'POST') {
      this.reply(res, 405, { text: `Method ${req.method} not allowed`, code: 405 });
      return;
    }

    const header = req.headers.authorization;
    if (!header) {
      this.reply(res, 401, { text: 'Token is required', code: 2 });
      return;
    }
    const m = /^Splunk\s+(\S+)$/.exec(header);
    if (!m) {
      this.reply(res, 401, { text: 'Invalid authorization', code: 3 });
      return;
    }
    const token = this.options.tokens[m[1]!];
    if (!token) {
      this.reply(res, 403, { text: 'Invalid token', code: 4 });
      return;
    }
    if (token.disabled) {
      this.reply(res, 403, { text: 'Token disabled', code: 1 });
      return;
    }

    const channelId = (req.headers['x-splunk-request-channel'] as string | undefined) ?? url.searchParams.get('channel') ?? undefined;
    if (isAck) {
      if (!token.ack) {
        this.reply(res, 400, { text: 'ACK is disabled', code: 14 });
        return;
      }
      if (!channelId) {
        this.reply(res, 400, { text: 'Data channel is missing', code: 10 });
        return;
      }
      const body = await readRequestBody(req, 1024 * 1024);
      let ids: unknown;
      try {
        ids = body.ok ? (JSON.parse(body.text) as { acks?: unknown }).acks : undefined;
      } catch {
        ids = undefined;
      }
      if (!Array.isArray(ids)) {
        this.reply(res, 400, { text: 'Invalid data format', code: 6 });
        return;
      }
      const channel = this.channels.get(channelId);
      const acks: Record<string, boolean> = {};
      for (const id of ids) {
        const polls = channel?.acks.get(Number(id));
        if (polls === undefined) {
          acks[String(id)] = false;
          continue;
        }
        acks[String(id)] = polls >= (this.options.ackPendingPolls ?? 1);
        channel!.acks.set(Number(id), polls + 1);
      }
      this.reply(res, 200, { acks });
      return;
    }

    if (token.ack) {
      if (!channelId) {
        this.reply(res, 400, { text: 'Data channel is missing', code: 10 });
        return;
      }
      if (!GUID.test(channelId)) {
        this.reply(res, 400, { text: 'Invalid data channel', code: 11 });
        return;
      }
    }
    if (this.throttled > 0) {
      this.throttled -= 1;
      this.reply(res, 429, { text: 'Too Many Requests', code: 429 });
      return;
    }
    if (this.busy > 0) {
      this.busy -= 1;
      this.reply(res, 503, { text: 'Server is busy', code: 9 });
      return;
    }
    if (this.failing > 0) {
      this.failing -= 1;
      this.reply(res, 500, { text: 'Internal server error', code: 8 });
      return;
    }
    const limit = this.options.maxContentLength ?? 1024 * 1024;
    const body = await readRequestBody(req, limit);
    if (!body.ok) {
      if (body.status === 413) this.reply(res, 413, { text: `Content-Length exceeds the maximum of ${limit} bytes`, code: 413 });
      else this.reply(res, 400, { text: 'Invalid data format', code: 6, 'invalid-event-number': 0 });
      return;
    }
    if (body.text.trim() === '') {
      this.reply(res, 400, { text: 'No data', code: 5 });
      return;
    }

    const allowed = token.allowedIndexes ?? ['main'];
    const objects = splitConcatenatedJson(body.text);
    for (let n = 0; n < objects.length; n++) {
      const fail = (text: string, code: number) => this.reply(res, 400, { text, code, 'invalid-event-number': n });
      const raw = objects[n]!;
      let e: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
          fail('Invalid data format', 6);
          return;
        }
        e = parsed as Record<string, unknown>;
      } catch {
        fail('Invalid data format', 6);
        return;
      }
      if (!('event' in e) || e.event === null) {
        fail('Event field is required', 12);
        return;
      }
      if (e.event === '' || (typeof e.event === 'object' && Object.keys(e.event as object).length === 0)) {
        fail('Event field cannot be blank', 13);
        return;
      }
      if (e.time !== undefined && !(typeof e.time === 'number' || (typeof e.time === 'string' && /^\d+(\.\d+)?$/.test(e.time)))) {
        fail('Invalid data format', 6);
        return;
      }
      const index = typeof e.index === 'string' ? e.index : allowed[0]!;
      if (!allowed.includes(index)) {
        fail('Incorrect index', 7);
        return;
      }
      if (e.fields !== undefined) {
        const fields = e.fields;
        const flat =
          fields !== null &&
          typeof fields === 'object' &&
          !Array.isArray(fields) &&
          Object.values(fields).every(
            (v) => typeof v === 'string' || typeof v === 'number' || (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')),
          );
        if (!flat) {
          fail('Error in handling indexed fields', 15);
          return;
        }
      }
      // Indexed as it arrives: events before a bad one stay indexed, as in Splunk.
      this.count += 1;
      if (this.options.storeEvents === false) continue;
      this.events.push({
        time: e.time === undefined ? undefined : Number(e.time),
        host: e.host as string | undefined,
        source: e.source as string | undefined,
        sourcetype: e.sourcetype as string | undefined,
        index,
        event: e.event,
        fields: e.fields as Record<string, unknown> | undefined,
      });
    }
    if (token.ack) {
      const channel = this.channels.get(channelId!) ?? { next: 0, acks: new Map<number, number>() };
      this.channels.set(channelId!, channel);
      const ackId = channel.next++;
      channel.acks.set(ackId, 0);
      this.reply(res, 200, { text: 'Success', code: 0, ackId });
      return;
    }
    if (this.failAfterIndex > 0) {
      this.failAfterIndex -= 1;
      this.reply(res, 500, { text: 'Internal server error', code: 8 });
      return;
    }
    if (this.late > 0) {
      this.late -= 1;
      await new Promise((r) => setTimeout(r, this.options.lateAnswerMs ?? 1000));
    }
    this.reply(res, 200, { text: 'Success', code: 0 });
  }
}

/**
 * Splits HEC's batch format (JSON objects one after another, optionally separated by
 * whitespace) into the text of each object; a trailing fragment that is not a complete object is
 * returned as is, so parsing it fails and is reported with its number.
 */
export function splitConcatenatedJson(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i += 1; // backslash: skip the escaped character
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) {
      inString = true;
      if (depth === 0 && start < 0) start = i;
      continue;
    }
    if (c === 123 || c === 91) {
      if (depth === 0 && start < 0) start = i;
      depth += 1;
      continue;
    }
    if (c === 125 || c === 93) {
      depth -= 1;
      if (depth === 0 && start >= 0) {
        out.push(text.slice(start, i + 1));
        start = -1;
      }
      continue;
    }
    if (depth === 0 && c !== 32 && c !== 10 && c !== 13 && c !== 9 && start < 0) start = i;
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}
