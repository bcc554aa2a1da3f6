import { DebbieError } from '@debbie/model';
import type { ClickHouseLocation } from './url.js';

/** How a failed request is retried: attempts with exponential backoff (ms), doubled each time up to maxDelayMs. */
export interface RetryPolicy {
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Per request. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, initialDelayMs: 100, maxDelayMs: 5000, timeoutMs: 30_000 };

/** An HTTP status ClickHouse answers for a request that may succeed if sent again. */
function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * ClickHouse's HTTP interface through fetch: SQL in the body, credentials in headers (never in
 * the URL, so they stay out of server logs). Network errors and 5xx are retried with backoff;
 * a 4xx (bad SQL or data) fails at once with the server's message.
 */
export class ClickHouseHttp {
  private readonly headers: Record<string, string>;

  constructor(
    private readonly location: ClickHouseLocation,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.headers = {};
    if (location.user !== undefined) this.headers['X-ClickHouse-User'] = location.user;
    if (location.password !== undefined) this.headers['X-ClickHouse-Key'] = location.password;
  }

  /** Runs a statement (no result) or a query (its text), retried. */
  async query(sql: string, database: string | undefined = this.location.database): Promise<string> {
    return this.send(database ? `?database=${encodeURIComponent(database)}` : '', sql);
  }

  /** Runs `INSERT INTO table FORMAT JSONEachRow` with `rows` (one JSON object a line) as the data; resolves when the server answered 200. */
  async insertJsonEachRow(table: string, rows: string): Promise<void> {
    const query = `INSERT INTO ${table} FORMAT JSONEachRow`;
    await this.send(`?database=${encodeURIComponent(this.location.database)}&query=${encodeURIComponent(query)}`, rows);
  }

  /** Rows of a `… FORMAT JSONEachRow` query. */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const text = await this.query(`${sql}\nFORMAT JSONEachRow`);
    const out: Record<string, unknown>[] = [];
    for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as Record<string, unknown>);
    return out;
  }

  private async send(search: string, body: string): Promise<string> {
    let delay = this.retry.initialDelayMs;
    let lastError = '';
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      try {
        const response = await fetch(`${this.location.endpoint}/${search}`, {
          method: 'POST',
          headers: this.headers,
          body,
          signal: AbortSignal.timeout(this.retry.timeoutMs),
        });
        const text = await response.text();
        if (response.ok) return text;
        status = response.status;
        lastError = `HTTP ${status}: ${text.trim().slice(0, 500)}`;
        if (!retryable(status)) {
          throw new DebbieError(
            status === 401 || status === 403 || /Authentication|password/i.test(text) ? 'store_open_failed' : 'store_query_failed',
            `ClickHouse refused the request (${lastError})`,
            this.location.display,
          );
        }
      } catch (error) {
        if (error instanceof DebbieError) throw error;
        lastError =
          (error as Error).cause instanceof Error ? `${(error as Error).message}: ${((error as Error).cause as Error).message}` : (error as Error).message;
      }
      if (attempt >= this.retry.attempts) {
        throw new DebbieError('store_unavailable', `ClickHouse did not answer after ${attempt} attempts (${lastError})`, this.location.display);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, this.retry.maxDelayMs);
    }
  }
}

/** A ClickHouse string literal: backslash and quote escaped, so a value can never end the literal. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
