import { createHash } from 'node:crypto';
import { createEvent, epochMicros, isoFromEpochMicros, newEventId, type DebbieEvent, type EventSink } from '@debbie/model';
import { JsonValueStream } from './JsonValueStream.js';
import { recordEventId } from './recordId.js';
import type { LineInfo, LongLineHandler } from './LineSplitter.js';
import { JsonLinesParser, type RecordContext, type RecordParser } from './recordParsers.js';

/** Counters of one ingest run. */
export interface IngestStats {
  lines: number;
  /** Events written to the sink (parsed records, and raw events for unparseable lines). */
  events: number;
  /** Lines that could not be parsed: each kept as a raw event (tag `unparsed`), never dropped. */
  unparseable: number;
  /** Items inside a parsed record that were rejected (bad OTLP ids, bad array entries). */
  rejected: number;
  /** Lines or records over their format's size limit: each kept as one event, cut and tagged `truncated`. */
  truncated: number;
  /** The first few of those limit errors, each naming the file, the line and the limit. */
  limitErrors: string[];
  /** Where and why the first unparseable line failed ("line 3: is not JSON (…)"). */
  firstUnparseable?: string;
}

export interface LineIngesterOptions {
  parser: RecordParser;
  sink: EventSink;
  /** Shown in raw events and error messages. */
  file: string;
  /**
   * Identity of the file's content (see fileIdentity): with the record's offset and content it makes
   * each event's id, so the same record ingested twice has the same id. Default: the file name.
   */
  fileKey?: string;
  /** Cap of one line, in characters (longer ones are cut, flagged and counted). Default 1 MiB. */
  maxLineChars?: number;
  /** Cap of a multi-line record (a traceback), in lines; past it a new record starts. Default 1,000. */
  maxRecordLines?: number;
  /** Cap of a multi-line record in characters (memory held for one record). Default 4 Mi. */
  maxRecordChars?: number;
  /** Cap of one JSON value that is not streamed item by item (not an OTLP request). Default 64 MiB. */
  maxJsonValueBytes?: number;
  /** The session of records that name none (`--session`). */
  sessionId?: string | undefined;
  /**
   * Time of raw lines and time-less records before the first record with a time, epoch µs (later
   * ones follow the last time seen). Default: now. Callers give the file's modification time, so
   * that a second ingest of the file dates them the same (and a store can tell they are stored).
   */
  clockStartMicros?: number;
}

// Binary garbage: NUL and other C0 controls (but tab), or U+FFFD from invalid UTF-8.
const GARBAGE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/;

/** Makes control characters visible, so a raw event shows what was there. */
function visible(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

// Ids minted by newEventId in this process share this prefix and count up: an id minted while a record
// was parsed is random, not the record's own (one the record carried was minted elsewhere or earlier).
const RANDOM_ID_PREFIX = newEventId().slice(0, 12);
/** The id counter now: ids minted after it are newer. */
function idMark(): number {
  return Number.parseInt(newEventId().slice(12), 16);
}
function mintedSince(id: string, mark: number): boolean {
  return id.length === 20 && id.startsWith(RANDOM_ID_PREFIX) && Number.parseInt(id.slice(12), 16) > mark;
}
const MAX_LIMIT_ERRORS = 10;
/** Events without a time held until the first record with one (then written just before it). */
const MAX_UNTIMED = 1000;
/** Bytes of a streamed line that stand for its content in its id (the line itself is never held). */
const STREAMED_HASH_BYTES = 64 * 1024;

const sha = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/** Where a record started, its content (text, or a hash for what is not held), and whether it was cut. */
interface RecordOrigin {
  line: number;
  offset: number;
  /** The record's text, or the hash of a streamed one's head: hashed into the ids only when they are made. */
  content: string | string[];
  cutFromBytes?: number | undefined;
}

/**
 * Assembles lines into records (a traceback stays with its log line), parses each with the
 * format's parser and writes the events to the sink. A line that cannot be parsed becomes a
 * raw event (source server, tag `unparsed`, details.raw) and is counted; nothing is dropped.
 * Every event gets an id from the file's identity, the record's offset and content, and its index in
 * the record (unless its record gave it one), so ingesting the same file twice adds nothing twice.
 */
export class LineIngester {
  readonly stats: IngestStats = { lines: 0, events: 0, unparseable: 0, rejected: 0, truncated: 0, limitErrors: [] };
  private readonly parser: RecordParser;
  private readonly sink: EventSink;
  private readonly file: string;
  /** See LineIngesterOptions.fileKey; a follower sets it once the file's first line is complete. */
  fileKey: string;
  private readonly maxLineChars: number;
  private readonly maxRecordLines: number;
  private readonly maxRecordChars: number;
  private readonly maxJsonValueBytes: number;
  private readonly sessionId: string | undefined;
  private pending: string[] = [];
  private pendingChars = 0;
  private pendingOrigin: RecordOrigin | undefined;
  private lineNo = 0;
  /** Ids minted after this were made up by this ingester's parsing (events only come from its parser). */
  private readonly idMark = idMark();
  /** Byte offset of the next line when the caller gives none. */
  private nextOffset = 0;
  /** Last timestamp seen: raw events and timestamp-less records are placed after it. */
  private lastMicros: number;
  /** No record with its own time yet: events without one wait here to be placed just before it. */
  private untimed: { event: DebbieEvent; origin: RecordOrigin; index: number }[] | null = [];
  /** Set while a record's parse asked for a fallback time. */
  private usedFallback = false;
  /** The last session named in this file (for parsers that inherit it). */
  private lastSession: string | null = null;

  constructor(options: LineIngesterOptions) {
    this.parser = options.parser;
    this.sink = options.sink;
    this.file = options.file;
    this.fileKey = options.fileKey ?? options.file;
    this.maxLineChars = options.maxLineChars ?? 1024 * 1024;
    this.maxRecordLines = options.maxRecordLines ?? 1000;
    this.maxRecordChars = options.maxRecordChars ?? 4 * 1024 * 1024;
    this.maxJsonValueBytes = options.maxJsonValueBytes ?? 64 * 1024 * 1024;
    this.sessionId = options.sessionId;
    this.lastMicros = options.clockStartMicros ?? Date.now() * 1000;
  }

  /** Feeds one line (without its newline); `info` says where it was and whether it was cut. */
  push(rawLine: string, info?: LineInfo): void {
    this.lineNo += 1;
    this.stats.lines += 1;
    let offset: number;
    if (info) offset = info.offset;
    else {
      offset = this.nextOffset;
      this.nextOffset = offset + Buffer.byteLength(rawLine) + 1;
    }
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (offset === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1); // a byte order mark is not content
    let cutFromBytes = info?.cutFromBytes;
    if (line.length > this.maxLineChars) {
      cutFromBytes ??= Buffer.byteLength(line);
      line = line.slice(0, this.maxLineChars);
    }
    if (cutFromBytes !== undefined)
      this.limitError(
        this.lineNo,
        `a line of ${cutFromBytes} bytes is longer than the limit of ${this.limitFor()} for ${this.formatName()}; kept cut as one event tagged "truncated"`,
      );
    const origin: RecordOrigin = { line: this.lineNo, offset, content: line, cutFromBytes };
    if (GARBAGE.test(line)) {
      this.flush();
      this.raw([line], origin, 'binary or control characters');
      return;
    }
    if (this.parser.isStart(line)) {
      this.flush();
      this.pending = [line];
      this.pendingChars = line.length;
      this.pendingOrigin = origin;
      if (!this.parser.multiline) this.flush();
      return;
    }
    const fits = this.pending.length < this.maxRecordLines && this.pendingChars + line.length <= this.maxRecordChars;
    if (this.parser.multiline && this.pending.length > 0 && fits) {
      this.pending.push(line);
      this.pendingChars += line.length + 1;
      if (cutFromBytes !== undefined && this.pendingOrigin) this.pendingOrigin.cutFromBytes = cutFromBytes;
      return;
    }
    if (this.parser.multiline && this.pending.length > 0 && !fits) {
      this.limitError(this.lineNo, `a record longer than ${this.maxRecordLines} lines or ${this.maxRecordChars} characters; the rest is kept as raw lines`);
    }
    this.flush();
    if (line.trim() === '') return; // blank lines between records carry nothing
    this.raw([line], origin, 'does not match the format');
  }

  /**
   * Takes over a JSON line longer than the line limit (LineSplitter's onLongLine): an OTLP request
   * is decoded item by item as it streams, any other value is held up to maxJsonValueBytes.
   * Undefined for text formats (their long lines are cut).
   */
  longLine(offset: number, head: Buffer): LongLineHandler | undefined {
    const parser = this.parser;
    if (!(parser instanceof JsonLinesParser)) return undefined;
    this.flush();
    this.lineNo += 1;
    this.stats.lines += 1;
    const origin: RecordOrigin = { line: this.lineNo, offset, content: sha(head.subarray(0, STREAMED_HASH_BYTES)) };
    let index = 0;
    const ctx = this.context(origin.line);
    const stream = new JsonValueStream({
      file: this.file,
      firstLine: origin.line,
      maxBufferedBytes: this.maxJsonValueBytes,
      decodeOther: (value) => parser.decodeValue(value, ctx),
      onEvents: (events, rejected) => {
        this.stats.rejected += rejected;
        for (const e of events) this.emit(e, origin, index++);
      },
    });
    let failed: Error | undefined;
    const feed = (bytes: Buffer): void => {
      if (failed) return;
      try {
        stream.push(bytes);
      } catch (error) {
        failed = error as Error;
      }
    };
    feed(head);
    return {
      push: feed,
      end: (totalBytes) => {
        if (!failed) {
          try {
            stream.end();
          } catch (error) {
            failed = error as Error;
          }
        }
        if (!failed) return;
        // What could not be read is one raw event (its head), and an error naming the limit when it was the size.
        const tooBig = /larger than the limit/.test(failed.message);
        if (tooBig) origin.cutFromBytes = totalBytes;
        if (tooBig) this.limitError(origin.line, `${failed.message}; the line (${totalBytes} bytes) is kept cut as one event tagged "truncated"`);
        this.raw([new TextDecoder().decode(head.subarray(0, 65_536))], origin, failed.message, index);
      },
    };
  }

  /**
   * A JSON stream for a file that is one document spread over many lines (or several in a row):
   * decoded as it is read, with the same ids, session and counters as lines.
   */
  documentStream(): { push(bytes: Buffer): void; end(): void } {
    const parser = this.parser instanceof JsonLinesParser ? this.parser : new JsonLinesParser();
    let head: Buffer[] = [];
    let headBytes = 0;
    let origin: RecordOrigin | undefined;
    let index = 0;
    let failed = false;
    const stream = new JsonValueStream({
      file: this.file,
      maxBufferedBytes: this.maxJsonValueBytes,
      decodeOther: (value) => parser.decodeValue(value, this.context(1)),
      onEvents: (events, rejected) => {
        this.stats.rejected += rejected;
        origin ??= { line: 1, offset: 0, content: sha(Buffer.concat(head, headBytes)) };
        for (const e of events) this.emit(e, origin, index++);
      },
    });
    const fail = (error: Error): void => {
      failed = true;
      const o = origin ?? { line: 1, offset: 0, content: sha(Buffer.concat(head, headBytes)) };
      if (/larger than the limit/.test(error.message)) {
        o.cutFromBytes = headBytes;
        this.limitError(1, error.message);
      }
      this.raw([new TextDecoder().decode(Buffer.concat(head, headBytes).subarray(0, 65_536))], o, error.message, index);
    };
    return {
      push: (bytes) => {
        if (failed) return;
        if (headBytes < STREAMED_HASH_BYTES) {
          const part = bytes.subarray(0, STREAMED_HASH_BYTES - headBytes);
          head.push(Buffer.from(part));
          headBytes += part.length;
        }
        for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) this.stats.lines += 1;
        try {
          stream.push(bytes);
        } catch (error) {
          fail(error as Error);
        }
      },
      end: () => {
        if (failed) return;
        this.stats.lines += 1;
        try {
          stream.end();
        } catch (error) {
          fail(error as Error);
        }
        head = [];
      },
    };
  }

  /** Emits the record being assembled (call at end of input, or when a follower goes idle). */
  flush(): void {
    if (this.pending.length === 0 || !this.pendingOrigin) return;
    const lines = this.pending;
    const origin = this.pendingOrigin;
    this.pending = [];
    this.pendingOrigin = undefined;
    if (lines.length > 1) origin.content = lines;
    try {
      this.usedFallback = false;
      const { events, rejected } = this.parser.parse(lines, this.context(origin.line));
      this.stats.rejected += rejected;
      const timed = !this.usedFallback;
      events.forEach((e, i) => this.emit(e, origin, i, timed));
    } catch (error) {
      this.raw(lines, origin, (error as Error).message);
    }
  }

  /**
   * Feeds a line at a known place in the file: one an ingest worker handed back to this thread
   * (see parallel/). `lineNo` is its 1-based number.
   */
  pushAt(line: string, lineNo: number, offset: number): void {
    this.flush();
    this.lineNo = lineNo - 1;
    this.push(line, { offset });
  }

  /**
   * An ingest worker wrote events of this file itself (encoded for the store), up to here: the
   * first had its own time `firstMicros` (events waiting for one are placed before it), the last
   * `lastMicros` (raw lines after them follow it).
   */
  timedElsewhere(firstMicros: number, lastMicros: number): void {
    if (this.untimed) this.releaseUntimed(firstMicros);
    this.lastMicros = lastMicros;
  }

  /** Counts lines an ingest worker read and the events it wrote from them; the next line is after `lastLine`. */
  countedElsewhere(lines: number, events: number, lastLine: number): void {
    this.stats.lines += lines;
    this.stats.events += events;
    this.lineNo = lastLine;
  }

  /** Sets the time of raw lines and time-less records until a record with a time comes (see clockStartMicros). */
  setClock(micros: number): void {
    this.lastMicros = micros;
  }

  /** True while a multi-line record waits for more lines, or events wait for a time. */
  get hasPending(): boolean {
    return this.pending.length > 0 || (this.untimed?.length ?? 0) > 0;
  }

  private context(line: number): RecordContext {
    return {
      file: this.file,
      line,
      fallbackMicros: () => {
        this.usedFallback = true;
        return (this.lastMicros += 1);
      },
      sessionId: this.sessionId,
    };
  }

  private formatName(): string {
    return this.parser instanceof JsonLinesParser ? 'JSON lines' : 'a log line';
  }

  private limitFor(): string {
    return `${this.maxLineChars} bytes`;
  }

  private limitError(line: number, message: string): void {
    this.stats.truncated += 1;
    if (this.stats.limitErrors.length < MAX_LIMIT_ERRORS) this.stats.limitErrors.push(`${this.file} line ${line}: ${message}`);
  }

  /**
   * Writes the events that wait for a time (see `untimed`) at the clock they have now; call at the
   * end of the input, or when a follower goes idle.
   */
  end(): void {
    this.flush();
    this.releaseUntimed(undefined);
  }

  private releaseUntimed(firstTimedMicros: number | undefined): void {
    const waiting = this.untimed;
    this.untimed = null;
    if (!waiting) return;
    // Placed just before the first record with a time (they came before it), else where the clock is.
    waiting.forEach((w, i) => {
      if (firstTimedMicros !== undefined) w.event.timestamp = isoFromEpochMicros(firstTimedMicros - (waiting.length - i));
      this.write(w.event, w.origin, w.index);
    });
  }

  private emit(event: DebbieEvent, origin: RecordOrigin, index: number, timed = true): void {
    if (this.untimed) {
      if (!timed && this.untimed.length < MAX_UNTIMED) {
        this.untimed.push({ event, origin, index });
        return;
      }
      const t = epochMicros(event.timestamp);
      this.releaseUntimed(timed && Number.isFinite(t) ? t : undefined);
    }
    this.write(event, origin, index);
  }

  private write(event: DebbieEvent, origin: RecordOrigin, index: number): void {
    if (!event.session_id && this.sessionId) event.session_id = this.sessionId;
    if (this.parser.inheritsSession) {
      if (event.session_id) this.lastSession = event.session_id;
      else if (this.lastSession) {
        event.session_id = this.lastSession;
        event.details.session_inferred = true;
      }
    }
    // A random id (minted while parsing) becomes one from the record's content and place.
    if (mintedSince(event.event_id, this.idMark)) {
      event.event_id = recordEventId(this.fileKey, this.sessionId, origin.offset, index, origin.content);
    }
    if (origin.cutFromBytes !== undefined) {
      event.details.truncated = true;
      event.details.original_bytes = origin.cutFromBytes;
      if (!event.tags.includes('truncated')) event.tags = [...event.tags, 'truncated'];
    }
    const t = epochMicros(event.timestamp);
    if (Number.isFinite(t)) this.lastMicros = t;
    this.stats.events += 1;
    this.sink.write(event);
  }

  private raw(lines: string[], origin: RecordOrigin, reason: string, index = 0): void {
    this.stats.unparseable += 1;
    this.stats.firstUnparseable ??= `line ${origin.line}: ${reason}`;
    const text = visible(lines.join('\n'));
    this.emit(
      createEvent({
        timestamp: isoFromEpochMicros(this.lastMicros),
        source: 'server',
        component: 'ingest',
        action: 'unparsed_line',
        event_summary: text.length > 500 ? `${text.slice(0, 500)}…` : text,
        details: { raw: text.slice(0, 65_536), log_file: this.file, log_line: origin.line, reason },
        tags: ['unparsed'],
        kind: 'log',
      }),
      origin,
      index,
      false,
    );
  }
}
