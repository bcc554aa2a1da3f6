import { isAscii } from 'node:buffer';
import { isSpanStart, parseDebbieEvent, TraceSessionIndex, type DebbieEvent } from '@debbie/model';
import { cleanEvent } from '@debbie/pipeline';
import { SliceEncoder, type EncodedEvents } from '@debbie/store/encode';
import { recordEventId } from '../recordId.js';
import { detectTrajectory } from '../trajectories/agentTrajectory.js';

/** What a worker needs to know of the file and the pipeline (the same for every chunk of a file). */
export interface JsonLinesFileContext {
  file: string;
  /** The file's identity for stable ids (LineIngester's fileKey). */
  fileKey: string;
  /** `--session`: the session of records that name none. */
  sessionId?: string | undefined;
  /** The run name of agent runs without an id (runNameOf(file)). */
  runName: string;
  /** The pipeline's `cleaning`: redact or not, its session keys. */
  redact: boolean;
  sessionKeys: readonly string[];
  /** Rows per slice of batch text. Default 2048 (the store's own slice). */
  sliceRows?: number;
}

/** Something only the main thread may do, in the file's order (see encodeJsonLines). */
export type MainThreadStep =
  | {
      kind: 'line';
      text: string;
      /** 1-based line number and byte offset of the line in the file. */
      line: number;
      offset: number;
      /** Time of the last event this worker wrote before the line (since the previous step), if any: the main thread's clock. */
      clock?: number | undefined;
    }
  | { kind: 'named'; traceId: string; sessionId: string; clock?: number | undefined };

/** What a worker made of one chunk of lines. */
export interface JsonLinesChunkResult {
  /** Lines in the chunk. */
  lines: number;
  /** Line number of its last line. */
  lastLine: number;
  /** Events the worker wrote itself (encoded, duplicates within the chunk included). */
  events: number;
  encoded: EncodedEvents;
  /** In file order: lines for the main thread's own path, and trace sessions the worker's events named. */
  steps: MainThreadStep[];
  /** Times of the first and last event the worker wrote (epoch µs), when it wrote any. */
  firstMicros?: number | undefined;
  lastMicros?: number | undefined;
  /** Time of the last event written after the last step, if any. */
  endClock?: number | undefined;
}

// LineIngester keeps a line with binary garbage raw: C0 controls but tab (JSON.parse refuses them
// raw, so such a line fails below and goes to the main thread) or U+FFFD, which JSON allows:
// a line holding it goes to the main thread here (an ASCII line cannot).

/** Keys of an OTLP request (decodeJsonDocument decodes those). */
const OTLP_KEYS = ['resourceSpans', 'resource_spans', 'resourceLogs', 'resource_logs', 'resourceMetrics', 'resource_metrics'];

/** Thrown inside conversion when an event needs its trace's session: only the main thread knows it. */
const NEEDS_TRACE_INDEX = new Error('needs the trace index');

/**
 * A TraceSessionIndex for conversion off the main thread: a trace that names its session is
 * recorded as a step (the main thread's index learns it in order); an event that needs its
 * trace's session (it names none) cannot be converted here and goes to the main thread.
 */
class RecordingTraceIndex extends TraceSessionIndex {
  onNamed: (traceId: string, sessionId: string) => void = () => undefined;
  override named(traceId: string, sessionId: string): void {
    this.onNamed(traceId, sessionId);
  }
  override sessionFor(): never {
    throw NEEDS_TRACE_INDEX;
  }
}

/**
 * Reads a chunk of JSON lines (whole lines; the last may lack its newline at the end of a file)
 * the way LineIngester and the pipeline would, for the lines that are one DebbieEvent each:
 * parse, validate, stable id, `--session`, foreign conversion and the one redaction (cleanEvent),
 * then the store's row encoding (SliceEncoder). Every other line (not JSON, binary, blank, OTLP,
 * an agent run, an array, a span start, an event that needs its trace's session, one the store
 * would reject, a failed redaction) is handed back as a step for the main thread, with its place,
 * so it is read exactly as it would be without workers. Nothing here keeps state between chunks.
 */
export function encodeJsonLines(bytes: Uint8Array, firstLine: number, firstOffset: number, ctx: JsonLinesFileContext): JsonLinesChunkResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const steps: MainThreadStep[] = [];
  const encoder = new SliceEncoder();
  const encoded: EncodedEvents = { count: 0, duplicates: 0, slices: [] };
  const sliceRows = ctx.sliceRows ?? 2048;
  const traces = new RecordingTraceIndex({ maxTraces: 1 });
  const foreign = { traces, sessionKeys: ctx.sessionKeys };
  const named = new Set<string>(); // traces whose name this chunk's steps already carry
  let clock: number | undefined; // time of the last event written since the last step
  let learned: string | undefined; // the trace the event being cleaned named first in this chunk
  let firstMicros: number | undefined;
  let lastMicros: number | undefined;
  traces.onNamed = (traceId, sessionId) => {
    if (named.has(traceId)) return; // a trace's first name is the one the index keeps: said once per chunk
    learned = traceId;
    steps.push({ kind: 'named', traceId, sessionId, clock });
    clock = undefined;
  };

  /** Encodes the line's event; false when the line is the main thread's (nothing of it kept here). */
  const encodeLine = (line: string, ascii: boolean, offset: number): boolean => {
    if (line === '' || (!ascii && line.includes('\ufffd'))) return false;
    let event: DebbieEvent;
    let value: unknown;
    try {
      value = JSON.parse(line);
      // decodeJsonDocument's cases but one DebbieEvent (OTLP, agent runs, arrays) are the main thread's.
      if (typeof value !== 'object' || value === null || Array.isArray(value) || detectTrajectory(value) !== undefined) return false;
      for (const key of OTLP_KEYS) if (key in value) return false;
      event = parseDebbieEvent(value); // its error message (and the line's place) are made by the main thread
    } catch {
      return false;
    }
    // LineIngester.write: --session, then a stable id for an event its record gave none.
    if (!event.session_id && ctx.sessionId) event.session_id = ctx.sessionId;
    if (typeof (value as { event_id?: unknown }).event_id !== 'string') event.event_id = recordEventId(ctx.fileKey, ctx.sessionId, offset, 0, line);
    if (isSpanStart(event)) return false;
    const stepsBefore = steps.length;
    const clockBefore = clock;
    learned = undefined;
    try {
      if (!encoder.add(cleanEvent(event, foreign, ctx.redact))) encoded.duplicates += 1;
    } catch {
      // Needs the trace index, failed redaction, or the store would reject it: the main thread
      // reads the line again from its text and counts it as it always does.
      steps.length = stepsBefore;
      clock = clockBefore;
      return false;
    }
    if (learned !== undefined) named.add(learned);
    const micros = encoder.lastMicros;
    encoded.count += 1;
    firstMicros ??= micros;
    lastMicros = micros;
    clock = micros;
    if (encoder.rows >= sliceRows) encoded.slices.push(encoder.take()!);
    return true;
  };

  let lineNo = firstLine - 1;
  for (let pos = 0; pos < buf.length; ) {
    let end = buf.indexOf(0x0a, pos);
    if (end < 0) end = buf.length;
    const ascii = isAscii(buf.subarray(pos, end));
    const raw = ascii ? buf.toString('latin1', pos, end) : decodeLine(buf, pos, end);
    const offset = firstOffset + pos;
    lineNo += 1;
    pos = end + 1;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (offset === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
    if (!encodeLine(line, ascii, offset)) {
      steps.push({ kind: 'line', text: raw, line: lineNo, offset, clock });
      clock = undefined;
    }
  }
  const last = encoder.take();
  if (last) encoded.slices.push(last);
  return { lines: lineNo - firstLine + 1, lastLine: lineNo, events: encoded.count, encoded, steps, firstMicros, lastMicros, endClock: clock };
}

/** A non-ASCII line's text, decoded as LineSplitter decodes it (invalid bytes as U+FFFD where TextDecoder places them). */
function decodeLine(buf: Buffer, start: number, end: number): string {
  const text = buf.toString('utf8', start, end);
  return text.includes('\ufffd') ? decoder.decode(buf.subarray(start, end)) : text;
}

const decoder = new TextDecoder('utf-8', { fatal: false });
