import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { context, ROOT_CONTEXT, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { ATTR, isValidSpanId, isValidTraceId, type Clock } from '@debbie/model';
import type { DebbieLogger } from '@debbie/sdk';
import { WebSocketServer, type WebSocket } from 'ws';
import { clockMessage, closeClockChannel, holdClock, sleep } from '../clock/sleep.js';
import {
  objectParams,
  parseRpcMessage,
  RPC_ERROR,
  RpcError,
  SessionStatus,
  stringParam,
  type RpcId,
  type RpcRequest,
  type RpcResponse,
} from '../protocol/jsonrpc.js';
import type { SlowMethod } from '../script.js';
import { TruthRecorder } from '../truth/TruthRecorder.js';
import { Random } from '../util/Random.js';
import { AGENTS, findAgent } from './agents.js';
import type { Session } from './Session.js';
import { SessionManager, type SessionManagerOptions } from './SessionManager.js';
import type { SimRuntime } from './SimRuntime.js';

/** The request's params as logged (trace context left out, capped at 1,000 characters). */
function paramsText(params: Record<string, unknown>): string {
  const { _meta: _ignored, ...rest } = params;
  const text = JSON.stringify(rest);
  return text.length > 1_000 ? `${text.slice(0, 1_000)}…` : text;
}

const SESSION_STATUS_NAMES: Record<number, string> = { 0: 'Starting', 1: 'Active', 2: 'Stopped', 3: 'Error' };

export interface SimServerOptions extends SessionManagerOptions {
  logger: DebbieLogger;
  /** Default: the logger's clock. */
  clock?: Clock;
  /** Seed for session ids, tool-call ids and jitter (default 1). */
  seed?: number;
  /** Timing variation as a fraction (default 0). */
  jitter?: number;
  /** Where faults and decoys are recorded (default: a fresh recorder). */
  truth?: TruthRecorder;
  /** Methods answered late (the > 1 s WebSocket response). */
  slowMethods?: SlowMethod[];
  /** Port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /** Largest accepted frame in bytes (default 1 MiB); larger ones close the connection with 1009. */
  maxPayload?: number;
}

interface Connection {
  id: number;
  ws: WebSocket;
  /** The client's port: names the clock channels of this connection. */
  port: number;
  sessions: Set<string>;
}

/** Real JSON-RPC 2.0 over a WebSocket at ws://127.0.0.1:<port>/ws, like AIWhisperer's server. */
export class SimServer {
  readonly sessions: SessionManager;
  readonly truth: TruthRecorder;
  private readonly rt: SimRuntime;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<WebSocket, Connection>();
  private readonly owners = new Map<string, Set<Connection>>();
  private readonly slow: Map<string, SlowMethod>;
  private nextConnectionId = 1;
  private readonly firstMessage = new WeakMap<Socket, () => void>();
  /** Notifications that could not be sent (owner gone). */
  undeliveredNotifications = 0;

  private constructor(options: SimServerOptions) {
    const clock = options.clock ?? options.logger.clock;
    this.truth = options.truth ?? new TruthRecorder();
    this.rt = {
      clock,
      logger: options.logger,
      rng: new Random(options.seed ?? 1),
      jitter: options.jitter ?? 0,
      truth: this.truth,
      notify: (sessionId, method, params) => this.notify(sessionId, method, params),
    };
    this.sessions = new SessionManager(this.rt, options);
    this.slow = new Map((options.slowMethods ?? []).map((s) => [s.method, s]));
    this.http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('Upgrade to a WebSocket at /ws\n');
    });
    this.http.on('connection', (socket: Socket) => this.holdUntilFirstMessage(socket));
    this.wss = new WebSocketServer({ server: this.http, path: '/ws', maxPayload: options.maxPayload ?? 1024 * 1024 });
    this.wss.on('connection', (ws, req) => this.accept(ws, req.socket as Socket));
  }

  /** Starts a server on 127.0.0.1 and resolves once it listens. */
  static async start(options: SimServerOptions): Promise<SimServer> {
    const server = new SimServer(options);
    await new Promise<void>((resolve, reject) => {
      server.http.once('error', reject);
      server.http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    server.rt.logger.log({
      source: 'server',
      component: 'aiwhisperer.server',
      action: 'server_started',
      message: `Interactive server listening on ${server.url}`,
      details: { url: server.url },
    });
    return server;
  }

  get url(): string {
    const { port } = this.http.address() as AddressInfo;
    return `ws://127.0.0.1:${port}/ws`;
  }

  get clock(): Clock {
    return this.rt.clock;
  }

  /** Closes every connection and the listener. */
  async close(): Promise<void> {
    for (const ws of this.connections.keys()) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.rt.logger.log({ source: 'server', component: 'aiwhisperer.server', action: 'server_stopped', message: 'Interactive server stopped' });
  }

  /**
   * A new TCP connection will send its first request soon: simulated time waits for it (at most
   * 300 ms of real time), so a component that connects from a timer callback is not overtaken.
   */
  private holdUntilFirstMessage(socket: Socket): void {
    const release = holdClock(this.rt.clock);
    const timer = setTimeout(release, 300);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      release();
    };
    this.firstMessage.set(socket, done);
    socket.once('close', done);
  }

  private accept(ws: WebSocket, socket: Socket): void {
    const port = socket.remotePort ?? 0;
    const conn: Connection = { id: this.nextConnectionId++, ws, port, sessions: new Set() };
    this.connections.set(ws, conn);
    const firstMessage = this.firstMessage.get(socket);
    this.rt.logger.log({
      source: 'server',
      component: 'websocket_endpoint',
      action: 'connection_open',
      message: `WebSocket connection ${conn.id} accepted`,
      details: { connection_id: conn.id },
    });
    ws.on('message', (data, isBinary) => {
      clockMessage(this.rt.clock, 'received', `c2s:${port}`);
      firstMessage?.();
      this.onMessage(conn, isBinary ? null : data.toString());
    });
    ws.on('close', () => {
      firstMessage?.();
      this.connections.delete(ws);
      for (const sessionId of conn.sessions) this.owners.get(sessionId)?.delete(conn);
      closeClockChannel(this.rt.clock, `s2c:${port}`);
      this.rt.logger.log({
        source: 'server',
        component: 'websocket_endpoint',
        action: 'connection_closed',
        message: `WebSocket connection ${conn.id} closed`,
        details: { connection_id: conn.id },
      });
    });
    ws.on('error', (error) => {
      this.rt.logger.log({
        source: 'server',
        level: 'ERROR',
        component: 'websocket_endpoint',
        action: 'connection_error',
        message: `WebSocket connection ${conn.id} error: ${error.message}`,
        details: { connection_id: conn.id },
      });
    });
  }

  private onMessage(conn: Connection, text: string | null): void {
    const parsed =
      text === null
        ? { kind: 'invalid' as const, id: null, error: { code: RPC_ERROR.PARSE_ERROR, message: 'Parse error: binary frames are not JSON' } }
        : parseRpcMessage(text);
    switch (parsed.kind) {
      case 'invalid':
        this.rt.logger.log({
          source: 'websocket',
          level: 'ERROR',
          component: 'websocket_endpoint',
          action: 'invalid_message',
          message: `JSON-RPC error ${parsed.error.code}: ${parsed.error.message}`,
          details: { connection_id: conn.id, code: parsed.error.code, frame: text === null ? '(binary)' : text.slice(0, 200) },
        });
        this.send(conn, { jsonrpc: '2.0', id: parsed.id, error: parsed.error });
        return;
      case 'response':
        return; // the server sends no requests, so a response is unsolicited: dropped
      case 'notification':
        // Faithful to the real server: a request without an id is a notification and is ignored,
        // even a sendUserMessage (the client then waits for a reply that never comes).
        this.rt.logger.log({
          source: 'websocket',
          level: 'WARNING',
          component: 'websocket_endpoint',
          action: 'notification_ignored',
          message: `Ignoring ${parsed.request.method} without an id (treated as a notification)`,
          details: { connection_id: conn.id, rpc_method: parsed.request.method },
          ...this.sessionIdOf(parsed.request),
        });
        this.recordIgnored(parsed.request);
        return;
      case 'request':
        this.handleRequest(conn, parsed.request).catch((error: unknown) => {
          this.rt.logger.log({
            source: 'server',
            level: 'ERROR',
            component: 'websocket_endpoint',
            action: 'request_failed',
            message: `Request ${parsed.request.method} failed outside its handler: ${String((error as Error)?.message ?? error)}`,
            details: { connection_id: conn.id, rpc_method: parsed.request.method },
          });
        });
    }
  }

  /** An ignored sendUserMessage is a fault: the user's message is silently lost. */
  private recordIgnored(request: RpcRequest): void {
    const sessionId = this.sessionIdOf(request).session_id;
    if (request.method !== 'sendUserMessage' || !sessionId) return;
    const now = this.rt.clock.now();
    this.truth.fault('ignored_request', sessionId, now, now, { group: `ignored_request-${now}`, details: { rpc_method: request.method } });
  }

  private sessionIdOf(request: RpcRequest): { session_id?: string } {
    const params = request.params;
    const id = params && !Array.isArray(params) ? params.sessionId : undefined;
    return typeof id === 'string' && this.sessions.get(id) ? { session_id: id } : {};
  }

  /** One websocket span per request; a sendUserMessage span lasts the whole turn. */
  private async handleRequest(conn: Connection, request: RpcRequest & { id: RpcId }): Promise<void> {
    const { logger } = this.rt;
    const params = request.params && !Array.isArray(request.params) ? request.params : {};
    const meta = (typeof params._meta === 'object' && params._meta !== null ? params._meta : {}) as Record<string, unknown>;
    const session = typeof params.sessionId === 'string' ? this.sessions.get(params.sessionId) : undefined;
    const correlationId =
      typeof meta.correlation_id === 'string'
        ? meta.correlation_id
        : request.method === 'sendUserMessage' && session
          ? session.nextCorrelationId()
          : `rpc-${conn.id}-${request.id}`;
    const response = await logger.span(
      {
        source: 'websocket',
        component: 'websocket_endpoint',
        action: request.method,
        details: {
          rpc_method: request.method,
          rpc_request_id: String(request.id),
          rpc_params: paramsText(params),
          connection_id: conn.id,
          from_owner: session ? conn.sessions.has(session.sessionId) : null,
        },
        correlation_id: correlationId,
        ...(session ? { session_id: session.sessionId, agent_id: session.agentId } : {}),
      },
      async (span): Promise<RpcResponse> => {
        const startUs = this.rt.clock.now();
        let result: RpcResponse;
        try {
          const value = await this.dispatch(conn, request, correlationId);
          result = { jsonrpc: '2.0', id: request.id, result: value };
        } catch (error) {
          const rpcError =
            error instanceof RpcError ? error : new RpcError(RPC_ERROR.INTERNAL_ERROR, `Internal error: ${(error as Error).message ?? String(error)}`);
          span.setLevel('ERROR');
          span.setDetails({ error_code: rpcError.code, error: rpcError.message });
          span.setMessage(`jsonrpc ${request.method} failed: ${rpcError.code} ${rpcError.message}`);
          result = {
            jsonrpc: '2.0',
            id: request.id,
            error: { code: rpcError.code, message: rpcError.message, ...(rpcError.data !== undefined ? { data: rpcError.data } : {}) },
          };
        }
        const slow = this.slow.get(request.method);
        if (slow) {
          await sleep(this.rt.clock, slow.delayMs);
          const endUs = this.rt.clock.now();
          if (slow.fault && session)
            this.truth.fault(slow.fault, session.sessionId, startUs, endUs, {
              group: `${slow.fault}-${startUs}`,
              details: { rpc_method: request.method, response_ms: (endUs - startUs) / 1000 },
            });
        }
        span.setMetrics({ response_ms: (this.rt.clock.now() - startUs) / 1000 });
        return result;
      },
      this.parentContext(meta),
    );
    this.send(conn, response);
  }

  /** The caller's span, from a W3C traceparent in params._meta (how one turn becomes one trace). */
  private parentContext(meta: Record<string, unknown>): Context {
    const tp = typeof meta.traceparent === 'string' ? meta.traceparent.split('-') : [];
    if (tp.length === 4 && tp[0] === '00' && isValidTraceId(tp[1]!) && isValidSpanId(tp[2]!)) {
      return trace.setSpanContext(ROOT_CONTEXT, { traceId: tp[1]!, spanId: tp[2]!, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    }
    return ROOT_CONTEXT;
  }

  private requireSession(request: RpcRequest): Session {
    const sessionId = stringParam(objectParams(request), 'sessionId');
    const session = this.sessions.get(sessionId);
    if (!session) throw new RpcError(RPC_ERROR.INVALID_PARAMS, `Invalid params: no session ${sessionId}`);
    if (session.status === SessionStatus.Stopped) throw new RpcError(RPC_ERROR.INVALID_PARAMS, `Invalid params: session ${sessionId} is stopped`);
    return session;
  }

  private async dispatch(conn: Connection, request: RpcRequest, correlationId: string): Promise<unknown> {
    const params = objectParams(request);
    switch (request.method) {
      case 'startSession': {
        const userId = stringParam(params, 'userId');
        const sp = params.sessionParams;
        const language =
          typeof sp === 'object' && sp !== null && typeof (sp as Record<string, unknown>).language === 'string'
            ? (sp as Record<string, string>).language!
            : 'en';
        const session = this.sessions.create(userId, language);
        if (!session) throw new RpcError(RPC_ERROR.INTERNAL_ERROR, 'Internal error: session limit reached');
        conn.sessions.add(session.sessionId);
        this.owners.set(session.sessionId, new Set([conn]));
        // The session did not exist when this request's span started: tag it now (OTel convention attributes).
        trace.getActiveSpan()?.setAttributes({ [ATTR.SESSION_ID]: session.sessionId, [ATTR.AGENT_ID]: session.agentId });
        this.truth.addSession(session.sessionId, userId, session.agentId);
        this.rt.logger.log({
          source: 'session',
          component: 'session_manager',
          action: 'session_started',
          message: `Session ${session.sessionId} started for ${userId}`,
          session_id: session.sessionId,
          agent_id: session.agentId,
          details: { user_id: userId, language },
          state_before: { status: 'Starting' },
          state_after: { status: 'Active', agent_id: session.agentId },
        });
        this.notify(session.sessionId, 'SessionStatusNotification', { sessionId: session.sessionId, status: SessionStatus.Active, reason: 'Session started' });
        return { sessionId: session.sessionId, status: SessionStatus.Active };
      }
      case 'sendUserMessage': {
        const session = this.requireSession(request);
        const message = stringParam(params, 'message');
        const reply = session.enqueue({ text: message, correlationId, parentContext: context.active(), fromOwner: conn.sessions.has(session.sessionId) });
        if (!reply) throw new RpcError(RPC_ERROR.INTERNAL_ERROR, `Internal error: session ${session.sessionId} has too many queued messages`);
        return reply;
      }
      case 'stopSession': {
        const session = this.requireSession(request);
        const before = SESSION_STATUS_NAMES[session.status];
        this.sessions.stop(session);
        this.rt.logger.log({
          source: 'session',
          component: 'session_manager',
          action: 'session_stopped',
          message: `Session ${session.sessionId} stopped`,
          session_id: session.sessionId,
          agent_id: session.agentId,
          state_before: { status: before },
          state_after: { status: 'Stopped' },
        });
        this.notify(session.sessionId, 'SessionStatusNotification', {
          sessionId: session.sessionId,
          status: SessionStatus.Stopped,
          reason: 'Stopped by client',
        });
        this.owners.delete(session.sessionId);
        conn.sessions.delete(session.sessionId);
        return { status: SessionStatus.Stopped };
      }
      case 'agent.list':
        return { agents: AGENTS.map((a) => ({ agent_id: a.agentId, name: a.name, role: a.role, description: a.description })) };
      case 'session.current_agent': {
        const session = this.requireSession(request);
        const info = session.agent.info;
        return { agent_id: info.agentId, agent: { agent_id: info.agentId, name: info.name, role: info.role } };
      }
      case 'session.switch_agent': {
        const session = this.requireSession(request);
        const agentId = stringParam(params, 'agentId');
        if (!findAgent(agentId))
          throw new RpcError(RPC_ERROR.INVALID_PARAMS, `Invalid params: unknown agent "${agentId}" (known: ${AGENTS.map((a) => a.agentId).join(', ')})`);
        const from = this.sessions.switchAgent(session, agentId)!;
        this.rt.logger.log({
          source: 'agent',
          component: 'agent_registry',
          action: 'agent_switched',
          message: `*** SWITCHING TO AGENT ${agentId} ***`,
          session_id: session.sessionId,
          agent_id: agentId,
          details: { from, to: agentId },
          state_before: { agent_id: from },
          state_after: { agent_id: agentId },
        });
        this.notify(session.sessionId, 'agent.switched', { from, to: agentId });
        return { success: true, previous_agent: from, current_agent: agentId };
      }
      default:
        throw new RpcError(RPC_ERROR.METHOD_NOT_FOUND, `Method not found: ${request.method}`);
    }
  }

  /** Sends a notification to the session's owner connection(s), logged as a websocket event. */
  private notify(sessionId: string, method: string, params: Record<string, unknown>): void {
    const owners = this.owners.get(sessionId);
    const chunk = method === 'StreamingUpdate' || method === 'AIMessageChunkNotification';
    this.rt.logger.log({
      source: 'websocket',
      level: chunk ? 'DEBUG' : 'INFO',
      component: 'websocket_endpoint',
      action: 'notification',
      message: `→ ${method}`,
      session_id: sessionId,
      details: { rpc_method: method, recipients: owners?.size ?? 0 },
    });
    if (!owners || owners.size === 0) {
      this.undeliveredNotifications += 1;
      return;
    }
    for (const conn of owners) this.send(conn, { jsonrpc: '2.0', method, params });
  }

  private send(conn: Connection, message: object): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    clockMessage(this.rt.clock, 'sent', `s2c:${conn.port}`);
    conn.ws.send(JSON.stringify(message));
  }
}
