import { randomUUID } from 'node:crypto';
import { DebbieError } from '@debbie/model';
import type { DeadLetterFile } from '../DeadLetterFile.js';
import { backoffDelay, isRetryableStatus, postBody, sleep } from '../http.js';
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
}

export interface HecOutcome { accepted: number; rejected: number; bytes: number; requests: number }

interface HecBody { text?: string; code?: number; ackId?: number; 'invalid-event-number'?: number; acks?: Record<string, boolean> }

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
    try { base = new URL(options.url); } catch {
      throw new DebbieError('invalid_option', `"${options.url}" is not a URL (e.g. https://splunk.example.com:8088)`, '--url');
    }
    if (!options.token) throw new DebbieError('invalid_option', 'a HEC token is required (Settings > Data inputs > HTTP Event Collector)', '--token');
    const root = base.pathname.replace(/\/(services\/collector(\/event)?)?\/?$/, '');
    this.eventUrl = new URL(`${root}/services/collector/event`, base).toString();
    this.ackUrl = new URL(`${root}/services/collector/ack`, base).toString();
    this.options = options;
    this.headers = { Authorization: `Splunk ${options.token}`, 'Content-Type': 'application/json' };
    if (options.ack) this.headers['X-Splunk-Request-Channel'] = options.channel ?? randomUUID();
  }

  /** Sends one batch (each entry one serialized envelope). */
  async send(events: readonly { json: string; document: unknown }[]): Promise<HecOutcome> {
    const outcome: HecOutcome = { accepted: 0, rejected: 0, bytes: 0, requests: 0 };
    const maxAttempts = Math.max(1, this.options.maxAttempts ?? 5);
    let pending = events;
    let attempt = 0;
    while (pending.length > 0) {
      attempt += 1;
      if (attempt > 1) await sleep(backoffDelay(attempt - 1, this.options.initialBackoffMs ?? 250, this.options.maxBackoffMs ?? 10_000));
      const last = attempt >= maxAttempts;
      let response;
      try {
        response = await postBody(this.eventUrl, pending.map((e) => e.json).join('\n'), this.headers, { gzip: this.options.gzip ?? true, timeoutMs: this.options.timeoutMs ?? 30_000 });
      } catch (error) {
        if (last) throw error;
        continue;
      }
      outcome.requests += 1;
      outcome.bytes += response.sentBytes;
      const body = parseHec(response.text);
      if (response.status === 200 && body?.code === 0) {
        if (this.options.ack && body.ackId !== undefined && !(await this.waitForAck(body.ackId))) {
          if (last) throw new DebbieError('export_not_acknowledged', `Splunk did not acknowledge batch ${body.ackId} within ${this.options.ackTimeoutMs ?? 60_000} ms`, this.eventUrl);
          continue; // not acknowledged: resend, as the HEC docs advise
        }
        outcome.accepted += pending.length;
        return outcome;
      }
      const message = describeHecError(response.status, body);
      if (response.status === 401 || response.status === 403) throw new DebbieError('export_auth_failed', message, this.eventUrl);
      if (isRetryableStatus(response.status)) {
        if (last) throw new DebbieError('export_rejected', `${message}; gave up after ${attempt} attempts`, this.eventUrl);
        continue;
      }
      const bad = body?.['invalid-event-number'];
      if (response.status === 400 && bad !== undefined && bad >= 0 && bad < pending.length && body?.code !== 7) {
        // HEC indexed the events before the bad one; refuse that one alone and send the rest again.
        outcome.accepted += bad;
        outcome.rejected += 1;
        await this.options.deadLetter?.add([{ status: 400, reason: message, document: pending[bad]!.document }]);
        pending = pending.slice(bad + 1);
        attempt = 0;
        continue;
      }
      // Every other refusal (wrong index, no channel, ack disabled…) would fail for every batch: stop with the reason.
      throw new DebbieError('export_rejected', message, this.eventUrl);
    }
    return outcome;
  }

  private async waitForAck(ackId: number): Promise<boolean> {
    const deadline = Date.now() + (this.options.ackTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      const response = await postBody(this.ackUrl, JSON.stringify({ acks: [ackId] }), this.headers, { gzip: false, timeoutMs: this.options.timeoutMs ?? 30_000 });
      const body = parseHec(response.text);
      if (response.status !== 200) {
        if (isRetryableStatus(response.status)) { await sleep(this.options.ackPollMs ?? 500); continue; }
        throw new DebbieError('export_rejected', describeHecError(response.status, body), this.ackUrl);
      }
      if (body?.acks?.[String(ackId)] === true) return true;
      await sleep(this.options.ackPollMs ?? 500);
    }
    return false;
  }
}

function parseHec(text: string): HecBody | undefined {
  try { return JSON.parse(text) as HecBody; } catch { return text ? { text: text.slice(0, 200) } : undefined; }
}
