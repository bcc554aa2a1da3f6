import WebSocket from 'ws';
import type { Clock } from '@debbie/model';
import type { PatternId } from '../patterns.js';
import type { InterventionStrategy, InterventionTarget } from './InterventionStrategy.js';

export interface ContinuationInjectionOptions {
  /** The AIWhisperer JSON-RPC WebSocket, or a function choosing it per session. */
  url: string | ((sessionId: string) => string);
  /** Default "Please continue with the next step." (what AIWhisperer's session manager sends itself). */
  prompt?: string;
  /** Real milliseconds to wait for the connection. Default 5,000. */
  connectTimeoutMs?: number;
  /**
   * Real milliseconds a socket stays open waiting for the reply (sendUserMessage answers after the
   * whole turn, and some servers cancel a turn when its connection drops). Default 120,000.
   */
  replyTimeoutMs?: number;
  /** The processor's clock. If it can hold time (the simulator's SimClock), it is held while connecting. */
  clock?: Clock;
}

interface Holdable {
  hold?: () => () => void;
}

/**
 * Injects a continuation into a stalled AIWhisperer session: opens a WebSocket to its JSON-RPC
 * endpoint and sends `sendUserMessage {sessionId, message: "Please continue with the next step."}`,
 * the same message AIWhisperer's session manager sends itself when it decides to continue.
 */
export class ContinuationInjection implements InterventionStrategy {
  readonly name = 'continuation_injection';
  readonly kind = 'continuation';
  private readonly prompt: string;
  private readonly sockets = new Set<WebSocket>();
  private nextId = 1;
  /** JSON-RPC error replies received (e.g. the session is unknown to the server). */
  errorReplies = 0;

  constructor(private readonly options: ContinuationInjectionOptions) {
    this.prompt = options.prompt ?? 'Please continue with the next step.';
  }

  handles(pattern: PatternId): boolean {
    return pattern === 'continuation_stall';
  }

  describe(): string {
    return 'Injecting continuation prompt to unstick agent';
  }

  apply(target: InterventionTarget): Promise<void> {
    const url = typeof this.options.url === 'function' ? this.options.url(target.sessionId) : this.options.url;
    const release = (this.options.clock as Holdable | undefined)?.hold?.() ?? (() => {});
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const ws = new WebSocket(url);
      this.sockets.add(ws);
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        release();
        if (error) {
          this.drop(ws);
          reject(error);
        } else {
          resolve();
        }
      };
      const connectTimer = setTimeout(
        () => finish(new Error(`could not connect to ${url} within ${this.options.connectTimeoutMs ?? 5000} ms`)),
        this.options.connectTimeoutMs ?? 5000,
      );
      const replyTimer = setTimeout(() => this.drop(ws), this.options.replyTimeoutMs ?? 120_000);
      replyTimer.unref();
      ws.on('error', (error) => finish(new Error(`WebSocket ${url}: ${error.message}`)));
      ws.on('close', () => {
        clearTimeout(replyTimer);
        this.sockets.delete(ws);
        finish(new Error(`WebSocket ${url} closed before the message was sent`));
      });
      ws.on('message', (data) => {
        try {
          const reply = JSON.parse(String(data)) as { id?: unknown; error?: unknown };
          if (reply.id !== id) return; // notifications of the session
          if (reply.error !== undefined) this.errorReplies += 1;
        } catch {
          return;
        }
        this.drop(ws);
      });
      ws.on('open', () => {
        const frame = JSON.stringify({ jsonrpc: '2.0', id, method: 'sendUserMessage', params: { sessionId: target.sessionId, message: this.prompt } });
        ws.send(frame, (error) => finish(error ?? undefined));
      });
    });
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) this.drop(ws);
  }

  private drop(ws: WebSocket): void {
    this.sockets.delete(ws);
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
  }
}
