import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { DebbieError } from '@debbie/model';

const gzipAsync = promisify(gzip);

export interface HttpResponse {
  status: number;
  text: string;
  headers: Headers;
}

/** Backoff before retry `attempt` (1-based): exponential from `initialMs`, capped at `maxMs`, with equal jitter. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
  return base / 2 + Math.random() * (base / 2);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Longest `Retry-After` honoured; a server asking for more is treated as giving up on this batch. */
export const MAX_RETRY_AFTER_MS = 120_000;

/**
 * The wait a `Retry-After` header asks for (RFC 9110: delay-seconds or an HTTP-date), in ms, or
 * undefined when there is none or it cannot be read.
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The pause before retry `attempt` (1-based): what the server asked for (Retry-After, capped), else backoff. */
export function retryDelay(attempt: number, initialMs: number, maxMs: number, headers?: Headers): number {
  const asked = retryAfterMs(headers);
  return asked !== undefined ? Math.min(asked, MAX_RETRY_AFTER_MS) : backoffDelay(attempt, initialMs, maxMs);
}

/**
 * True for a failure after which the server may have processed the request anyway: a timeout or
 * dropped connection after sending, or a 5xx other than 503 (503 and 429 mean "not taken").
 */
export function mayHaveBeenProcessed(status: number | undefined): boolean {
  return status === undefined || (status >= 500 && status !== 503);
}

/**
 * POSTs a body, gzip-compressed when asked, with a timeout. Network failures become a DebbieError
 * `export_unreachable` naming the URL; HTTP statuses are returned for the caller to interpret.
 */
export async function postBody(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { gzip: boolean; timeoutMs: number },
): Promise<HttpResponse & { sentBytes: number }> {
  const payload = options.gzip ? await gzipAsync(Buffer.from(body, 'utf8')) : Buffer.from(body, 'utf8');
  const all: Record<string, string> = { ...headers };
  if (options.gzip) all['Content-Encoding'] = 'gzip';
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: all, body: payload, signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new DebbieError('export_unreachable', `cannot reach ${url}: ${why}`);
  }
  return { status: response.status, text: await response.text(), headers: response.headers, sentBytes: payload.byteLength };
}

/** True for statuses worth retrying: 429 (throttled) and 5xx except 501 (not implemented). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}
