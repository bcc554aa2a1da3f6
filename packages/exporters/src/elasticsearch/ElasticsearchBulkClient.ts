import { DebbieError } from '@debbie/model';
import type { DeadLetterFile } from '../DeadLetterFile.js';
import { isRetryableStatus, MAX_RETRY_AFTER_MS, postBody, retryAfterMs, retryDelay, sleep } from '../http.js';

/** Credentials: an API key (the base64 `id:api_key` Elasticsearch hands out, or `{ id, key }`) or basic auth. */
export type ElasticsearchAuth = { apiKey: string | { id: string; key: string } } | { username: string; password: string };

export interface ElasticsearchBulkClientOptions {
  /** Base URL of the cluster, e.g. http://127.0.0.1:9200. */
  url: string;
  auth?: ElasticsearchAuth;
  /** gzip request bodies (Content-Encoding: gzip). Default true. */
  gzip?: boolean;
  /** Attempts per item, the first included; 429/5xx items are retried until then. Default 5. */
  maxAttempts?: number;
  /** First backoff; doubles each attempt. Default 250 ms. */
  initialBackoffMs?: number;
  /** Longest backoff. Default 10,000 ms. */
  maxBackoffMs?: number;
  /** Per-request timeout. Default 30,000 ms. */
  timeoutMs?: number;
  /** Where refused items go, with their reason. Default: none (they are only counted). */
  deadLetter?: DeadLetterFile;
  /** How to wait between attempts (tests record the delays instead of sleeping). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BulkItem {
  /** The action and document lines, NDJSON, each ending in "\n". */
  lines: string;
  /** For the dead-letter file. */
  document: unknown;
}

export interface BulkOutcome {
  /** Items created, or already present (409 on `create` with our `_id`). */
  created: number;
  /** Items refused for good (4xx), or still failing after the last attempt. */
  rejected: number;
  bytes: number;
  /** HTTP requests sent, retries included. */
  requests: number;
}

interface ItemResult {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { reason?: string } };
}

/**
 * The transport of the Elasticsearch exporter: sends `_bulk` requests and handles per-item partial
 * failures: only 429 and 5xx items are retried, with exponential backoff and a bounded number of
 * attempts; other failures go to the dead-letter file with Elasticsearch's reason.
 */
export class ElasticsearchBulkClient {
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;
  private readonly gzip: boolean;
  private readonly maxAttempts: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly timeoutMs: number;
  private readonly deadLetter: DeadLetterFile | undefined;
  private readonly wait: (ms: number) => Promise<void>;

  constructor(options: ElasticsearchBulkClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new DebbieError('invalid_option', `"${options.url}" is not a URL (e.g. http://127.0.0.1:9200)`, '--url');
    }
    this.endpoint = new URL(`${base.pathname.replace(/\/$/, '')}/_bulk`, base).toString();
    this.headers = { 'Content-Type': 'application/x-ndjson', Accept: 'application/json' };
    const auth = options.auth;
    if (auth && 'apiKey' in auth) {
      const key = typeof auth.apiKey === 'string' ? auth.apiKey : Buffer.from(`${auth.apiKey.id}:${auth.apiKey.key}`).toString('base64');
      this.headers.Authorization = `ApiKey ${key}`;
    } else if (auth) {
      this.headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    this.gzip = options.gzip ?? true;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.initialBackoffMs = options.initialBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.deadLetter = options.deadLetter;
    this.wait = options.sleep ?? sleep;
  }

  get url(): string {
    return this.endpoint;
  }

  /**
   * Sends the items, retrying what may succeed later and waiting what `Retry-After` asks. A resend
   * after a timeout cannot duplicate: every item is a `create` with the event id as `_id`, so a copy
   * already indexed answers 409 and counts as delivered. What it gives up on (still failing after
   * the last attempt, unreachable) goes to the dead-letter file; rejects only when the cluster
   * refuses the credentials or the request itself (every batch would fail: the export stops).
   */
  async send(items: readonly BulkItem[]): Promise<BulkOutcome> {
    const outcome: BulkOutcome = { created: 0, rejected: 0, bytes: 0, requests: 0 };
    let pending = items;
    let lastHeaders: Headers | undefined;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) await this.wait(retryDelay(attempt - 1, this.initialBackoffMs, this.maxBackoffMs, lastHeaders));
      lastHeaders = undefined;
      const last = attempt >= this.maxAttempts;
      let response;
      try {
        response = await postBody(this.endpoint, pending.map((i) => i.lines).join(''), this.headers, { gzip: this.gzip, timeoutMs: this.timeoutMs });
      } catch (error) {
        if (!last) continue; // unreachable or timed out: the whole request is retried (create + _id: no duplicates)
        await this.reject(
          outcome,
          pending.map((item) => ({ item, status: 0, reason: `${(error as Error).message}; gave up after ${attempt} attempts` })),
        );
        return outcome;
      }
      outcome.requests += 1;
      outcome.bytes += response.sentBytes;
      if (response.status !== 200) {
        const reason = requestErrorReason(response.text);
        if (response.status === 401 || response.status === 403) {
          throw new DebbieError(
            'export_auth_failed',
            `Elasticsearch refused the credentials (${response.status}): ${reason}. Check --to-token (an API key, base64 "id:key") or user:password.`,
            this.endpoint,
          );
        }
        if (response.status === 413 && pending.length > 1) {
          // Over http.max_content_length: halve and send each half on its own.
          const half = Math.ceil(pending.length / 2);
          for (const part of [pending.slice(0, half), pending.slice(half)]) add(outcome, await this.send(part));
          return outcome;
        }
        const asked = retryAfterMs(response.headers);
        const tooLong = asked !== undefined && asked > MAX_RETRY_AFTER_MS;
        if (isRetryableStatus(response.status) && !last && !tooLong) {
          lastHeaders = response.headers;
          continue;
        }
        if (isRetryableStatus(response.status) || response.status === 413) {
          const why = tooLong
            ? `Retry-After ${Math.round(asked / 1000)} s is over the ${MAX_RETRY_AFTER_MS / 1000} s cap`
            : `request failed after ${attempt} attempts`;
          await this.reject(
            outcome,
            pending.map((item) => ({ item, status: response.status, reason: `${why}: HTTP ${response.status}: ${reason}` })),
          );
          return outcome;
        }
        throw new DebbieError('export_rejected', `Elasticsearch answered ${response.status} to the bulk request: ${reason}`, this.endpoint);
      }
      const results = parseItems(response.text, pending.length, this.endpoint);
      const retry: BulkItem[] = [];
      const refused: { item: BulkItem; status: number; reason: string }[] = [];
      results.forEach((result, i) => {
        const item = pending[i]!;
        if (result.status >= 200 && result.status < 300) outcome.created += 1;
        else if (result.status === 409)
          outcome.created += 1; // our _id is already there: an earlier attempt got through
        else if (isRetryableStatus(result.status) && !last) retry.push(item);
        else {
          const why = `${result.error?.type ?? 'error'}: ${result.error?.reason ?? 'no reason given'}${result.error?.caused_by?.reason ? ` (${result.error.caused_by.reason})` : ''}`;
          refused.push({
            item,
            status: result.status,
            reason: isRetryableStatus(result.status) ? `still ${result.status} after ${attempt} attempts: ${why}` : why,
          });
        }
      });
      await this.reject(outcome, refused);
      if (retry.length > 0) lastHeaders = response.headers;
      pending = retry;
    }
    return outcome;
  }

  private async reject(outcome: BulkOutcome, refused: { item: BulkItem; status: number; reason: string }[]): Promise<void> {
    outcome.rejected += refused.length;
    await this.deadLetter?.add(refused.map((r) => ({ status: r.status, reason: r.reason, document: r.item.document })));
  }
}

function add(into: BulkOutcome, from: BulkOutcome): void {
  into.created += from.created;
  into.rejected += from.rejected;
  into.bytes += from.bytes;
  into.requests += from.requests;
}

function requestErrorReason(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { type?: string; reason?: string } | string };
    if (typeof body.error === 'string') return body.error;
    if (body.error) return `${body.error.type ?? 'error'}: ${body.error.reason ?? ''}`.trim();
  } catch {
    /* not JSON */
  }
  return text.slice(0, 300) || 'no body';
}

function parseItems(text: string, expected: number, where: string): ItemResult[] {
  let body: { errors?: boolean; items?: Record<string, ItemResult>[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new DebbieError('export_bad_response', `the _bulk response is not JSON: ${text.slice(0, 200)}`, where);
  }
  if (!Array.isArray(body.items) || body.items.length !== expected) {
    throw new DebbieError('export_bad_response', `the _bulk response has ${body.items?.length ?? 'no'} items for ${expected} sent`, where);
  }
  return body.items.map((entry) => Object.values(entry)[0] ?? { status: 0, error: { reason: 'empty item' } });
}
