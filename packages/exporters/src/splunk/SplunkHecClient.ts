import { randomUUID } from 'node:crypto';
import { DebbieError } from '@debbie/model';
import type { DeadLetterFile } from '../DeadLetterFile.js';
import { isRetryableStatus, mayHaveBeenProcessed, MAX_RETRY_AFTER_MS, postBody, retryAfterMs, retryDelay, sleep } from '../http.js';
import { describeHecError } from './hecErrors.js';

export interface SplunkHecClientOptions {
  /** Base URL of HEC, e.g. https://splunk.example.com:8088 (the /services/collector/event path is added). */
  url: string;
  /** The HEC token, sent as `Authorization: Splunk <token>`. */
  token: string;
  /** gzip request bodies. Default true. */
  gzip?: boolean;
  /** Wait for indexer acknowledgment of each batch (needs ack enabled on the token). Default false. */
  ack?: boolean;
  /** Channel id (a GUID) for acknowledgment. Default: a random UUID per client. */
  channel?: string;
  /** Attempts per batch, the first included; 429 and 5xx (503 "Server is busy") are retried. Default 5. */
  maxAttempts?: number;
  /** First backoff; doubles each attempt. Default 250 ms. */
  initialBackoffMs?: number;
  /** Longest backoff. Default 10,000 ms. */
  maxBackoffMs?: number;
  /** Per-request timeout. Default 30,000 ms. */
  timeoutMs?: number;
  /** How long to wait for an acknowledgment before resending the batch. Default 60,000 ms. */
  ackTimeoutMs?: number;
  /** Pause between acknowledgment polls. Default 500 ms. */
  ackPollMs?: number;
  deadLetter?: DeadLetterFile;
  /** How to wait between attempts (tests record the delays instead of sleeping). Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
}

export interface HecOutcome {
  accepted: number;
  rejected: number;
  bytes: number;
  requests: number;
  /** Events sent again after a failure that HEC may have indexed them anyway; each copy is marked. */
  resent: number;
}

/** Indexed field that marks a copy sent again after an ambiguous failure: search `| dedup event_id`. */
export const RESEND_FIELD = 'debbie_resend';

interface HecBody {
  text?: string;
  code?: number;
  ackId?: number;
  'invalid-event-number'?: number;
  acks?: Record<string, boolean>;
}

/**
 * The transport of the Splunk exporter: posts batches of HEC envelopes, retries 429/5xx with
 * backoff, maps HEC error codes to clear messages, and optionally waits for indexer
 * acknowledgment. An event HEC refuses (invalid-event-number) goes to the dead-letter file and
 * the events after it are sent again, since HEC indexes those before it and drops the rest.
 */
export class SplunkHecClient {
  readonly eventUrl: string;
  private readonly ackUrl: string;
  private readonly headers: Record<string, string>;
  private readonly options: SplunkHecClientOptions;

  constructor(options: SplunkHecClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new DebbieError('invalid_option', `"${options.url}" is not a URL (e.g. https://splunk.example.com:8088)`, '--url');
    }
    if (!options.token) throw new DebbieError('invalid_option', 'a HEC token is required (Settings > Data inputs > HTTP Event Collector)', '--to-token');
    const root = base.pathname.replace(/\/(services\/collector(\/event)?)?\/?$/, '');
    this.eventUrl = new URL(`${root}/services/collector/event`, base).toString();
    this.ackUrl = new URL(`${root}/services/collector/ack`, base).toString();
    this.options = options;
    this.headers = { Authorization: `Splunk ${options.token}`, 'Content-Type': 'application/json' };
    if (options.ack) this.headers['X-Splunk-Request-Channel'] = options.channel ?? randomUUID();
  }

  /**
   * Sends one batch (each entry one serialized envelope). Retries 429/5xx and network failures,
   * waiting what `Retry-After` asks; a copy sent after a failure that HEC may have indexed anyway
   * (timeout, 500/502/504, an acknowledgment that never came) carries the indexed field
   * `debbie_resend` with the attempt number, so duplicates are visible and `dedup event_id` removes
   * them. What it gives up on goes to the dead-letter file and is counted as rejected; refusals
   * that every batch would meet (credentials, index) reject the promise instead, so the export
   * stops and can be rerun once corrected.
   */
  async send(events: readonly { json: string; document: unknown }[]): Promise<HecOutcome> {
    const outcome: HecOutcome = { accepted: 0, rejected: 0, bytes: 0, requests: 0, resent: 0 };
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 5);
    const wait = this.options.sleep ?? sleep;
    let pending = events;
    let attempt = 0;
    let lastHeaders: Headers | undefined;
    // Set once a request of this batch may have been indexed: every later copy is marked.
    let mark = 0;
    while (pending.length > 0) {
      attempt += 1;
      if (attempt > 1) {
        const delay = retryDelay(attempt - 1, this.options.initialBackoffMs ?? 250, this.options.maxBackoffMs ?? 10_000, lastHeaders);
        await wait(delay);
      }
      lastHeaders = undefined;
      const last = attempt >= maxAttempts;
      const body = pending.map((e) => (mark > 0 ? markResend(e.json, mark) : e.json)).join('\n');
      if (mark > 0) outcome.resent += pending.length;
      let response;
      try {
        response = await postBody(this.eventUrl, body, this.headers, { gzip: this.options.gzip ?? true, timeoutMs: this.options.timeoutMs ?? 30_000 });
      } catch (error) {
        mark = attempt; // the request may have reached HEC and been indexed before the failure
        if (last) return this.giveUp(outcome, pending, undefined, `${(error as Error).message}; gave up after ${attempt} attempts`);
        continue;
      }
      outcome.requests += 1;
      outcome.bytes += response.sentBytes;
      const hec = parseHec(response.text);
      if (response.status === 200 && hec?.code === 0) {
        if (this.options.ack && hec.ackId !== undefined && !(await this.waitForAck(hec.ackId))) {
          mark = attempt; // indexed or not, nobody knows: resend marked, as the HEC docs advise
          if (last)
            return this.giveUp(
              outcome,
              pending,
              200,
              `Splunk did not acknowledge batch ${hec.ackId} within ${this.options.ackTimeoutMs ?? 60_000} ms; gave up after ${attempt} attempts`,
            );
          continue;
        }
        outcome.accepted += pending.length;
        return outcome;
      }
      const message = describeHecError(response.status, hec);
      if (response.status === 401 || response.status === 403) throw new DebbieError('export_auth_failed', message, this.eventUrl);
      if (isRetryableStatus(response.status)) {
        if (mayHaveBeenProcessed(response.status)) mark = attempt;
        lastHeaders = response.headers;
        const asked = retryAfterMs(response.headers);
        if (last || (asked !== undefined && asked > MAX_RETRY_AFTER_MS)) {
          return this.giveUp(
            outcome,
            pending,
            response.status,
            `${message}; gave up after ${attempt} attempts${asked !== undefined && asked > MAX_RETRY_AFTER_MS ? ` (Retry-After ${Math.round(asked / 1000)} s is over the ${MAX_RETRY_AFTER_MS / 1000} s cap)` : ''}`,
          );
        }
        continue;
      }
      const bad = hec?.['invalid-event-number'];
      if (response.status === 400 && bad !== undefined && bad >= 0 && bad < pending.length && hec?.code !== 7) {
        // HEC indexed the events before the bad one; refuse that one alone and send the rest again.
        outcome.accepted += bad;
        outcome.rejected += 1;
        await this.options.deadLetter?.add([{ status: 400, reason: message, document: pending[bad]!.document }]);
        pending = pending.slice(bad + 1);
        attempt = 0;
        continue;
      }
      // Every other refusal (wrong index, no channel, ack disabled…) would fail for every batch:
      // stop with the reason (nothing is lost: the store keeps the events for a corrected rerun).
      throw new DebbieError('export_rejected', message, this.eventUrl);
    }
    return outcome;
  }

  /** Dead-letters what is left of a batch, counts it as rejected, and ends the batch. */
  private async giveUp(outcome: HecOutcome, pending: readonly { document: unknown }[], status: number | undefined, reason: string): Promise<HecOutcome> {
    outcome.rejected += pending.length;
    await this.options.deadLetter?.add(pending.map((e) => ({ ...(status !== undefined ? { status } : {}), reason, document: e.document })));
    return outcome;
  }

  private async waitForAck(ackId: number): Promise<boolean> {
    const deadline = Date.now() + (this.options.ackTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      const response = await postBody(this.ackUrl, JSON.stringify({ acks: [ackId] }), this.headers, {
        gzip: false,
        timeoutMs: this.options.timeoutMs ?? 30_000,
      });
      const body = parseHec(response.text);
      if (response.status !== 200) {
        if (isRetryableStatus(response.status)) {
          await sleep(this.options.ackPollMs ?? 500);
          continue;
        }
        throw new DebbieError('export_rejected', describeHecError(response.status, body), this.ackUrl);
      }
      if (body?.acks?.[String(ackId)] === true) return true;
      await sleep(this.options.ackPollMs ?? 500);
    }
    return false;
  }
}

/** The envelope with its resend mark as an indexed field (HEC requires flat string fields). */
function markResend(json: string, attempt: number): string {
  const envelope = JSON.parse(json) as { fields?: Record<string, unknown> };
  envelope.fields = { ...envelope.fields, [RESEND_FIELD]: String(attempt) };
  return JSON.stringify(envelope);
}

function parseHec(text: string): HecBody | undefined {
  try {
    return JSON.parse(text) as HecBody;
  } catch {
    return text ? { text: text.slice(0, 200) } : undefined;
  }
}
