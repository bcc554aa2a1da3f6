import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { Clock } from '@debbie/model';
import { clockMessage, closeClockChannel, holdClock, openClockChannel } from '../clock/sleep.js';
import { RpcError, type RpcResponse } from '../protocol/jsonrpc.js';

/** Raised when no response arrives within the request timeout (the client sees a stall). */
export class RequestTimeoutError extends Error {
  constructor(
    readonly method: string,
    readonly id: number,
    readonly timeoutMs: number,
  ) {
    super(`Request ${method} (id ${id}) timed out after ${timeoutMs}ms`);
    this.name = 'RequestTimeoutError';
  }
}

export interface SimClientOptions {
  /** Timers (request timeouts) run on this clock; a SimClock also tracks this client's messages. */
  clock: Clock;
  /** Default request timeout in ms (AIWhisperer's app: 30,000). */
  requestTimeoutMs?: number;
  /** Most requests awaiting a response (default 256); more are refused. */
  maxPending?: number;
}

export interface RequestOptions {
  timeoutMs?: number;
  /** Trace context and correlation id for the server, sent as params._meta. */
  meta?: { traceparent?: string; correlation_id?: string };
}

type NotificationHandler = (method: string, params: Record<string, unknown>) => void;

interface Pending {
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  cancelTimer(): void;
}

/**
 * A JSON-RPC client like AIWhisperer's JsonRpcService: numeric ids, a map of pending requests, a
 * per-request timeout, and notifications (messages with a method and no id) to listeners.
 * Use it (or hold the SimClock yourself) to talk to the simulator from another component: it
 * reports its messages to the SimClock so simulated time never jumps over them.
 */
export class SimClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<NotificationHandler>();
  private readonly lateListeners = new Set<(response: RpcResponse) => void>();
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  /** Simulated time (epoch µs) of the last message received. */
  lastReceivedUs: number;
  /** Responses that arrived after their request had timed out. */
  lateResponses = 0;

  private constructor(
    private readonly ws: WebSocket,
    private readonly port: number,
    private readonly options: SimClientOptions,
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxPending = options.maxPending ?? 256;
    this.lastReceivedUs = options.clock.now();
    ws.on('message', (data) => {
      clockMessage(options.clock, 'received', `s2c:${port}`);
      this.lastReceivedUs = options.clock.now();
      this.onMessage(data.toString());
    });
    ws.on('close', () => {
      closeClockChannel(options.clock, `c2s:${port}`);
      closeClockChannel(options.clock, `s2c:${port}`);
      for (const [id, p] of this.pending) {
        p.cancelTimer();
        p.reject(new Error(`Connection closed before the response to ${p.method} (id ${id})`));
      }
      this.pending.clear();
    });
  }

  /** Connects to `url` (ws://127.0.0.1:…/ws); simulated time is held until the socket is open. */
  static async connect(url: string, options: SimClientOptions): Promise<SimClient> {
    const release = holdClock(options.clock);
    try {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let port = 0;
      ws.once('upgrade', (res) => {
        port = (res.socket as Socket).localPort ?? 0;
        openClockChannel(options.clock, `c2s:${port}`);
        openClockChannel(options.clock, `s2c:${port}`);
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      ws.on('error', () => {}); // after open, errors surface as 'close' and rejected requests
      return new SimClient(ws, port, options);
    } finally {
      release();
    }
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Calls `method`; rejects with RpcError on an error response or RequestTimeoutError on timeout. */
  request<T = unknown>(method: string, params: Record<string, unknown> = {}, options: RequestOptions = {}): Promise<T> {
    if (this.pending.size >= this.maxPending) return Promise.reject(new Error(`Too many pending requests (${this.maxPending})`));
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const body = options.meta ? { ...params, _meta: options.meta } : params;
    return new Promise<T>((resolve, reject) => {
      const cancelTimer = this.options.clock.setTimer(timeoutMs, () => {
        if (!this.pending.delete(id)) return;
        reject(new RequestTimeoutError(method, id, timeoutMs));
      });
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject, cancelTimer });
      this.sendFrame(JSON.stringify({ jsonrpc: '2.0', id, method, params: body }));
    });
  }

  /** Sends a message with no id: a JSON-RPC notification (the server answers nothing). */
  notify(method: string, params: Record<string, unknown> = {}): void {
    this.sendFrame(JSON.stringify({ jsonrpc: '2.0', method, params }));
  }

  /** Sends any text frame as is (malformed JSON, wrong versions…). */
  sendFrame(frame: string): void {
    clockMessage(this.options.clock, 'sent', `c2s:${this.port}`);
    this.ws.send(frame);
  }

  /** Sends a raw frame and resolves with the next response that has no matching pending request (error replies to bad frames carry id null). */
  async sendRawExpectingError(frame: string): Promise<RpcResponse> {
    const answer = new Promise<RpcResponse>((resolve) => {
      const once = (r: RpcResponse) => {
        this.lateListeners.delete(once);
        resolve(r);
      };
      this.lateListeners.add(once);
    });
    this.sendFrame(frame);
    return answer;
  }

  onNotification(handler: NotificationHandler): () => void {
    this.listeners.add(handler);
    return () => this.listeners.delete(handler);
  }

  /** Responses with no pending request: late ones (after a timeout) and replies to raw frames. */
  onUnmatchedResponse(handler: (response: RpcResponse) => void): () => void {
    this.lateListeners.add(handler);
    return () => this.lateListeners.delete(handler);
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const release = holdClock(this.options.clock);
    try {
      await new Promise<void>((resolve) => {
        this.ws.once('close', () => resolve());
        this.ws.close();
      });
    } finally {
      release();
    }
  }

  private onMessage(text: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return; // the server only sends JSON; a broken frame is not ours to answer
    }
    if (typeof msg.method === 'string' && msg.id === undefined) {
      const params = (typeof msg.params === 'object' && msg.params !== null ? msg.params : {}) as Record<string, unknown>;
      for (const l of this.listeners) l(msg.method, params);
      return;
    }
    const response = msg as unknown as RpcResponse;
    const pending = typeof response.id === 'number' ? this.pending.get(response.id) : undefined;
    if (!pending) {
      if (typeof response.id === 'number') this.lateResponses += 1;
      for (const l of [...this.lateListeners]) l(response);
      return;
    }
    this.pending.delete(response.id as number);
    pending.cancelTimer();
    if (response.error) pending.reject(new RpcError(response.error.code, response.error.message, response.error.data));
    else pending.resolve(response.result);
  }
}
