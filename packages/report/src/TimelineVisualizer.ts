import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DebbieError, type DebbieEvent, type EventReader } from '@debbie/model';
import { renderTimelineHtml } from './renderTimelineHtml.js';
import { TimelineDataBuilder, type TimelineData, type TimelineOptions } from './TimelineData.js';

export interface TimelineVisualizerOptions extends TimelineOptions {
  /** Where `generate(sessionId)` reads events. */
  reader?: EventReader;
  /** Base directory for the default output path (default process.cwd()). */
  cwd?: string;
  /** Events per page from the reader (default 5,000). */
  batchSize?: number;
}

/** The seed's default output path: `debug_timelines/session_<id>.html` (unsafe file-name characters become `_`). */
export function defaultTimelinePath(sessionId: string): string {
  return join('debug_timelines', `session_${sessionId.replace(/[^A-Za-z0-9._-]/g, '_')}.html`);
}

/**
 * The seed's TimelineVisualizerTool: writes a session's interactive timeline as one
 * self-contained HTML file and returns its path.
 *
 * @example
 * const path = await new TimelineVisualizer({ reader: store }).generate('abc123');
 */
export class TimelineVisualizer {
  constructor(private readonly options: TimelineVisualizerOptions = {}) {}

  /** Reads the session (from the reader, or the events given) into timeline columns. */
  async data(session: string | Iterable<DebbieEvent>): Promise<TimelineData> {
    const b = new TimelineDataBuilder(this.options);
    if (typeof session === 'string') {
      const reader = this.options.reader;
      if (!reader) throw new DebbieError('no_reader', 'TimelineVisualizer needs a reader (the store or a collector URL) to draw a session by id');
      let full = false;
      for await (const page of reader.streamEvents({ sessionId: session }, { batchSize: this.options.batchSize ?? 5000 })) {
        for (const e of page) b.add(e);
        if (b.full) {
          full = true;
          break;
        } // the rest would only be counted: ask the reader for the count
      }
      const data = b.build(session);
      if (full) {
        data.total = await reader.countEvents({ sessionId: session });
        data.dropped = data.total - data.count;
      }
      if (data.total === 0) throw new DebbieError('session_not_found', `no events for session "${session}"`, '--session');
      return data;
    }
    for (const e of session) b.add(e);
    return b.build();
  }

  /** Writes the HTML (creating directories) and returns the absolute path written. */
  async generate(session: string | Iterable<DebbieEvent>, out?: string): Promise<string> {
    return this.write(await this.data(session), out);
  }

  /** Writes already built timeline data as HTML and returns the absolute path written. */
  async write(data: TimelineData, out?: string): Promise<string> {
    const path = resolve(this.options.cwd ?? process.cwd(), out ?? defaultTimelinePath(data.session_id || 'unknown'));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, renderTimelineHtml(data));
    return path;
  }
}
