import {
  createEvent,
  DebbieError,
  epochMicros,
  isLogSource,
  isoFromEpochMicros,
  normalizeTimestamp,
  parseDebbieEvent,
  parseLogLevel,
  type DebbieEvent,
  type LogSource,
} from '@debbie/model';
import { decodeJsonLogs } from '../otlp/decodeLogs.js';
import { decodeJsonTraces } from '../otlp/decodeTraces.js';
import { recognizeMarker } from './aiWhispererMarkers.js';
import type { LoggerSourceMap } from './loggerSources.js';
import type { CompiledLogFormat, LogFields } from './pythonLogFormat.js';
import { trajectoryEvents, type TrajectoryFormat } from './trajectories/agentTrajectory.js';

/** Where a record came from, and a clock for records without a timestamp. */
export interface RecordContext {
  file: string;
  /** Line number of the record's first line (1-based). */
  line: number;
  /** The session for records that name none (`--session`). */
  sessionId?: string | undefined;
  /** Start of the synthetic clock for agent runs that record no time (epoch µs). */
  syntheticStartMicros?: number | undefined;
  /** Epoch µs for a record that has no timestamp of its own (advanced per record to keep order). */
  fallbackMicros(): number;
}

/** Turns one record (a line, or a line plus its continuation lines) into events; throws when it cannot. */
export interface RecordParser {
  /** Whether a line begins a new record. Lines that do not may continue the previous one. */
  isStart(line: string): boolean;
  /** Whether records may span several lines (tracebacks). */
  multiline: boolean;
  /**
   * Whether a record without a session belongs to the last session named earlier in the file
   * (true for text logs of a server that names the session only now and then).
   */
  inheritsSession: boolean;
  parse(lines: string[], ctx: RecordContext): { events: DebbieEvent[]; rejected: number };
}

const SESSION_IN_TEXT = /session(?:[_ ]?id)?["']?\s*[:=]?\s*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/** Splits a multi-line message into summary and stack trace when it holds a Python traceback. */
function splitTraceback(message: string): { summary: string; stack: string | null } {
  const at = message.indexOf('Traceback (most recent call last):');
  if (at < 0) {
    // A JavaScript stack (as Debbie's own formatter appends it): "Error: …" then "    at …" lines.
    const nl = message.indexOf('\n');
    if (nl >= 0 && /\n\s+at\s/.test(message)) return { summary: message.slice(0, nl), stack: message.slice(nl + 1) };
    return { summary: message, stack: null };
  }
  const head = message.slice(0, at).trimEnd();
  const stack = message.slice(at).trimEnd();
  const lastLine =
    stack
      .split('\n')
      .filter((l) => l.trim())
      .pop() ?? '';
  return { summary: head || lastLine, stack };
}

const KNOWN_FIELDS = new Set([
  'asctime',
  'created',
  'msecs',
  'levelname',
  'levelno',
  'name',
  'message',
  'msg',
  'source',
  'component',
  'action',
  'details',
  'session_id',
  'agent_id',
  'correlation_id',
  'parent_id',
  'event_id',
  'trace_id',
  'span_id',
  'duration_ms',
  'tags',
  'service_name',
  'stack_trace',
]);

/** The `%(details)s` field: JSON as Debbie's formatter writes it, else kept as text. */
function detailsField(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { details_text: text };
}

const nonEmpty = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);

/** Python logging lines in a given format (multi-line records: tracebacks stay with their line). */
export class PythonLogParser implements RecordParser {
  readonly multiline = true;
  readonly inheritsSession = true;
  private readonly format: CompiledLogFormat;
  private readonly sources: LoggerSourceMap;
  private readonly defaultSource: LogSource;

  constructor(format: CompiledLogFormat, sources: LoggerSourceMap, defaultSource: LogSource = 'server') {
    this.format = format;
    this.sources = sources;
    this.defaultSource = defaultSource;
  }

  // isStart parsed the line already: parse() reuses that (the regex is most of a line's cost).
  private lastLine: string | undefined;
  private lastFields: LogFields | undefined;

  isStart(line: string): boolean {
    this.lastLine = line;
    this.lastFields = this.format.parse(line);
    return this.lastFields !== undefined;
  }

  parse(lines: string[], ctx: RecordContext): { events: DebbieEvent[]; rejected: number } {
    const f = lines[0] === this.lastLine ? this.lastFields : this.format.parse(lines[0]!);
    if (!f) throw new DebbieError('unparseable_line', `does not match the log format "${this.format.format}"`);
    const message = lines.length > 1 ? `${f.message ?? ''}\n${lines.slice(1).join('\n')}` : (f.message ?? '');
    return { events: [fieldsToEvent(f, message, ctx, this.sources, this.defaultSource)], rejected: 0 };
  }
}

function fieldsToEvent(f: LogFields, message: string, ctx: RecordContext, sources: LoggerSourceMap, defaultSource: LogSource): DebbieEvent {
  const created = f.created !== undefined && Number.isFinite(Number(f.created)) ? isoFromEpochMicros(Math.round(Number(f.created) * 1e6)) : undefined;
  const ts = (f.asctime ? normalizeTimestamp(f.asctime) : undefined) ?? created;
  const { summary, stack } = splitTraceback(message);
  const marker = recognizeMarker(summary);
  const logger = f.name;
  const explicitSource = f.source && isLogSource(f.source) ? f.source : undefined;
  const source: LogSource = explicitSource ?? marker?.source ?? (logger ? sources.sourceFor(logger) : defaultSource);
  const details: Record<string, unknown> = { ...detailsField(f.details), ...(marker?.details ?? {}) };
  if (logger && logger !== f.component) details.logger = logger;
  for (const [k, v] of Object.entries(f)) {
    if (!KNOWN_FIELDS.has(k) && v !== undefined && details[k] === undefined) details[k] = /^-?\d+$/.test(v) ? Number(v) : v;
  }
  details.log_file = ctx.file;
  details.log_line = ctx.line;
  const session =
    SESSION_IN_TEXT.exec(summary)?.[1] ??
    (typeof (details.jsonrpc as { params?: { sessionId?: unknown } } | undefined)?.params?.sessionId === 'string'
      ? (details.jsonrpc as { params: { sessionId: string } }).params.sessionId
      : undefined);
  const level = marker?.level ?? (f.levelname ? parseLogLevel(f.levelname) : undefined) ?? 'INFO';
  if (marker?.level && f.levelname) details.logged_level = f.levelname;
  // A marker with a duration ("Tool X completed in 0.5s") is an operation that just ended: a span
  // that started `duration` before the line was written.
  const loggedMicros = ts ? epochMicros(ts) : ctx.fallbackMicros();
  const explicitDuration = f.duration_ms !== undefined && f.duration_ms !== '' && Number.isFinite(Number(f.duration_ms)) ? Number(f.duration_ms) : undefined;
  // Debbie's own lines carry the start time and duration; a marker line is written when the operation ends.
  const duration = marker?.duration_ms;
  return createEvent({
    timestamp: isoFromEpochMicros(duration !== undefined ? loggedMicros - Math.round(duration * 1000) : loggedMicros),
    level: stack && level === 'INFO' ? 'ERROR' : level,
    source,
    component: marker?.component ?? (f.component || undefined) ?? logger ?? source,
    action: marker?.action ?? (f.action || undefined) ?? f.funcName ?? '',
    event_summary: summary,
    details,
    stack_trace: stack ?? nonEmpty(f.stack_trace),
    session_id: nonEmpty(f.session_id) ?? session ?? null,
    agent_id: nonEmpty(f.agent_id),
    correlation_id: nonEmpty(f.correlation_id),
    parent_id: nonEmpty(f.parent_id),
    trace_id: nonEmpty(f.trace_id),
    span_id: nonEmpty(f.span_id),
    service_name: nonEmpty(f.service_name),
    tags: f.tags ? f.tags.split(',').filter(Boolean) : [],
    ...(f.event_id ? { event_id: f.event_id } : {}),
    duration_ms: explicitDuration ?? duration ?? null,
    kind: explicitDuration !== undefined || duration !== undefined ? 'span' : 'log',
  });
}

const DEBBIE_LINE = /^\[(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?Z?)\] \[([a-z_]+)\] \[([A-Z]+)\] \[([^\]]*)\] (.*?)(?: \| (\{.*\}))?$/;

/** The seed's line format: `[ts] [source] [LEVEL] [component] message | {details}` (what formatDebbieLine writes). */
export class DebbieLineParser implements RecordParser {
  readonly multiline = true;
  readonly inheritsSession = false;

  isStart(line: string): boolean {
    const m = DEBBIE_LINE.exec(line);
    return !!m && isLogSource(m[2]) && parseLogLevel(m[3]!) !== undefined;
  }

  parse(lines: string[], ctx: RecordContext): { events: DebbieEvent[]; rejected: number } {
    const m = DEBBIE_LINE.exec(lines[0]!);
    if (!m || !isLogSource(m[2])) throw new DebbieError('unparseable_line', 'is not a Debbie line ([ts] [source] [LEVEL] [component] message | details)');
    let details: Record<string, unknown> = {};
    if (m[6]) {
      try {
        const parsed = JSON.parse(m[6]) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) details = parsed as Record<string, unknown>;
      } catch {
        details = { details_text: m[6] };
      }
    }
    const pick = (k: string) => {
      const v = details[k];
      delete details[k];
      return v;
    };
    const session = pick('session_id');
    const agent = pick('agent_id');
    const duration = pick('duration_ms');
    const more = lines.slice(1).join('\n');
    const { summary, stack } = splitTraceback(more ? `${m[5]}\n${more}` : m[5]!);
    details.log_file = ctx.file;
    details.log_line = ctx.line;
    return {
      events: [
        createEvent({
          timestamp: normalizeTimestamp(m[1]!.replace(/Z$/, '')) ?? isoFromEpochMicros(ctx.fallbackMicros()),
          level: parseLogLevel(m[3]!) ?? 'INFO',
          source: m[2] as LogSource,
          component: m[4]!,
          action: recognizeMarker(summary)?.action ?? '',
          event_summary: summary,
          details,
          stack_trace: stack,
          session_id: typeof session === 'string' ? session : null,
          agent_id: typeof agent === 'string' ? agent : null,
          duration_ms: typeof duration === 'number' ? duration : null,
          kind: 'log',
        }),
      ],
      rejected: 0,
    };
  }
}

/**
 * JSON Lines: each line a DebbieEvent, an OTLP/JSON export request (as the OTel Collector's file
 * exporter writes them), or an agent run record (OpenHands `output.jsonl`).
 */
export class JsonLinesParser implements RecordParser {
  readonly multiline = false;
  readonly inheritsSession = false;
  /** JSON kinds met so far, for the summary: agent run formats, and 'otlp-json' for OTLP requests. */
  readonly seen = new Set<TrajectoryFormat | 'otlp-json'>();
  /** Only this agent run format is accepted (`--format openhands|swe-agent`). */
  readonly only: TrajectoryFormat | undefined;

  constructor(only?: TrajectoryFormat) {
    this.only = only;
  }

  isStart(): boolean {
    return true;
  }

  parse(lines: string[], ctx: RecordContext): { events: DebbieEvent[]; rejected: number } {
    let value: unknown;
    try {
      value = JSON.parse(lines[0]!);
    } catch (error) {
      throw new DebbieError('unparseable_line', `is not JSON (${(error as Error).message})`);
    }
    return this.decodeValue(value, ctx);
  }

  /** One parsed JSON value of this file → events (also for values streamed from an over-long line). */
  decodeValue(value: unknown, ctx: RecordContext): { events: DebbieEvent[]; rejected: number } {
    if (this.runNameFor !== ctx.file) {
      this.runNameFor = ctx.file;
      this.runName = runNameOf(ctx.file);
    }
    return decodeJsonDocument(value, `${ctx.file} line ${ctx.line}`, {
      sessionId: ctx.sessionId,
      syntheticStartMicros: ctx.syntheticStartMicros,
      runName: this.runName,
      only: this.only,
      seen: this.seen,
    });
  }

  private runNameFor: string | undefined;
  private runName = '';
}

/** A file's name without folder and extension: the name of a run that carries no id. */
export function runNameOf(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.(?:traj|jsonl?|json)$/i, '');
}

/** How to read agent runs inside a JSON document. */
export interface JsonDocumentOptions {
  sessionId?: string | undefined;
  syntheticStartMicros?: number | undefined;
  runName?: string | undefined;
  /** Accept only this agent run format (an error for anything else). */
  only?: TrajectoryFormat | undefined;
  /** Collects the kinds met: agent run formats, 'otlp-json'. */
  seen?: Set<TrajectoryFormat | 'otlp-json'> | undefined;
}

/** One parsed JSON document → events: an OTLP traces/logs request, a DebbieEvent, or an array of them. */
export function decodeJsonDocument(value: unknown, where: string, opts: JsonDocumentOptions = {}): { events: DebbieEvent[]; rejected: number } {
  const run = trajectoryEvents(value, { where, sessionId: opts.sessionId, syntheticStartMicros: opts.syntheticStartMicros, runName: opts.runName });
  if (run) {
    if (opts.only && run.format !== opts.only) throw new DebbieError('unparseable_line', `holds a ${run.format} run, not ${opts.only}`, where);
    opts.seen?.add(run.format);
    return { events: run.events, rejected: run.rejected };
  }
  if (opts.only)
    throw new DebbieError(
      'unparseable_line',
      `is not a ${opts.only} run (no ${opts.only === 'swe-agent' ? '"trajectory" and "info"' : '"history" of actions and observations'})`,
      where,
    );
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const o = value as Record<string, unknown>;
    if ('resourceSpans' in o || 'resource_spans' in o) {
      opts.seen?.add('otlp-json');
      const b = decodeJsonTraces(o);
      return { events: b.events, rejected: b.rejected };
    }
    if ('resourceLogs' in o || 'resource_logs' in o) {
      opts.seen?.add('otlp-json');
      const b = decodeJsonLogs(o);
      return { events: b.events, rejected: b.rejected };
    }
    if ('resourceMetrics' in o || 'resource_metrics' in o) {
      throw new DebbieError('unsupported_signal', 'OTLP metrics are not ingested (Debbie reads traces and logs)', where);
    }
  }
  if (Array.isArray(value)) {
    const events: DebbieEvent[] = [];
    let rejected = 0;
    value.forEach((v, i) => {
      try {
        events.push(parseDebbieEvent(v, `${where} [${i}]`));
      } catch {
        rejected += 1;
      }
    });
    return { events, rejected };
  }
  return { events: [parseDebbieEvent(value, where)], rejected: 0 };
}

/** Used by tests and the ingester: epoch µs of an event's timestamp. */
export function eventMicros(event: DebbieEvent): number {
  return epochMicros(event.timestamp);
}
