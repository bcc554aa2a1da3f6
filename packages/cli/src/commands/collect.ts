import { assertSafeBind, startCollector, type CollectorStats, type RunningCollector } from '@debbie/collector';
import { ConsoleRoutes, SessionBoard } from '@debbie/console';
import type { OptionalSink } from '@debbie/pipeline';
import { CommentaryProcessor } from '@debbie/commentary';
import { LogStreamer, startStreamServer, type StreamServer } from '@debbie/stream';
import { DebbieError, type EventSink } from '@debbie/model';
import { buildLogging } from '@debbie/sdk';
import { openStore } from '@debbie/store';
import type { Command } from '../Command.js';
import { loadCliConfig } from '../configOptions.js';
import { collectorToken, CONFIG_FLAG, STORE_FLAG, storeLocation, str, TOKEN_FLAG } from '../flags.js';
import { untilSignal } from '../untilSignal.js';

function port(value: unknown, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n > 65535) throw new DebbieError('invalid_port', `"${String(value)}" is not a port (0–65535; 0 picks a free one)`, flag);
  return n;
}

function positiveMiB(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new DebbieError('invalid_option', `"${String(value)}" is not a positive number of MiB`, flag);
  return Math.round(n * 1024 * 1024);
}

/** Every event received (OTLP and POST /api/events), what was stored, and anything lost. */
function stopLine(s: CollectorStats): string {
  const p = s.pipeline;
  // OTLP over HTTP and gRPC, counted together.
  const g = s.grpc;
  const r = g
    ? (Object.fromEntries(Object.entries(s.receiver).map(([k, v]) => [k, v + (g[k as keyof typeof g] ?? 0)])) as CollectorStats['receiver'])
    : s.receiver;
  const lost = Object.entries(p.sinks_dropped)
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${n} dropped by ${name}`);
  if (p.store_failed) lost.push(`${p.store_failed} comments not stored (store error: ${p.store_error ?? 'unknown'})`);
  if (p.store_dropped) lost.push(`${p.store_dropped} comments dropped (store behind or failing)`);
  if (p.redaction_errors) lost.push(`${p.redaction_errors} dropped (redaction failed)`);
  return (
    `${p.received} events received (OTLP and /api/events; ${r.spans_accepted} spans and ${r.logs_accepted} log records acknowledged over OTLP), ` +
    `${p.stored} stored (comments included), ${p.comments} comments, ${r.spans_rejected + r.logs_rejected} rejected, ` +
    `${r.requests_throttled} requests answered 503 (retried by the sender)${p.sink_errors ? `, ${p.sink_errors} sink errors` : ''}` +
    (lost.length ? `; LOST: ${lost.join(', ')}` : '')
  );
}

export const collectCommand: Command = {
  name: 'collect',
  summary: 'Run the collector: OTLP/HTTP and OTLP/gRPC receivers, query API and pipeline into the store.',
  usage: '[--otlp-port 4318] [--grpc-port 4317|off] [--stream-port 9999] [--store PATH] [--host 127.0.0.1] [--token T]',
  description: [
    'Receives OTLP/HTTP traces and logs (protobuf or JSON, gzip/deflate) on /v1/traces and /v1/logs,',
    'and OTLP/gRPC (TraceService, LogsService; gzip) on --grpc-port, with the same token and limits;',
    'normalizes them (GenAI and OpenInference conventions understood), redacts secrets and writes them',
    'to the store; serves the query API on /api (use `--url http://HOST:PORT` with the data commands).',
    'Bound to anything but loopback, a bearer token is required (--token or DEBBIE_TOKEN).',
    'SIGINT/SIGTERM stop it gracefully: requests in flight finish and everything is flushed.',
    '',
    'Example: point an app at it with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318',
  ].join('\n'),
  options: {
    'otlp-port': { type: 'string', default: '4318', value: 'PORT', description: 'OTLP/HTTP and query API port (default 4318; 0 = a free port).' },
    'grpc-port': {
      type: 'string',
      value: 'PORT',
      description: 'OTLP/gRPC port (default 4317, or a free port when --otlp-port is 0; 0 = a free port; off = no gRPC receiver).',
    },
    'stream-port': {
      type: 'string',
      value: 'PORT',
      description:
        "Real-time WebSocket stream port for `debbie tail` (default: the realtime handler's stream_port in debbie.yaml, else 9999; 0 = a free port).",
    },
    store: STORE_FLAG,
    host: { type: 'string', default: '127.0.0.1', value: 'HOST', description: 'Address to bind (default 127.0.0.1).' },
    token: { ...TOKEN_FLAG, description: 'bearer token the collector requires from clients (default $DEBBIE_TOKEN)' },
    'max-body-mb': { type: 'string', default: '16', value: 'MIB', description: 'Largest OTLP request after decompression (default 16).' },
    'no-commentary': {
      type: 'boolean',
      description: "Do not run Debbie's commentary on what arrives (default: as debbie.yaml says, on; its comments are stored).",
    },
    config: CONFIG_FLAG,
  },
  async run(values, _positionals, io) {
    const otlpPort = port(values['otlp-port'], '--otlp-port');
    const grpcPort = values['grpc-port'] === 'off' ? undefined : port(values['grpc-port'] ?? (otlpPort === 0 ? '0' : '4317'), '--grpc-port');
    const host = str(values.host) ?? '127.0.0.1';
    const token = collectorToken(values, io);
    assertSafeBind(host, token);
    const cli = loadCliConfig(values, io);
    const commentaryOn = !values['no-commentary'] && cli.commentary.enabled;
    const realtime = Object.values(cli.config.handlers).find((h) => h.class === 'realtime');
    const streamPort = port(values['stream-port'] ?? (realtime?.class === 'realtime' ? realtime.stream_port : 9999), '--stream-port');
    const storePath = storeLocation(values, io);
    // debbie_config.aggregation.buffer_size: events the pipeline may queue for the store before it drops (and counts).
    const store = await openStore(storePath, { maxQueuedEvents: cli.bufferSize });
    // A damaged file is refused now, with a clear message, instead of failing later with 500s.
    await store.verify?.().catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    const streamer = new LogStreamer(realtime?.class === 'realtime' ? { bufferSize: realtime.buffer_size } : {});
    // debbie.yaml's loggers and handlers see everything collected; its realtime handler is this
    // stream (with the handler's level). Without a realtime handler the stream gets everything.
    const logging = cli.config.source ? buildLogging(cli.config, { cwd: io.cwd, stdout: io.stdout, stderr: io.stderr, realtime: () => streamer }) : undefined;
    const sinks: OptionalSink[] = [
      ...(logging ? [{ name: 'configured handlers', sink: logging as EventSink }] : []),
      ...(!logging || !realtime ? [{ name: 'stream', sink: streamer as EventSink }] : []),
    ];
    // The web console at /: its board sees every event (span starts too) for live statuses.
    const board = new SessionBoard({ stallMs: cli.commentary.thresholds.stall_seconds * 1000 });
    sinks.push({ name: 'console', sink: board });
    let running: RunningCollector | undefined;
    const ui = new ConsoleRoutes({ reader: store, live: streamer, board, beforeRead: () => running?.flush() ?? Promise.resolve() });
    let stream: StreamServer | undefined;
    let collector;
    try {
      stream = await startStreamServer({ streamer, port: streamPort, host, ...(token ? { token } : {}) }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE')
          throw new DebbieError(
            'port_in_use',
            `stream port ${streamPort} on ${host} is already in use (another collector?); pick another with --stream-port`,
            '--stream-port',
          );
        throw error;
      });
      collector = await startCollector({
        store,
        sinks,
        host,
        port: otlpPort,
        grpcPort,
        token,
        ui,
        sessionKeys: cli.config.debbie_config.sessions.keys,
        maxBodyBytes: positiveMiB(values['max-body-mb'], '--max-body-mb'),
        // Counted in the stop line either way; said on stderr as it happens (at most once a second per place).
        onError: (error, where) => io.stderr.write(`debbie collect: ${where}: ${error.message}\n`),
        commentary: commentaryOn
          ? (onComment) => new CommentaryProcessor({ onComment, config: cli.commentary, correlationTimeoutMs: cli.correlationTimeoutMs })
          : undefined,
      });
    } catch (error) {
      await stream?.close();
      await store.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new DebbieError(
          'port_in_use',
          `port ${otlpPort} on ${host} is already in use (another collector?); pick another with --otlp-port`,
          '--otlp-port',
        );
      throw error;
    }
    running = collector;
    const signalled = untilSignal(); // listen before announcing, so a quick Ctrl-C still flushes
    io.stdout.write(`debbie collect: OTLP/HTTP on ${collector.url}/v1/traces and ${collector.url}/v1/logs\n`);
    if (collector.grpcAddress) io.stdout.write(`debbie collect: OTLP/gRPC on ${collector.grpcAddress}\n`);
    io.stdout.write(`debbie collect: query API on ${collector.url}/api (debbie sessions --url ${collector.url})\n`);
    io.stdout.write(`debbie collect: console on ${collector.url}/${token ? ' (sign in with the token)' : ''}\n`);
    io.stdout.write(`debbie collect: store ${store.path}${token ? '; bearer token required' : ''}\n`);
    io.stdout.write(`debbie collect: live stream on ${stream.url} (debbie tail --url ${stream.url})\n`);
    io.stdout.write(`debbie collect: commentary ${commentaryOn ? 'on' : 'off'}${cli.config.source ? ` (config ${cli.config.source})` : ''}\n`);
    const signal = await signalled;
    io.stdout.write(`debbie collect: ${signal}, flushing…\n`);
    await collector.close();
    await stream.close();
    await logging?.shutdown();
    const s = collector.stats();
    io.stdout.write(`debbie collect: stopped; ${stopLine(s)}\n`);
    return collector.pipeline.lost() > 0 ? 1 : 0;
  },
};
