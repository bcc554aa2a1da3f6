import { createEvent, epochMicros, isoFromEpochMicros, type DebbieEvent, type EventSink } from '@debbie/model';
import type { RecordContext, RecordParser } from './recordParsers.js';

/** Counters of one ingest run. */
export interface IngestStats {
  lines: number;
  /** Events written to the sink (parsed records, and raw events for unparseable lines). */
  events: number;
  /** Lines that could not be parsed: each kept as a raw event (tag `unparsed`), never dropped. */
  unparseable: number;
  /** Items inside a parsed record that were rejected (bad OTLP ids, bad array entries). */
  rejected: number;
  /** Lines or records cut at the size limits. */
  truncated: number;
}

export interface LineIngesterOptions {
  parser: RecordParser;
  sink: EventSink;
  /** Shown in raw events and error messages. */
  file: string;
  /** Cap of one line, in characters (longer ones are cut and counted). Default 1 MiB. */
  maxLineChars?: number;
  /** Cap of a multi-line record (a traceback), in lines; past it a new record starts. Default 1,000. */
  maxRecordLines?: number;
  /** The session of records that name none (`--session`). */
  sessionId?: string | undefined;
}

// Binary garbage: NUL and other C0 controls (but tab), or U+FFFD from invalid UTF-8.
const GARBAGE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/;

/** Makes control characters visible, so a raw event shows what was there. */
function visible(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Assembles lines into records (a traceback stays with its log line), parses each with the
 * format's parser and writes the events to the sink. A line that cannot be parsed becomes a
 * raw event (source server, tag `unparsed`, details.raw) and is counted; nothing is dropped.
 */
export class LineIngester {
  readonly stats: IngestStats = { lines: 0, events: 0, unparseable: 0, rejected: 0, truncated: 0 };
  private readonly parser: RecordParser;
  private readonly sink: EventSink;
  private readonly file: string;
  private readonly maxLineChars: number;
  private readonly maxRecordLines: number;
  private readonly sessionId: string | undefined;
  private pending: string[] = [];
  private pendingLine = 0;
  private lineNo = 0;
  /** Last timestamp seen: raw events and timestamp-less records are placed after it. */
  private lastMicros = Date.now() * 1000;
  /** The last session named in this file (for parsers that inherit it). */
  private lastSession: string | null = null;

  constructor(options: LineIngesterOptions) {
    this.parser = options.parser;
    this.sink = options.sink;
    this.file = options.file;
    this.maxLineChars = options.maxLineChars ?? 1024 * 1024;
    this.maxRecordLines = options.maxRecordLines ?? 1000;
    this.sessionId = options.sessionId;
  }

  /** Feeds one line (without its newline). */
  push(rawLine: string): void {
    this.lineNo += 1;
    this.stats.lines += 1;
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.length > this.maxLineChars) {
      line = line.slice(0, this.maxLineChars);
      this.stats.truncated += 1;
    }
    if (GARBAGE.test(line)) {
      this.flush();
      this.raw([line], this.lineNo, 'binary or control characters');
      return;
    }
    if (this.parser.isStart(line)) {
      this.flush();
      this.pending = [line];
      this.pendingLine = this.lineNo;
      if (!this.parser.multiline) this.flush();
      return;
    }
    if (this.parser.multiline && this.pending.length > 0 && this.pending.length < this.maxRecordLines) {
      this.pending.push(line);
      return;
    }
    if (this.pending.length >= this.maxRecordLines) this.stats.truncated += 1;
    this.flush();
    if (line.trim() === '') return; // blank lines between records carry nothing
    this.raw([line], this.lineNo, 'does not match the format');
  }

  /** Emits the record being assembled (call at end of input, or when a follower goes idle). */
  flush(): void {
    if (this.pending.length === 0) return;
    const lines = this.pending;
    const at = this.pendingLine;
    this.pending = [];
    const ctx: RecordContext = { file: this.file, line: at, fallbackMicros: () => (this.lastMicros += 1), sessionId: this.sessionId };
    try {
      const { events, rejected } = this.parser.parse(lines, ctx);
      this.stats.rejected += rejected;
      for (const e of events) this.emit(e);
    } catch (error) {
      this.raw(lines, at, (error as Error).message);
    }
  }

  /** True while a multi-line record waits for more lines. */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  private emit(event: DebbieEvent): void {
    if (!event.session_id && this.sessionId) event.session_id = this.sessionId;
    if (this.parser.inheritsSession) {
      if (event.session_id) this.lastSession = event.session_id;
      else if (this.lastSession) {
        event.session_id = this.lastSession;
        event.details.session_inferred = true;
      }
    }
    const t = epochMicros(event.timestamp);
    if (Number.isFinite(t)) this.lastMicros = t;
    this.stats.events += 1;
    this.sink.write(event);
  }

  private raw(lines: string[], line: number, reason: string): void {
    this.stats.unparseable += 1;
    const text = visible(lines.join('\n'));
    this.emit(createEvent({
      timestamp: isoFromEpochMicros(this.lastMicros),
      source: 'server',
      component: 'ingest',
      action: 'unparsed_line',
      event_summary: text.length > 500 ? `${text.slice(0, 500)}…` : text,
      details: { raw: text.slice(0, 65_536), log_file: this.file, log_line: line, reason },
      tags: ['unparsed'],
      kind: 'log',
    }));
  }
}
