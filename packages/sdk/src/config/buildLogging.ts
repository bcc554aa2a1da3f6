import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { DebbieEvent, EventSink } from '@debbie/model';
import { ConfigError } from './ConfigError.js';
import { SEED_DATEFMT, SEED_FORMAT, type DebbieConfig, type RealtimeHandlerConfig } from './DebbieConfig.js';
import { LineFormatter } from './LineFormatter.js';
import { loggerNameFor, LoggerRouter, type RoutedHandler } from './LoggerRouter.js';
import { RotatingFileSink } from './RotatingFileSink.js';

/** Writes formatted lines to a stream (the console handler). */
class FormattedStreamSink implements EventSink {
  constructor(
    private readonly stream: Writable,
    private readonly format: (e: DebbieEvent) => string,
  ) {}
  write(event: DebbieEvent): void {
    this.stream.write(`${this.format(event)}\n`);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export interface BuildLoggingOptions {
  /** Resolves relative file names (default process.cwd()). */
  cwd?: string;
  stdout?: Writable;
  stderr?: Writable;
  /**
   * Builds the realtime handler's sink (the stream server lives in @debbie/stream; whoever owns
   * it passes this). Without it, a config that names a realtime handler is an error.
   */
  realtime?: (config: RealtimeHandlerConfig, handlerName: string) => EventSink;
}

/** The handlers and loggers of a DebbieConfig as one EventSink. */
export function buildLogging(config: DebbieConfig, options: BuildLoggingOptions = {}): LoggerRouter {
  const handlers: Record<string, RoutedHandler> = {};
  for (const [name, h] of Object.entries(config.handlers)) {
    const f = h.formatter ? config.formatters[h.formatter]! : { format: SEED_FORMAT, datefmt: SEED_DATEFMT };
    const formatter = new LineFormatter(f.format, f.datefmt);
    const format = (e: DebbieEvent) => formatter.formatEvent(e, loggerNameFor(e));
    let sink: EventSink;
    switch (h.class) {
      case 'console':
        sink = new FormattedStreamSink(h.stream === 'stderr' ? (options.stderr ?? process.stderr) : (options.stdout ?? process.stdout), format);
        break;
      case 'rotating_file':
        sink = new RotatingFileSink(resolve(options.cwd ?? process.cwd(), h.filename), { maxBytes: h.maxBytes, backupCount: h.backupCount, format });
        break;
      case 'realtime':
        if (!options.realtime) {
          throw new ConfigError(
            `handlers.${name}`,
            'a realtime handler needs the stream server: use it with `debbie collect` (or pass a realtime factory)',
            config.source,
          );
        }
        sink = options.realtime(h, name);
        break;
    }
    handlers[name] = { name, level: h.level, sink };
  }
  return new LoggerRouter(config.loggers, handlers);
}
