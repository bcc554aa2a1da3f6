import { WebSocket, type RawData } from 'ws';
import { DebbieError, isDebbieErrorCode, filterToSearchParams, parseDebbieEvent, type DebbieEvent, type EventFilter } from '@debbie/model';
import { CLOSE_POLICY_VIOLATION, type ControlMessage } from './protocol.js';
import { RingBuffer } from './RingBuffer.js';

export interface StreamClientOptions {
  /** The stream server, e.g. ws://127.0.0.1:9999 (default path "/"). */
  url: string;
  filter?: EventFilter;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Ask for the server's buffered events first (default true). */
  replay?: boolean;
  /**
   * Events held for a slow reader (default 10,000). Reading stops (TCP backpressure, so the
   * server drops for us) at half of it; events beyond it are dropped oldest-first and counted.
   */
  maxQueue?: number;
  /** Give up connecting after this long (default 10,000 ms). */
  connectTimeoutMs?: number;
  /** Called when the server reports events dropped for this client (a running total). */
  onDropped?: (dropped: number) => void;
  /** Called for a message that is not a valid DebbieEvent (it is skipped and counted). */
  onInvalid?: (error: DebbieError) => void;
}

/**
 * Reads a Debbie stream server as an async iterator of validated DebbieEvents.
 * Connection failures become DebbieErrors that say what to do (start `debbie collect`,
 * pass a token, fix the filter).
 * @example for await (const event of new StreamClient({ url: 'ws://127.0.0.1:9999', filter: { sources: ['tool'] } })) …
 */
export class StreamClient implements AsyncIterable<DebbieEvent> {
  /** The URL connected to, with the filter as query parameters. */
  readonly url: string;
  private readonly options: StreamClientOptions;
  private readonly queue: RingBuffer<DebbieEvent>;
  private ws: WebSocket | undefined;
  private connecting: Promise<void> | undefined;
  private waiter: { resolve: (r: IteratorResult<DebbieEvent>) => void; reject: (e: Error) => void } | undefined;
  private failure: DebbieError | undefined;
  private ended = false;
  private serverDropped = 0;
  private localDropped = 0;
  private invalid = 0;
  private received = 0;

  constructor(options: StreamClientOptions) {
    this.options = options;
    this.url = subscriptionUrl(options);
    this.queue = new RingBuffer(options.maxQueue ?? 10_000);
  }

  /** Events the server dropped because this client read too slowly (its running total). */
  get droppedByServer(): number {
    return this.serverDropped;
  }
  /** Events dropped here because the reader fell `maxQueue` behind. */
  get droppedLocally(): number {
    return this.localDropped;
  }
  /** Messages that were not valid DebbieEvents. */
  get invalidMessages(): number {
    return this.invalid;
  }
  /** Events received. */
  get receivedEvents(): number {
    return this.received;
  }

  /** Opens the connection; rejects with a DebbieError saying why it could not. */
  connect(): Promise<void> {
    this.connecting ??= new Promise<void>((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
      const ws = new WebSocket(this.url, { headers, handshakeTimeout: this.options.connectTimeoutMs ?? 10_000, perMessageDeflate: false });
      this.ws = ws;
      let opened = false;
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 1000) body += chunk;
        });
        res.on('end', () => {
          const error =
            res.statusCode === 401
              ? new DebbieError(
                  'stream_unauthorized',
                  `${this.options.url} refused the connection (401 Unauthorized): pass the collector's token with --token or DEBBIE_TOKEN`,
                )
              : new DebbieError('stream_refused', `${this.options.url} answered HTTP ${res.statusCode}${body ? `: ${body.trim()}` : ''}`);
          this.fail(error);
          reject(error);
          ws.terminate();
        });
      });
      ws.on('open', () => {
        opened = true;
        resolve();
      });
      ws.on('error', (error: NodeJS.ErrnoException) => {
        if (opened) return; // after open, 'close' reports the end
        const e = connectError(this.options.url, error);
        this.fail(e);
        reject(e);
      });
      ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
      ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
    });
    return this.connecting;
  }

  /** Closes the connection; the iterator ends after the events already queued. */
  close(): void {
    this.ended = true;
    this.ws?.close(1000, 'client done');
    this.settleWaiter();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<DebbieEvent> {
    await this.connect();
    try {
      for (;;) {
        const event = this.take();
        if (event) {
          yield event;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.ended) return;
        const next = await new Promise<IteratorResult<DebbieEvent>>((resolve, reject) => {
          this.waiter = { resolve, reject };
        });
        if (next.done) {
          if (this.failure) throw this.failure;
          return;
        }
        yield next.value;
      }
    } finally {
      // `break` in for-await lands here: leave the server politely.
      if (this.ws && this.ws.readyState !== WebSocket.CLOSED) this.ws.close(1000, 'client done');
      this.ended = true;
    }
  }

  private take(): DebbieEvent | undefined {
    const event = this.queue.shift();
    if (this.ws?.isPaused && this.queue.size <= this.queue.capacity / 4) this.ws.resume();
    return event;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    let parsed: unknown;
    try {
      if (isBinary) throw new Error('binary message');
      parsed = JSON.parse(data.toString());
    } catch (error) {
      this.invalidMessage(new DebbieError('invalid_event', `stream message is not JSON: ${(error as Error).message}`, 'stream'));
      return;
    }
    if (typeof parsed === 'object' && parsed !== null && 'stream' in parsed) {
      this.onControl(parsed as ControlMessage);
      return;
    }
    let event: DebbieEvent;
    try {
      event = parseDebbieEvent(parsed, 'stream message');
    } catch (error) {
      this.invalidMessage(error as DebbieError);
      return;
    }
    this.received += 1;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ value: event, done: false });
      return;
    }
    if (this.queue.push(event)) this.localDropped += 1;
    // Stop reading while the consumer is behind: TCP backpressure makes the server drop for us.
    if (this.queue.size >= this.queue.capacity / 2 && this.ws && !this.ws.isPaused) this.ws.pause();
  }

  private onControl(message: ControlMessage): void {
    if (message.stream === 'dropped' && typeof message.dropped === 'number') {
      this.serverDropped = message.dropped;
      this.options.onDropped?.(message.dropped);
    } else if (message.stream === 'error') {
      this.fail(new DebbieError(isDebbieErrorCode(message.code) ? message.code : 'stream_error', `${this.options.url}: ${String(message.message)}`));
    }
  }

  private invalidMessage(error: DebbieError): void {
    this.invalid += 1;
    this.options.onInvalid?.(error);
  }

  private onClose(code: number, reason: string): void {
    const closedByUs = this.ended;
    this.ended = true;
    if (!this.failure && !closedByUs) {
      if (code === CLOSE_POLICY_VIOLATION)
        this.fail(new DebbieError('invalid_filter', `${this.options.url}: ${reason || 'the server rejected the subscription'}`));
      else if (code === 1006) this.fail(new DebbieError('stream_lost', `the connection to ${this.options.url} was lost`));
    }
    this.settleWaiter();
  }

  private fail(error: DebbieError): void {
    this.failure ??= error;
  }

  private settleWaiter(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = undefined;
    waiter.resolve({ value: undefined, done: true });
  }
}

/** The server URL with the filter and replay choice as query parameters. */
export function subscriptionUrl(options: Pick<StreamClientOptions, 'url' | 'filter' | 'replay'>): string {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new DebbieError('invalid_url', `"${options.url}" is not a URL; expected e.g. ws://127.0.0.1:9999`, '--url');
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    throw new DebbieError('invalid_url', `"${options.url}" must be a ws:// or wss:// URL`, '--url');
  }
  for (const [key, value] of filterToSearchParams(options.filter ?? {})) url.searchParams.set(key, value);
  if (options.replay === false) url.searchParams.set('replay', 'false');
  return url.href;
}

function connectError(url: string, error: NodeJS.ErrnoException): DebbieError {
  const code = error.code ?? (error as { cause?: NodeJS.ErrnoException }).cause?.code;
  if (code === 'ECONNREFUSED') {
    return new DebbieError(
      'stream_unreachable',
      `cannot connect to ${url}: connection refused. Is a collector running there? Start one with \`debbie collect\` (or pass --url).`,
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new DebbieError('stream_unreachable', `cannot connect to ${url}: host not found (${code})`);
  }
  return new DebbieError('stream_unreachable', `cannot connect to ${url}: ${code ?? error.message}`);
}
