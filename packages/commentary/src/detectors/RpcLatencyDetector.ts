import type { Detector, DetectorContext } from '../Detector.js';
import { Interest, Category, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';

const TIMEOUT_TEXT = /\btimed? ?out\b|\btimeout\b/i;

interface RpcState {
  slowOpen: Set<string>;
  timeouts: Map<string, number>;
}

/**
 * JSON-RPC / WebSocket latency: a response slower than `websocket_slow_ms` (methods that span a
 * whole agent turn are exempt from the latency rule), and request timeouts (the client gave up).
 */
export class RpcLatencyDetector implements Detector {
  readonly name = 'rpc_latency';
  readonly patterns = ['websocket_slow', 'request_timeout'] as const;
  readonly interest = Interest.ALL;

  constructor(private readonly index: number) {}

  private state(session: SessionState): RpcState {
    let s = session.slots[this.index] as RpcState | undefined;
    if (!s) {
      s = { slowOpen: new Set(), timeouts: new Map() };
      session.slots[this.index] = s;
    }
    return s;
  }

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    const event = obs.event;
    if (obs.category === Category.RPC) {
      const method = String(event.details.rpc_method);
      if (ctx.thresholds.websocket_turn_methods.includes(method)) return;
      const response = event.performance_metrics?.response_ms;
      const ms = typeof response === 'number' ? response : event.duration_ms;
      if (ms === null) return;
      const t = ctx.thresholds;
      if (ms > t.websocket_slow_ms) {
        this.state(session).slowOpen.add(method);
        ctx.raise(session, {
          pattern: 'websocket_slow',
          key: method,
          severity: ms,
          level: 'WARNING',
          confidence: BASE_CONFIDENCE.websocket_slow,
          message: `Slow WebSocket response: ${method} answered in ${(ms / 1000).toFixed(2)}s (limit ${(t.websocket_slow_ms / 1000).toFixed(1)}s).`,
          explanation:
            'JSON-RPC calls that do not run an agent turn should answer in well under a second; a slow one points at a blocked event loop or a slow dependency on the server.',
          recommendations: ['Run the websocket_message_flow script for this session', 'Check the server for blocking work on the event loop'],
          trigger: refOf(event),
          evidenceEventIds: [event.event_id],
          evidenceSpanIds: event.span_id ? [event.span_id] : [],
          facts: { session_id: session.id, rpc_method: method, response_ms: Math.round(ms) },
        });
      } else if (session.slots[this.index] && this.state(session).slowOpen.delete(method)) {
        ctx.resolve(session, 'websocket_slow', method, {
          message: `WebSocket ${method} is answering in time again (${Math.round(ms)} ms).`,
          resolution: 'recovered',
          trigger: refOf(event),
        });
      }
      return;
    }
    if (!this.isTimeout(obs)) return;
    const method = typeof event.details.rpc_method === 'string' ? event.details.rpc_method : event.component;
    const s = this.state(session);
    const count = (s.timeouts.get(method) ?? 0) + 1;
    if (s.timeouts.size < 64 || s.timeouts.has(method)) s.timeouts.set(method, count);
    const timeoutMs = typeof event.details.timeout_ms === 'number' ? event.details.timeout_ms : undefined;
    ctx.raise(session, {
      pattern: 'request_timeout',
      key: method,
      severity: count,
      level: 'ERROR',
      confidence: BASE_CONFIDENCE.request_timeout,
      message: `Request timeout: ${method} got no response${timeoutMs ? ` within ${(timeoutMs / 1000).toFixed(0)}s` : ''}${count > 1 ? ` (${count} times)` : ''}.`,
      explanation:
        method === 'sendUserMessage'
          ? 'sendUserMessage answers only after the whole turn; a long turn runs into the client timeout and the user sees a stall although the agent may still be working.'
          : 'The server did not answer in time; the client gave up on the request.',
      recommendations: ['Compare the turn length with the client request timeout', 'Stream progress notifications or raise the timeout for long turns'],
      trigger: refOf(event),
      evidenceEventIds: [event.event_id],
      evidenceSpanIds: event.span_id ? [event.span_id] : [],
      facts: { session_id: session.id, rpc_method: method, timeouts: count, ...(timeoutMs ? { timeout_ms: timeoutMs } : {}) },
    });
  }

  private isTimeout(obs: Observation): boolean {
    const e = obs.event;
    if (e.action === 'request_timeout') return true;
    // A span whose failure is a timeout says the same as the timeout log it wraps: count the log only.
    return obs.isError && e.kind === 'log' && e.source !== 'tool' && TIMEOUT_TEXT.test(e.event_summary);
  }
}
