import type { DebbieLogger, DebbieSpan } from '@debbie/sdk';
import type { JsonRpcObserver } from './JsonRpcService.js';

export interface DebbieJsonRpcObserverOptions {
  /** Component name on every event (default "JsonRpcService"). */
  component?: string;
  /** Requests tracked for notification correlation before the oldest is forgotten (default 1,000). */
  maxTracked?: number;
}

interface RequestToken {
  span: DebbieSpan;
  id: number;
  method: string;
  sessionId: string | undefined;
}

/**
 * Debbie's instrumentation of a JsonRpcService: one `websocket` span per request, correlated by
 * request id (`rpc-<id>`) and sessionId; notifications become `websocket` events, nested in the
 * request that was in flight for their session (a sendUserMessage turn), so a turn's streamed
 * chunks and status updates hang under the request that caused them.
 */
export function debbieJsonRpcObserver(logger: DebbieLogger, options: DebbieJsonRpcObserverOptions = {}): JsonRpcObserver<RequestToken> {
  const component = options.component ?? 'JsonRpcService';
  const maxTracked = options.maxTracked ?? 1_000;
  // The request in flight per session (the newest wins), for nesting notifications.
  const inFlightBySession = new Map<string, RequestToken>();
  let sessionOfConnection: string | undefined;

  const forget = (token: RequestToken) => {
    if (token.sessionId && inFlightBySession.get(token.sessionId) === token) inFlightBySession.delete(token.sessionId);
  };

  return {
    onRequest(id, method, params) {
      const sessionId = typeof params.sessionId === 'string' ? params.sessionId : sessionOfConnection;
      const span = logger.startSpan({
        source: 'websocket',
        component,
        action: method,
        message: `JSON-RPC ${method} (id ${id})`,
        details: { rpc_method: method, rpc_request_id: id, direction: 'client' },
        correlation_id: sessionId ? `${sessionId}-rpc-${id}` : `rpc-${id}`,
        ...(sessionId ? { session_id: sessionId } : {}),
      });
      const token: RequestToken = { span, id, method, sessionId };
      if (sessionId) {
        if (inFlightBySession.size >= maxTracked && !inFlightBySession.has(sessionId)) {
          const oldest = inFlightBySession.keys().next().value;
          if (oldest !== undefined) inFlightBySession.delete(oldest);
        }
        inFlightBySession.set(sessionId, token);
      }
      return token;
    },
    onResponse(token, outcome) {
      if (outcome.error) {
        token.span.setLevel('ERROR').setDetails({ rpc_error_code: outcome.error.code, error: outcome.error.message });
      } else {
        const result = (outcome.result ?? {}) as Record<string, unknown>;
        if (token.method === 'startSession' && typeof result.sessionId === 'string') {
          sessionOfConnection = result.sessionId;
          token.span.setDetails({ started_session: result.sessionId }).setIds({ session_id: result.sessionId });
        }
        if (typeof result.status === 'number') token.span.setDetails({ status: result.status });
      }
      forget(token);
      token.span.end();
    },
    onTimeout(token, timeoutMs) {
      token.span
        .setLevel('ERROR')
        .setMessage(`JSON-RPC ${token.method} (id ${token.id}) timed out after ${timeoutMs} ms`)
        .setDetails({ timeout_ms: timeoutMs, timed_out: true });
      forget(token);
      token.span.end();
    },
    onNotification(method, params) {
      const sessionId = typeof params.sessionId === 'string' ? params.sessionId : sessionOfConnection;
      const parent = sessionId ? inFlightBySession.get(sessionId) : undefined;
      const event = {
        source: 'websocket' as const,
        level: 'DEBUG' as const,
        component,
        action: 'notification',
        message: `notification ${method}`,
        details: { rpc_method: method, notification: true, ...summarize(params) },
        ...(sessionId ? { session_id: sessionId } : {}),
      };
      if (parent) parent.span.log({ ...event, correlation_id: `${parent.sessionId}-rpc-${parent.id}` });
      else logger.log(event);
    },
  };
}

/** Keeps notification details small: scalars as they are, long text cut, objects by their keys. */
function summarize(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'sessionId') continue;
    if (typeof v === 'string') out[k] = v.length > 200 ? `${v.slice(0, 200)}…` : v;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
    else if (typeof v === 'object') out[k] = Array.isArray(v) ? `[${v.length} items]` : `{${Object.keys(v).join(', ')}}`;
  }
  return out;
}
