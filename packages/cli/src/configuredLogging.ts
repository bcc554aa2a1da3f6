import type { EventSink } from '@debbie/model';
import { buildLogging, type RealtimeHandlerConfig } from '@debbie/sdk';
import { LogStreamer, startStreamServer, type StreamServer } from '@debbie/stream';
import type { CommandIO } from './Command.js';
import type { CliConfig } from './configOptions.js';

export interface ConfiguredLogging {
  /** debbie.yaml's loggers and handlers as one sink. */
  sink: EventSink;
  /** The realtime handlers' stream servers, listening. */
  servers: StreamServer[];
  close(): Promise<void>;
}

/**
 * Starts what debbie.yaml's handlers describe: console and rotating-file handlers, and for each
 * realtime handler a LogStreamer (its buffer_size) behind a WebSocket stream server (its
 * stream_port and host; DEBBIE_TOKEN when bound beyond loopback).
 */
export async function startConfiguredLogging(cli: CliConfig, io: CommandIO): Promise<ConfiguredLogging> {
  const pending: Promise<StreamServer>[] = [];
  const realtime = (config: RealtimeHandlerConfig): EventSink => {
    const streamer = new LogStreamer({ bufferSize: config.buffer_size });
    pending.push(startStreamServer({ streamer, port: config.stream_port, host: config.host, ...(io.env.DEBBIE_TOKEN ? { token: io.env.DEBBIE_TOKEN } : {}) }));
    return streamer;
  };
  const sink = buildLogging(cli.config, { cwd: io.cwd, stdout: io.stdout, stderr: io.stderr, realtime });
  const settled = await Promise.allSettled(pending);
  const servers = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const close = async () => {
    await sink.shutdown();
    await Promise.all(servers.map((s) => s.close()));
  };
  if (failed) {
    await close();
    throw failed.reason;
  }
  return { sink, servers, close };
}
