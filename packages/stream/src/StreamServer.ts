import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket } from 'ws';
import { DebbieError, type EventFilter } from '@debbie/model';
import type { LogStreamer } from './LogStreamer.js';
import { CLOSE_POLICY_VIOLATION, eventJson, parseStreamQuery, type ControlMessage } from './protocol.js';
import type { Subscription } from './Subscription.js';
import { checkUpgradeRequest, isLoopbackHost } from './upgradeGuard.js';

export { isLoopbackHost } from './upgradeGuard.js';

export interface StreamServerOptions {
  streamer: LogStreamer;
  /** TCP port (default 9999, the seed's stream_port; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). Anything but loopback requires `token`. */
  host?: string;
  /** Bearer token clients must send (`Authorization: Bearer <token>`). Required off loopback. */
  token?: string;
  /** URL path of the stream (default "/"). */
  path?: string;
  /** Connected clients allowed at once (default 64); more get HTTP 503. */
  maxClients?: number;
  /** Events queued per client before its oldest are dropped (default 10,000: a second of slack at 10k events/s). */
  maxQueue?: number;
  /** Bytes waiting in a client's socket before sending pauses (default 1 MiB); meanwhile its queue drops oldest. */
  maxBufferedBytes?: number;
  /** Ping interval; a client that misses a pong is disconnected (default 30,000 ms). */
  heartbeatMs?: number;
  /**
   * Browser origins allowed to open the stream (e.g. "http://localhost:5173"). Default none: any
   * request with an `Origin` header is refused with 403, as is a non-loopback `Host` without a token.
   */
  allowedOrigins?: readonly string[];
}

export interface StreamClientInfo {
  id: number;
  remote: string;
  filter: EventFilter;
  delivered: number;
  dropped: number;
  queued: number;
  bufferedAmount: number;
}

export interface StreamServerStats {
  clients: StreamClientInfo[];
  /** Connections accepted since start. */
  accepted: number;
  /** Upgrades refused (hostile Origin or Host, bad token, wrong path, too many clients). */
  refused: number;
  /** Connections closed for a bad filter. */
  invalidFilters: number;
  /** Events dropped for clients already gone plus current ones. */
  dropped: number;
}

export interface StreamServer {
  /** ws://host:port/path */
  url: string;
  host: string;
  port: number;
  stats(): StreamServerStats;
  /** Closes every client (1001) and stops listening. */
  close(): Promise<void>;
}

interface Client {
  id: number;
  ws: WebSocket;
  remote: string;
  subscription: Subscription;
  alive: boolean;
}

const DROP_NOTICE_INTERVAL_MS = 1000;
/** Shortest token accepted off loopback, as for the collector's HTTP API. */
const MIN_STREAM_TOKEN_LENGTH = 16;
const DRAIN_POLL_MS = 5;

/**
 * Serves a LogStreamer over WebSocket: a client subscribes with the filter as URL query
 * parameters and receives one JSON DebbieEvent per message. Bad filters get an error message
 * and close 1008; a slow client loses its oldest events (counted), never the server's memory.
 * @example const server = await startStreamServer({ streamer, port: 9999 }); // ws://127.0.0.1:9999/?source=tool
 */
export async function startStreamServer(options: StreamServerOptions): Promise<StreamServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9999;
  const path = options.path ?? '/';
  const token = options.token;
  const maxClients = options.maxClients ?? 64;
  const maxQueue = options.maxQueue ?? 10_000;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1024 * 1024;
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const { streamer } = options;
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map((o) => o.toLowerCase().replace(/\/$/, '')));

  if (token !== undefined && token.trim().length === 0) {
    throw new DebbieError(
      'invalid_token',
      'the stream token is empty or blank; give a real secret (e.g. `openssl rand -hex 16`) or none (loopback only)',
      'token',
    );
  }
  // The collector's rule (packages/collector/src/http/auth.ts): off loopback a token must be hard to guess.
  if (token !== undefined && !isLoopbackHost(host) && token.trim().length < MIN_STREAM_TOKEN_LENGTH) {
    throw new DebbieError(
      'invalid_token',
      `a token of ${token.trim().length} characters is too easy to guess on ${host}; use at least ${MIN_STREAM_TOKEN_LENGTH} (e.g. \`openssl rand -hex 16\`)`,
      'token',
    );
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new DebbieError(
      'token_required',
      `binding the stream to ${host} exposes it beyond this machine, so a bearer token is required: pass --token TOKEN (or set DEBBIE_TOKEN), or bind 127.0.0.1`,
      'host',
    );
  }
  if (!path.startsWith('/')) throw new DebbieError('invalid_option', `path must start with "/", got "${path}"`, 'path');

  const tokenDigest = token === undefined ? undefined : sha256(token);
  const clients = new Set<Client>();
  let nextId = 1;
  let accepted = 0;
  let refused = 0;
  let invalidFilters = 0;
  let droppedByGone = 0;
  let closing = false;

  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
    res.end(`This is Debbie's event stream: connect with a WebSocket client, e.g. \`debbie tail --url ws://${formatHost(host)}:${boundPort()}${path}\`.\n`);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const url = new URL(req.url ?? '/', 'http://stream.invalid');
    if (closing) return refuse(socket, 503, 'Service Unavailable', 'the stream server is shutting down');
    if (url.pathname !== path) return refuse(socket, 404, 'Not Found', `no stream at ${url.pathname}; the stream is at ${path}`);
    const refusal = checkUpgradeRequest(req, { token: tokenDigest !== undefined, allowedOrigins });
    if (refusal) return refuse(socket, refusal.status, 'Forbidden', refusal.reason);
    if (tokenDigest && !authorized(req, tokenDigest)) {
      return refuse(socket, 401, 'Unauthorized', 'a valid bearer token is required (Authorization: Bearer TOKEN)', {
        'WWW-Authenticate': 'Bearer realm="debbie"',
      });
    }
    if (clients.size >= maxClients) return refuse(socket, 503, 'Service Unavailable', `too many stream clients (maxClients ${maxClients})`);
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req, url.searchParams));
  });

  function refuse(socket: Duplex, status: number, reason: string, body: string, headers: Record<string, string> = {}): void {
    refused += 1;
    const head = [
      `HTTP/1.1 ${status} ${reason}`,
      'Connection: close',
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body) + 1}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}\n`);
  }

  function onConnection(ws: WebSocket, req: IncomingMessage, params: URLSearchParams): void {
    ws.on('error', () => undefined); // a broken client must never take the server down
    ws.on('message', () => undefined); // clients have nothing to say; maxPayload bounds them
    let request: { filter: EventFilter; replay: boolean };
    try {
      request = parseStreamQuery(params);
    } catch (error) {
      invalidFilters += 1;
      const e = error as DebbieError;
      const notice: ControlMessage = { stream: 'error', code: e.code ?? 'invalid_filter', message: e.message };
      ws.send(JSON.stringify(notice));
      ws.close(CLOSE_POLICY_VIOLATION, truncateReason(e.message));
      return;
    }
    let subscription: Subscription;
    try {
      subscription = streamer.subscribe(request.filter, { replay: request.replay, maxQueue });
    } catch (error) {
      const e = error as DebbieError;
      ws.send(JSON.stringify({ stream: 'error', code: e.code ?? 'subscribe_failed', message: e.message } satisfies ControlMessage));
      ws.close(1013, truncateReason(e.message));
      return;
    }
    accepted += 1;
    const client: Client = { id: nextId++, ws, remote: `${req.socket.remoteAddress}:${req.socket.remotePort}`, subscription, alive: true };
    clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('close', () => {
      subscription.close();
      if (clients.delete(client)) droppedByGone += subscription.dropped;
    });
    void pump(client);
  }

  async function pump(client: Client): Promise<void> {
    const { ws, subscription } = client;
    let reportedDrops = 0;
    let lastNotice = 0;
    for await (const event of subscription) {
      if (ws.readyState !== WebSocket.OPEN) break;
      if (ws.bufferedAmount > maxBufferedBytes) {
        // Stop sending until the socket drains; meanwhile the subscription queue drops its oldest.
        while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount > maxBufferedBytes / 2) await sleep(DRAIN_POLL_MS);
        if (ws.readyState !== WebSocket.OPEN) break;
      }
      ws.send(eventJson(event));
      const dropped = subscription.dropped;
      if (dropped > reportedDrops && Date.now() - lastNotice >= DROP_NOTICE_INTERVAL_MS) {
        reportedDrops = dropped;
        lastNotice = Date.now();
        ws.send(JSON.stringify({ stream: 'dropped', dropped } satisfies ControlMessage));
      }
    }
    // The streamer shut down or the client left: tell a still-connected client why it ends.
    if (ws.readyState === WebSocket.OPEN) {
      if (subscription.dropped > reportedDrops) ws.send(JSON.stringify({ stream: 'dropped', dropped: subscription.dropped } satisfies ControlMessage));
      ws.close(1001, 'stream ended');
    }
  }

  const heartbeat = setInterval(() => {
    for (const client of clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      clearInterval(heartbeat);
      const hint =
        error.code === 'EADDRINUSE'
          ? ' (the port is in use: is another collector running? choose another with --stream-port)'
          : error.code === 'EACCES'
            ? ' (permission denied: use a port above 1023)'
            : '';
      reject(
        new DebbieError(
          error.code === 'EADDRINUSE' ? 'port_in_use' : 'listen_failed',
          `cannot listen on ${formatHost(host)}:${port}: ${error.code ?? error.message}${hint}`,
          'stream',
        ),
      );
    };
    http.once('error', onError);
    http.listen(port, host, () => {
      http.off('error', onError);
      http.on('error', () => undefined);
      resolve();
    });
  });

  function boundPort(): number {
    const address = http.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  const actualPort = boundPort();
  return {
    url: `ws://${formatHost(host)}:${actualPort}${path}`,
    host,
    port: actualPort,
    stats() {
      const list = [...clients].map(
        (c): StreamClientInfo => ({
          id: c.id,
          remote: c.remote,
          filter: c.subscription.filter,
          delivered: c.subscription.delivered,
          dropped: c.subscription.dropped,
          queued: c.subscription.queued,
          bufferedAmount: c.ws.bufferedAmount,
        }),
      );
      return { clients: list, accepted, refused, invalidFilters, dropped: droppedByGone + list.reduce((n, c) => n + c.dropped, 0) };
    },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      const gone = [...clients].map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.ws.readyState === WebSocket.CLOSED) return resolve();
            c.ws.once('close', () => resolve());
            c.subscription.close();
            c.ws.close(1001, 'server shutting down');
            // A client that does not answer the close handshake is cut off.
            setTimeout(() => c.ws.terminate(), 500).unref();
          }),
      );
      await Promise.all(gone);
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match !== null && timingSafeEqual(sha256(match[1] as string), expected);
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** A close reason must fit in 123 bytes (RFC 6455). */
function truncateReason(text: string): string {
  let out = text;
  while (Buffer.byteLength(out) > 123) out = `${out.slice(0, out.length - 2)}…`;
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
