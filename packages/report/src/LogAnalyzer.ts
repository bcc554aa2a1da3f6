import { SessionReplay, type CommentaryConfig, type CommentaryConfigInput } from '@debbie/commentary';
import { DebbieError, normalizeTimestamp, type DebbieEvent, type EventFilter, type EventReader } from '@debbie/model';
import type { AnalysisReport, PatternFinding, ReportSection } from './AnalysisReport.js';
import { REPORT_SECTIONS } from './AnalysisReport.js';
import { timestampMicros } from './fastTime.js';
import { ReportAccumulator, type AnalysisOptions } from './ReportAccumulator.js';

/** A time window; either end may be open. Strings are ISO-8601. */
export interface TimeRange {
  start?: string | Date | null;
  end?: string | Date | null;
}

/**
 * Another finder run over the same single pass, e.g. the commentary package's detectors.
 * `observe` sees every event in time order; `findings` is called once at the end.
 */
export interface FindingSource {
  observe(event: DebbieEvent): void;
  findings(): PatternFinding[];
}

export interface LogAnalyzerOptions extends Omit<AnalysisOptions, 'focus' | 'analyzerChecks'> {
  /**
   * The commentary's detectors, replayed over the session in the same pass (the one owner of
   * pattern analysis): the `debbie_config.commentary` section to run them with (default: its
   * defaults), or false to fall back to the report's own simple checks. `stallThresholdMs`, when
   * given, overrides `thresholds.stall_seconds`.
   */
  commentary?: CommentaryConfigInput | CommentaryConfig | false;
  /** Where `analyze(sessionId)` reads events (the store or the collector's HTTP client). */
  reader?: EventReader;
  /** Events per page from the reader (default 5,000). */
  batchSize?: number;
  /** Makes extra finders per analysis (default none). */
  findingSources?: () => FindingSource[];
}

type EventInput = Iterable<DebbieEvent> | AsyncIterable<DebbieEvent | readonly DebbieEvent[]>;

function iso(value: string | Date | null | undefined, where: string): string | null {
  if (value == null || value === '') return null;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new DebbieError('invalid_time_range', 'invalid Date', where);
    return normalizeTimestamp(value.toISOString())!;
  }
  const ts = normalizeTimestamp(value);
  if (!ts) throw new DebbieError('invalid_time_range', `"${value}" is not an ISO-8601 timestamp (e.g. 2025-05-29T10:15:32Z)`, where);
  return ts;
}

function checkFocus(focus: readonly string[] | undefined): ReportSection[] | undefined {
  if (!focus || focus.length === 0) return undefined;
  for (const f of focus) {
    if (!REPORT_SECTIONS.includes(f as ReportSection)) {
      throw new DebbieError('invalid_focus', `unknown report section "${f}"; expected one of ${REPORT_SECTIONS.join(', ')}`, '--focus');
    }
  }
  return focus as ReportSection[];
}

/**
 * The seed's LogAnalyzerTool: a report with Performance, Errors, Patterns and Recommendations,
 * computed in one streaming pass with bounded memory.
 *
 * @example
 * const report = await new LogAnalyzer({ reader: store }).analyze('abc123');
 * process.stdout.write(renderReportMarkdown(report));
 */
export class LogAnalyzer {
  constructor(private readonly options: LogAnalyzerOptions = {}) {}

  /**
   * Analyzes a stored session (read page by page from `options.reader`) or an array of events.
   * `focus` limits the report to some sections.
   */
  async analyze(session: string | readonly DebbieEvent[], timeRange?: TimeRange, focus?: readonly string[]): Promise<AnalysisReport> {
    if (typeof session !== 'string') {
      return this.analyzeEvents(session, { timeRange, focus, sessionId: session[0]?.session_id ?? null });
    }
    const reader = this.options.reader;
    if (!reader) throw new DebbieError('no_reader', 'LogAnalyzer needs a reader (the store or a collector URL) to analyze a session by id');
    const start = iso(timeRange?.start, 'timeRange.start');
    const end = iso(timeRange?.end, 'timeRange.end');
    const filter: EventFilter = { sessionId: session };
    if (start) filter.since = start;
    if (end) filter.until = end;
    const events = reader.streamEvents(filter, { batchSize: this.options.batchSize ?? 5000 });
    return this.analyzeEvents(events, { timeRange, focus, sessionId: session });
  }

  /**
   * Analyzes events from any source: an array (sorted by time first if it is not), any iterable,
   * or an async iterable of events or of pages (as EventReader.streamEvents yields them), which
   * must be in time order.
   */
  async analyzeEvents(
    events: EventInput,
    opts: { sessionId?: string | null; timeRange?: TimeRange | undefined; focus?: readonly string[] | undefined } = {},
  ): Promise<AnalysisReport> {
    const focus = checkFocus(opts.focus);
    const start = iso(opts.timeRange?.start, 'timeRange.start');
    const end = iso(opts.timeRange?.end, 'timeRange.end');
    const startUs = start ? timestampMicros(start) : Number.NEGATIVE_INFINITY;
    const endUs = end ? timestampMicros(end) : Number.POSITIVE_INFINITY;
    const sessionId = opts.sessionId ?? null;
    const newAccumulator = () => new ReportAccumulator({ ...this.options, analyzerChecks: this.commentaryOff(), ...(focus ? { focus } : {}) });
    let acc = newAccumulator();
    let replay = this.newReplay();
    let finders = this.options.findingSources?.() ?? [];
    const take = (e: DebbieEvent) => {
      if (sessionId !== null && e.session_id !== sessionId) return;
      if (start || end) {
        const t = timestampMicros(e.timestamp);
        if (!(t >= startUs && t < endUs)) return;
      }
      acc.add(e);
      replay?.observe(e);
      for (const f of finders) f.observe(e);
    };
    if (Array.isArray(events)) {
      const list = events as readonly DebbieEvent[];
      for (let i = 0; i < list.length; i++) take(list[i]!);
      if (acc.outOfOrderEvents > 0) {
        // rare: an unsorted array. Stall detection needs time order, so start over on a sorted copy.
        acc = newAccumulator();
        replay = this.newReplay();
        finders = this.options.findingSources?.() ?? [];
        for (const e of sortedByTime(list)) take(e);
      }
    } else if (Symbol.asyncIterator in (events as object)) {
      for await (const item of events as AsyncIterable<DebbieEvent | readonly DebbieEvent[]>) {
        if (Array.isArray(item)) for (const e of item as readonly DebbieEvent[]) take(e);
        else take(item as DebbieEvent);
      }
    } else {
      for (const e of events as Iterable<DebbieEvent>) take(e);
    }
    if (replay) acc.addInsights(replay.finish());
    for (const f of finders) for (const finding of f.findings()) acc.addFinding(finding);
    return acc.finish({
      sessionId,
      timeRange: start || end ? { start, end } : null,
      origins: replay || finders.length ? ['detector'] : [],
    });
  }

  /** Commentary off (false, or a config that disables it): the report's own checks stand in. */
  private commentaryOff(): boolean {
    const c = this.options.commentary;
    return c === false || c?.enabled === false || c?.pattern_detection === false;
  }

  private newReplay(): SessionReplay | null {
    const c = this.options.commentary;
    if (c === false || this.commentaryOff()) return null;
    const input = (c ?? {}) as CommentaryConfigInput;
    const stall = this.options.stallThresholdMs;
    return new SessionReplay({
      config: stall === undefined ? input : { ...input, thresholds: { ...(input.thresholds ?? {}), stall_seconds: stall / 1000 } },
      maxInsights: this.options.maxFindings ?? 200,
    });
  }
}

/** A copy sorted by timestamp (canonical timestamps sort as strings). */
function sortedByTime(events: readonly DebbieEvent[]): DebbieEvent[] {
  return [...events].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
}
