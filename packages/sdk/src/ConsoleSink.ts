import type { Writable } from 'node:stream';
import { formatDebbieLine, levelRank, type DebbieEvent, type EventSink, type LogLevel, type LogSource } from '@debbie/model';

export interface ConsoleSinkOptions {
  /** Where lines go (default process.stdout). */
  stream?: Writable;
  /** Lowest level printed (default INFO). */
  minLevel?: LogLevel;
  /** Print only these sources (default all). */
  sources?: LogSource[];
  /** ANSI colors (default: when the stream is a TTY and NO_COLOR is unset). */
  color?: boolean;
}

const LEVEL_COLOR: Record<LogLevel, string> = { DEBUG: '\x1b[90m', INFO: '\x1b[0m', WARNING: '\x1b[33m', ERROR: '\x1b[31m', CRITICAL: '\x1b[1;31m' };

/** Prints events in the seed's line format: `[ts] [source] [LEVEL] [component] message | details`. */
export class ConsoleSink implements EventSink {
  private readonly stream: Writable;
  private readonly minRank: number;
  private readonly sources: ReadonlySet<string> | undefined;
  private readonly color: boolean;

  constructor(options: ConsoleSinkOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.minRank = levelRank(options.minLevel ?? 'INFO');
    this.sources = options.sources ? new Set(options.sources) : undefined;
    this.color = options.color ?? (Boolean((this.stream as { isTTY?: boolean }).isTTY) && !process.env.NO_COLOR);
  }

  write(event: DebbieEvent): void {
    if (levelRank(event.level) < this.minRank) return;
    if (this.sources && !this.sources.has(event.source)) return;
    const line = formatDebbieLine(event);
    this.stream.write(this.color ? `${LEVEL_COLOR[event.level]}${line}\x1b[0m\n` : `${line}\n`);
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
