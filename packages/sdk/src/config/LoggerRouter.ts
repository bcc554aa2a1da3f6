import { levelRank, type DebbieEvent, type EventSink, type LogLevel } from '@debbie/model';
import type { LoggerConfig } from './DebbieConfig.js';

/** A handler: a sink plus the lowest level it takes. */
export interface RoutedHandler {
  name: string;
  level: LogLevel;
  sink: EventSink;
}

/** The logger an event belongs to: debbie.commentary for comments, debbie.<source> otherwise. */
export function loggerNameFor(event: DebbieEvent): string {
  switch (event.source) {
    case 'debbie':
      return 'debbie';
    case 'debbie_comment':
      return 'debbie.commentary';
    default:
      return `debbie.${event.source}`;
  }
}

/**
 * Routes events through a Python-style logger hierarchy: the nearest configured logger's level
 * decides whether the event is kept; handlers are collected up the chain until a logger with
 * propagate: false; each handler then applies its own level. A handler attached at several
 * levels gets the event once (Python would print it twice).
 */
export class LoggerRouter implements EventSink {
  private readonly routes = new Map<string, { level: LogLevel | undefined; handlers: RoutedHandler[] }>();

  constructor(
    private readonly loggers: Record<string, LoggerConfig>,
    private readonly handlers: Record<string, RoutedHandler>,
  ) {}

  private route(name: string) {
    let r = this.routes.get(name);
    if (r) return r;
    let level: LogLevel | undefined;
    const seen = new Set<string>();
    const handlers: RoutedHandler[] = [];
    for (let n: string | undefined = name; n; n = n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : undefined) {
      const logger = this.loggers[n];
      if (!logger) continue;
      level ??= logger.level;
      for (const h of logger.handlers) {
        if (seen.has(h)) continue;
        seen.add(h);
        const handler = this.handlers[h];
        if (handler) handlers.push(handler);
      }
      if (!logger.propagate) break;
    }
    r = { level, handlers };
    this.routes.set(name, r);
    return r;
  }

  write(event: DebbieEvent): void {
    const r = this.route(loggerNameFor(event));
    if (r.level === undefined) return;
    const rank = levelRank(event.level);
    if (rank < levelRank(r.level)) return;
    for (const h of r.handlers) {
      if (rank >= levelRank(h.level)) h.sink.write(event);
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all(Object.values(this.handlers).map((h) => h.sink.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(Object.values(this.handlers).map((h) => h.sink.shutdown()));
  }
}
