import WebSocket from 'ws';

/** Observes a JsonRpcService without changing it: how Debbie (or anything else) instruments it. */
export interface JsonRpcObserver<Token = unknown> {
  /** A request is about to be sent; the returned token comes back with its outcome. */
  onRequest(id: number, method: string, params: Record<string, unknown>): Token;
  onResponse(token: Token, outcome: { result?: unknown; error?: { code: number; message: string } }): void;
  onTimeout(token: Token, timeoutMs: number): void;
  onNotification(method: string, params: Record<string, unknown>): void;
}

export interface JsonRpcServiceOptions {
  /** Per-request timeout (AIWhisperer's frontend: 10 s by default, 30 s in the app; default here 30 s). */
  requestTimeoutMs?: number;
  /** Requests in flight before new ones are refused (default 256). */
  maxPending?: number;
  observer?: JsonRpcObserver;
}

export class JsonRpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly method: string,
  ) {
    super(`${method}: ${message} (JSON-RPC error ${code})`);
  }
}

export class JsonRpcTimeoutError extends Error {
  constructor(
    readonly method: string,
    readonly id: number,
    readonly timeoutMs: number,
  ) {
    super(`${method} (id ${id}) got no response within ${timeoutMs} ms`);
  }
}

interface Pending {
  method: string;
  token: unknown;
  timer: NodeJS.Timeout;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * A JSON-RPC 2.0 client over a WebSocket, shaped like AIWhisperer's frontend JsonRpcService:
 * numeric ids, a map of pending requests, a request timeout, and notifications (a message with a
 * method and no id) dispatched to listeners by method.
 */
export class JsonRpcService {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(params: Record<string, unknown>) => void>>();
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly observer: JsonRpcObserver | undefined;
  /** Responses for requests that had already timed out. */
  lateResponses = 0;
  /** Frames that were not valid JSON-RPC. */
  invalidFrames = 0;

  constructor(
    private readonly url: string,
    options: JsonRpcServiceOptions = {},
  ) {
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxPending = options.maxPending ?? 256;
    this.observer = options.observer;
  }

  async connect(): Promise<void> {
    const ws = new WebSocket(this.url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', (e) => reject(new Error(`cannot connect to ${this.url}: ${e.message}`)));
    });
    ws.on('message', (data) => this.onFrame(data.toString()));
    ws.on('close', () => {
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error(`connection closed before the response to ${p.method} (id ${id})`));
      }
      this.pending.clear();
    });
    this.ws = ws;
  }

  /** Sends a request; resolves with its result, rejects with JsonRpcError or JsonRpcTimeoutError. */
  sendRequest<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = this.timeoutMs): Promise<T> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new Error(`not connected to ${this.url}`));
    if (this.pending.size >= this.maxPending) return Promise.reject(new Error(`too many pending requests (${this.maxPending})`));
    const id = this.nextId++;
    const token = this.observer?.onRequest(id, method, params);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        this.observer?.onTimeout(token, timeoutMs);
        reject(new JsonRpcTimeoutError(method, id, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { method, token, timer, resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Listens for notifications of one method ('*' for all). Returns an unsubscribe function. */
  onNotification(method: string, handler: (params: Record<string, unknown>) => void): () => void {
    const set = this.listeners.get(method) ?? new Set();
    set.add(handler);
    this.listeners.set(method, set);
    return () => set.delete(handler);
  }

  close(): void {
    this.ws?.close();
  }

  private onFrame(text: string): void {
    let message: { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { code: number; message: string } };
    try {
      message = JSON.parse(text);
    } catch {
      this.invalidFrames += 1;
      return;
    }
    if (typeof message.method === 'string' && message.id === undefined) {
      const params = (message.params ?? {}) as Record<string, unknown>;
      this.observer?.onNotification(message.method, params);
      for (const key of [message.method, '*']) for (const h of this.listeners.get(key) ?? []) h(params);
      return;
    }
    if (typeof message.id !== 'number') {
      this.invalidFrames += 1;
      return;
    }
    const p = this.pending.get(message.id);
    if (!p) {
      this.lateResponses += 1;
      return;
    }
    this.pending.delete(message.id);
    clearTimeout(p.timer);
    this.observer?.onResponse(p.token, message.error ? { error: message.error } : { result: message.result });
    if (message.error) p.reject(new JsonRpcError(message.error.code, message.error.message, p.method));
    else p.resolve(message.result);
  }
}
