import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readRequestBody } from './readRequestBody.js';

export interface LocalElasticsearchOptions {
  /** Accepted API keys (the base64 `id:key` strings sent as `Authorization: ApiKey …`). */
  apiKeys?: string[];
  /** Accepted basic-auth users. With neither, security is off (any or no credentials pass). */
  users?: { username: string; password: string }[];
  /** http.max_content_length. Default 100 MiB, as in Elasticsearch. */
  maxContentLength?: number;
  /** Index names that are data streams (only `create`, `@timestamp` required). Default: names matching `logs-*-*`, `metrics-*-*`, `traces-*-*`. */
  isDataStream?: (index: string) => boolean;
  /**
   * Simulated load: return true to answer this item with 429 es_rejected_execution_exception.
   * `attempt` counts the times this `_id` has been seen (1 on the first).
   */
  throttle?: (id: string | undefined, attempt: number) => boolean;
  /** Answer the next N bulk requests 503 (unavailable_shards_exception), as a cluster with no primary does. Default 0. */
  unavailableRequests?: number;
  /** Keep indexed documents for inspection. Default true. */
  storeDocuments?: boolean;
  /** Answer the next N bulk requests 429 (es_rejected_execution_exception) before reading them. Default 0. */
  throttledRequests?: number;
  /** `Retry-After` seconds sent with 429 and 503 answers. Default: none. */
  retryAfterSeconds?: number;
  /** Index the next N bulk requests, then answer only after `lateAnswerMs` (past a client's timeout). Default 0. */
  lateRequests?: number;
  /** Delay of a late answer. Default 1,000 ms. */
  lateAnswerMs?: number;
}

export interface RecordedBulkRequest {
  path: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  authorization: string | undefined;
  items: number;
  /** Body size after decompression. */
  bytes: number;
  status: number;
}

type FieldType = 'object' | 'long' | 'double' | 'boolean' | 'keyword';
interface ItemError {
  type: string;
  reason: string;
  caused_by?: { type: string; reason: string };
}

const DEFAULT_DATA_STREAM = /^(logs|metrics|traces)-[^-]+-[^-]+$/;
const BAD_INDEX = /[\\/*?"<>| ,#:A-Z]|^[-_+]|^\.\.?$/;

/**
 * A strict local stand-in for Elasticsearch's `_bulk` API on 127.0.0.1, for tests and benches
 * (no real cluster can run here). It follows the documented wire protocol: NDJSON bodies that
 * must end in a newline, Content-Type application/x-ndjson or application/json, gzip
 * Content-Encoding, ApiKey and Basic auth with security_exception 401s, 413 over
 * http.max_content_length, per-item statuses with `errors: true`, data streams that take only
 * `create` and require `@timestamp`, dynamic mappings that refuse conflicting types (400), 409 on
 * a duplicate `_id` for `create`, and 429 items under (simulated) load.
 */
export class LocalElasticsearchServer {
  readonly requests: RecordedBulkRequest[] = [];
  /** Indexed documents per index (when storeDocuments). */
  readonly documents = new Map<string, { _id: string; _source: Record<string, unknown> }[]>();
  private readonly server: Server;
  private readonly mappings = new Map<string, Map<string, FieldType>>();
  private readonly ids = new Map<string, Set<string>>();
  private readonly attempts = new Map<string, number>();
  private seqNo = 0;
  private unavailable: number;
  private throttled: number;
  private late: number;
  private autoId = 0;

  private constructor(private readonly options: LocalElasticsearchOptions) {
    this.unavailable = options.unavailableRequests ?? 0;
    this.throttled = options.throttledRequests ?? 0;
    this.late = options.lateRequests ?? 0;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: Error) => send(res, 500, { error: { type: 'exception', reason: error.message }, status: 500 }));
    });
  }

  /** Starts on 127.0.0.1 on a free port. */
  static async start(options: LocalElasticsearchOptions = {}): Promise<LocalElasticsearchServer> {
    const s = new LocalElasticsearchServer(options);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Total documents indexed, over all indices. */
  get count(): number {
    let n = 0;
    for (const set of this.ids.values()) n += set.size;
    return n;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const auth = this.authenticate(req.headers.authorization, path);
    if (auth) {
      res.setHeader('WWW-Authenticate', 'ApiKey, Basic realm="security", charset="UTF-8"');
      send(res, 401, securityError(auth));
      return;
    }
    const match = /^\/(?:([^/_][^/]*)\/)?_bulk$/.exec(path);
    if (!match) {
      send(res, 400, { error: `no handler found for uri [${path}] and method [${req.method}]` });
      return;
    }
    if (req.method !== 'POST' && req.method !== 'PUT') {
      send(res, 405, { error: `Incorrect HTTP method for uri [${path}] and method [${req.method}], allowed: [POST, PUT]`, status: 405 });
      return;
    }
    const contentType = req.headers['content-type'];
    const record: RecordedBulkRequest = {
      path,
      contentType,
      contentEncoding: req.headers['content-encoding'],
      authorization: req.headers.authorization,
      items: 0,
      bytes: 0,
      status: 0,
    };
    this.requests.push(record);
    const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (mime !== 'application/x-ndjson' && mime !== 'application/json') {
      record.status = 406;
      send(res, 406, { error: `Content-Type header [${contentType ?? ''}] is not supported`, status: 406 });
      return;
    }
    const body = await readRequestBody(req, this.options.maxContentLength ?? 100 * 1024 * 1024);
    const retryAfter = this.options.retryAfterSeconds;
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    if (this.throttled > 0) {
      this.throttled -= 1;
      record.status = 429;
      const reason = 'rejected execution of coordinating operation';
      send(res, 429, {
        error: { root_cause: [{ type: 'es_rejected_execution_exception', reason }], type: 'es_rejected_execution_exception', reason },
        status: 429,
      });
      return;
    }
    if (this.unavailable > 0) {
      this.unavailable -= 1;
      record.status = 503;
      const reason = 'primary shard is not active Timeout: [1m]';
      send(res, 503, { error: { root_cause: [{ type: 'unavailable_shards_exception', reason }], type: 'unavailable_shards_exception', reason }, status: 503 });
      return;
    }
    if (!body.ok) {
      record.status = body.status;
      send(
        res,
        body.status,
        body.status === 413
          ? { error: { type: 'content_too_long_exception', reason: body.message }, status: 413 }
          : requestError('parse_exception', body.message),
      );
      return;
    }
    record.bytes = Buffer.byteLength(body.text);
    if (body.text.length === 0) {
      record.status = 400;
      send(res, 400, requestError('action_request_validation_exception', 'Validation Failed: 1: no requests added;'));
      return;
    }
    if (!body.text.endsWith('\n')) {
      record.status = 400;
      send(res, 400, requestError('illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]'));
      return;
    }
    const parsed = parseBulk(body.text, match[1]);
    if ('error' in parsed) {
      record.status = 400;
      send(res, 400, requestError(parsed.error.type, parsed.error.reason));
      return;
    }
    const started = Date.now();
    const items = parsed.items.map((item) => this.apply(item));
    record.items = items.length;
    record.status = 200;
    if (this.late > 0) {
      // Indexed already; the answer comes after the client gave up (it must not index twice on resend).
      this.late -= 1;
      await new Promise((r) => setTimeout(r, this.options.lateAnswerMs ?? 1000));
    }
    res.removeHeader('Retry-After');
    send(res, 200, { took: Date.now() - started, errors: items.some((i) => (Object.values(i)[0]!.status as number) >= 300), items });
  }

  private authenticate(header: string | undefined, path: string): string | undefined {
    const keys = this.options.apiKeys ?? [];
    const users = this.options.users ?? [];
    if (keys.length === 0 && users.length === 0) return undefined;
    if (!header) return `missing authentication credentials for REST request [${path}]`;
    const [scheme, value = ''] = header.split(/\s+/, 2);
    if (scheme === 'ApiKey' && keys.includes(value)) return undefined;
    if (scheme === 'Basic') {
      const [username, ...rest] = Buffer.from(value, 'base64').toString('utf8').split(':');
      if (users.some((u) => u.username === username && u.password === rest.join(':'))) return undefined;
      return `unable to authenticate user [${username}] for REST request [${path}]`;
    }
    return 'unable to authenticate with provided credentials';
  }

  private apply(item: ParsedItem): Record<string, Record<string, unknown>> {
    const { op, index, id, source } = item;
    const base = { _index: index, _id: id ?? null };
    const fail = (status: number, error: ItemError) => ({ [op]: { ...base, status, error } });
    if (BAD_INDEX.test(index))
      return fail(400, {
        type: 'invalid_index_name_exception',
        reason: `Invalid index name [${index}], must be lowercase and must not contain \\, /, *, ?, ", <, >, |, space, comma, #, :`,
      });
    if (op === 'delete' || op === 'update') return fail(400, { type: 'illegal_argument_exception', reason: `${op} is not supported by this local server` });
    const dataStream = (this.options.isDataStream ?? ((n: string) => DEFAULT_DATA_STREAM.test(n)))(index);
    if (dataStream && op !== 'create')
      return fail(400, { type: 'illegal_argument_exception', reason: `only write ops with an op_type of create are allowed in data streams` });
    if (source === undefined || source === null || typeof source !== 'object' || Array.isArray(source)) {
      return fail(400, { type: 'document_parsing_exception', reason: '[1:1] failed to parse: the document must be a JSON object' });
    }
    const doc = source as Record<string, unknown>;
    if (dataStream && (doc['@timestamp'] === undefined || doc['@timestamp'] === null)) {
      return fail(400, { type: 'document_parsing_exception', reason: 'data stream timestamp field [@timestamp] is missing' });
    }
    if (id !== undefined) {
      const seen = (this.attempts.get(`${index}/${id}`) ?? 0) + 1;
      this.attempts.set(`${index}/${id}`, seen);
      if (this.options.throttle?.(id, seen)) {
        return fail(429, {
          type: 'es_rejected_execution_exception',
          reason: `rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=${JSON.stringify(doc).length}, max_coordinating_and_primary_bytes=0]`,
        });
      }
    }
    const ids = this.ids.get(index) ?? new Set<string>();
    if (id !== undefined && ids.has(id)) {
      if (op === 'create')
        return fail(409, { type: 'version_conflict_engine_exception', reason: `[${id}]: version conflict, document already exists (current version [1])` });
    }
    const mapping = this.mappings.get(index) ?? new Map<string, FieldType>();
    const conflict = checkMapping(doc, '', mapping, id);
    if (conflict) return fail(400, conflict);
    // Accepted: commit the new field types (dynamic mapping) and the document.
    learnMapping(doc, '', mapping);
    this.mappings.set(index, mapping);
    const docId = id ?? `auto-${++this.autoId}`;
    ids.add(docId);
    this.ids.set(index, ids);
    if (this.options.storeDocuments ?? true) {
      const list = this.documents.get(index) ?? [];
      list.push({ _id: docId, _source: doc });
      this.documents.set(index, list);
    }
    const backing = dataStream ? `.ds-${index}-2026.01.01-000001` : index;
    return {
      [op]: {
        _index: backing,
        _id: docId,
        _version: 1,
        result: 'created',
        _shards: { total: 2, successful: 1, failed: 0 },
        _seq_no: this.seqNo++,
        _primary_term: 1,
        status: 201,
      },
    };
  }
}

interface ParsedItem {
  op: string;
  index: string;
  id: string | undefined;
  source: unknown;
}

function parseBulk(text: string, pathIndex: string | undefined): { items: ParsedItem[] } | { error: ItemError } {
  const lines = text.split('\n');
  lines.pop(); // the text ends in "\n"
  const items: ParsedItem[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    let action: unknown;
    try {
      action = JSON.parse(line);
    } catch (error) {
      return { error: { type: 'x_content_parse_exception', reason: `[${i + 1}:1] Malformed action/metadata line [${i + 1}]: ${(error as Error).message}` } };
    }
    if (!action || typeof action !== 'object' || Array.isArray(action)) {
      return { error: { type: 'illegal_argument_exception', reason: `Malformed action/metadata line [${i + 1}], expected START_OBJECT` } };
    }
    const keys = Object.keys(action);
    const op = keys[0];
    if (keys.length !== 1 || !op || !['index', 'create', 'update', 'delete'].includes(op)) {
      return {
        error: {
          type: 'illegal_argument_exception',
          reason: `Malformed action/metadata line [${i + 1}], expected one of [index, create, update, delete] but found [${keys.join(', ')}]`,
        },
      };
    }
    const meta = (action as Record<string, Record<string, unknown>>)[op] ?? {};
    const index = typeof meta._index === 'string' ? meta._index : pathIndex;
    if (!index) return { error: { type: 'action_request_validation_exception', reason: `Validation Failed: 1: index is missing;` } };
    const id = typeof meta._id === 'string' ? meta._id : undefined;
    if (op === 'delete') {
      items.push({ op, index, id, source: undefined });
      continue;
    }
    i += 1;
    if (i >= lines.length) return { error: { type: 'illegal_argument_exception', reason: `The bulk request must be terminated by a newline [\\n]` } };
    let source: unknown;
    try {
      source = JSON.parse(lines[i]!);
    } catch (error) {
      // A document that is not JSON fails alone, as in Elasticsearch.
      items.push({ op, index, id, source: undefined });
      void error;
      continue;
    }
    items.push({ op, index, id, source });
  }
  return { items };
}

function typeOf(value: unknown): FieldType | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'double';
  if (typeof value === 'string') return 'keyword';
  if (typeof value === 'object' && !Array.isArray(value)) return 'object';
  return undefined;
}

function leaves(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(leaves) : [value];
}

/** The first field whose value cannot go into its existing mapping, as Elasticsearch reports it. */
function checkMapping(doc: Record<string, unknown>, prefix: string, mapping: Map<string, FieldType>, id: string | undefined): ItemError | undefined {
  for (const [key, raw] of Object.entries(doc)) {
    const path = prefix ? `${prefix}.${key}` : key;
    for (const value of leaves(raw)) {
      const type = typeOf(value);
      if (!type) continue;
      const mapped = mapping.get(path);
      if (mapped === 'object' && type !== 'object') {
        return {
          type: 'document_parsing_exception',
          reason: `[1:1] object mapping for [${path}] tried to parse field [${key}] as object, but found a concrete value`,
        };
      }
      if (mapped && mapped !== 'object' && type === 'object') {
        return {
          type: 'document_parsing_exception',
          reason: `[1:1] failed to parse field [${path}] of type [${mapped}] in document with id '${id ?? ''}'. Preview of field's value: '${JSON.stringify(value).slice(0, 80)}'`,
          caused_by: { type: 'illegal_argument_exception', reason: `Cannot parse object as ${mapped}` },
        };
      }
      if ((mapped === 'long' || mapped === 'double') && type === 'keyword' && Number.isNaN(Number(value))) {
        return {
          type: 'document_parsing_exception',
          reason: `[1:1] failed to parse field [${path}] of type [${mapped}] in document with id '${id ?? ''}'. Preview of field's value: '${String(value).slice(0, 80)}'`,
          caused_by: { type: 'number_format_exception', reason: `For input string: "${String(value).slice(0, 80)}"` },
        };
      }
      if (mapped === 'boolean' && type !== 'boolean') {
        return {
          type: 'document_parsing_exception',
          reason: `[1:1] failed to parse field [${path}] of type [boolean] in document with id '${id ?? ''}'`,
          caused_by: { type: 'illegal_argument_exception', reason: `Failed to parse value [${String(value)}] as only [true] or [false] are allowed.` },
        };
      }
      if (type === 'object') {
        const nested = checkMapping(value as Record<string, unknown>, path, mapping, id);
        if (nested) return nested;
      }
    }
  }
  return undefined;
}

function learnMapping(doc: Record<string, unknown>, prefix: string, mapping: Map<string, FieldType>): void {
  for (const [key, raw] of Object.entries(doc)) {
    const path = prefix ? `${prefix}.${key}` : key;
    for (const value of leaves(raw)) {
      const type = typeOf(value);
      if (!type) continue;
      if (!mapping.has(path)) mapping.set(path, path === '@timestamp' ? 'keyword' : type);
      if (type === 'object') learnMapping(value as Record<string, unknown>, path, mapping);
    }
  }
}

function requestError(type: string, reason: string) {
  return { error: { root_cause: [{ type, reason }], type, reason }, status: 400 };
}

function securityError(reason: string) {
  const cause = { type: 'security_exception', reason, header: { 'WWW-Authenticate': ['ApiKey', 'Basic realm="security", charset="UTF-8"'] } };
  return { error: { root_cause: [cause], ...cause }, status: 401 };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-elastic-product': 'Elasticsearch', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
