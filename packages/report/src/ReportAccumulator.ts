import { InsightFolder, type FoldedInsight } from '@debbie/commentary';
import { DEFAULT_STALL_MS, isStall, isoFromEpochMicros, type DebbieEvent, type LogLevel, type LogSource } from '@debbie/model';
import type { AnalysisReport, ErrorGroup, LatencyStats, ModelStats, PatternFinding, ReportSection, SlowOperation, SourceTime } from './AnalysisReport.js';
import { REPORT_SECTIONS } from './AnalysisReport.js';
import { insightFinding } from './commentFinding.js';
import { messageTemplate } from './messageTemplate.js';
import { QuantileSketch } from './QuantileSketch.js';
import { recommend } from './recommend.js';
import { timestampMicros } from './fastTime.js';
import { TopK } from './TopK.js';

/** Limits and thresholds of one analysis. Every map the analysis keeps is capped by one of these. */
export interface AnalysisOptions {
  /** Sections to compute (default all four). */
  focus?: readonly ReportSection[];
  /** Quantile sketch relative accuracy (default 0.01 = ±1%). */
  relativeAccuracy?: number;
  /** Slowest operations listed (default 10). */
  slowestCount?: number;
  /** Distinct tool names and model names tracked each (default 500); more fall into "(other)". */
  maxNames?: number;
  /** Error groups kept (default 200); later templates are counted in `ungrouped`. */
  maxErrorGroups?: number;
  /** Agents listed per error group and for the session (default 100). */
  maxAgents?: number;
  /** Findings listed (default 200). */
  maxFindings?: number;
  /**
   * The report's own checks (stalls, tool loops, slow outliers, error bursts): the fallback for when
   * commentary is off. LogAnalyzer turns them off when it replays the commentary's detectors,
   * which own pattern analysis. Default true.
   */
  analyzerChecks?: boolean;
  /** Silence that counts as a stall in the fallback checks, in ms (default DEFAULT_STALL_MS, the one stall threshold). */
  stallThresholdMs?: number;
  /** The same tool this many times in a row by one agent is a loop (default 5). */
  loopThreshold?: number;
  /** A tool whose p95 exceeds this and 3× the median tool p50 is flagged slow (default 1,000 ms). */
  slowToolMs?: number;
  /** The same for models (default 10,000 ms). */
  slowModelMs?: number;
  /** An error template seen at least this often is a burst (default 3). */
  errorBurstCount?: number;
}

interface NameStats {
  sketch: QuantileSketch;
  slowest: TopK<string>;
  inputTokens: number;
  outputTokens: number;
}

interface ErrorState {
  group: ErrorGroup;
  agents: Set<string>;
  sources: Set<LogSource>;
}

interface AgentRun {
  tool: string;
  args: string;
  length: number;
  ids: string[];
  lastId: string;
}

const OTHER = '(other)';

/**
 * The report's single pass: `add` each event once (any order, any number), then `finish`.
 * Memory is bounded by the options' limits, never by the number of events.
 */
/**
 * Errors with a known cause (details.error_cause, from the foreign conversion) group by cause, HTTP
 * status, error type and the templated status message, not by span name: a 429 and a 500 of the
 * same call are two groups, the same 429 on several models one. Others keep their message template.
 */
function causeTemplate(e: DebbieEvent, message: string): string {
  const d = e.details;
  if (typeof d.error_cause !== 'string' || d.error_cause === 'other') return messageTemplate(message);
  const parts = [typeof d.http_status === 'number' ? `HTTP ${d.http_status}` : '', typeof d.error_type === 'string' ? d.error_type : ''].filter(Boolean);
  const said = typeof d.status_message === 'string' ? d.status_message.split('\n', 1)[0]! : message;
  return `${d.error_cause.replace(/_/g, ' ')}${parts.length ? ` (${parts.join(', ')})` : ''}: ${messageTemplate(said)}`;
}

export class ReportAccumulator {
  private readonly sections: ReportSection[];
  private readonly o: Required<Omit<AnalysisOptions, 'focus'>>;
  private count = 0;
  private firstUs = Number.POSITIVE_INFINITY;
  private lastUs = Number.NEGATIVE_INFINITY;
  private firstTs: string | null = null;
  private readonly perSource = new Map<LogSource, { events: number; spans: number; spanMs: number }>();
  private readonly perLevel = new Map<LogLevel, number>();
  private readonly agents = new Set<string>();
  private agentsDropped = 0;
  private namesDropped = 0;
  private outOfOrder = 0;
  private badTimestamps = 0;
  private readonly tools = new Map<string, NameStats>();
  private readonly models = new Map<string, NameStats>();
  private readonly slowest: TopK<SlowOperation>;
  private readonly errors = new Map<string, ErrorState>();
  private errorTotal = 0;
  private ungrouped = 0;
  private readonly findings: PatternFinding[] = [];
  private findingsDropped = 0;
  private storedComments = 0;
  /** Stored debbie_comment events, one record per insight. */
  private readonly stored: InsightFolder;
  private readonly checks: boolean;
  // stall detection: the latest end of all events so far, and who ended it
  private maxEndUs = Number.NEGATIVE_INFINITY;
  // scalars rather than an object per event: this runs for most events of a session
  private maxEndId = '';
  private maxEndSource: LogSource = 'session';
  private maxEndName = '';
  private lastStartUs = Number.NEGATIVE_INFINITY;
  private readonly stalls: TopK<PatternFinding>;
  private lastToolId = '';
  private lastToolName = '';
  private lastToolEndUs = Number.NEGATIVE_INFINITY;
  private readonly runs = new Map<string, AgentRun>();

  constructor(options: AnalysisOptions = {}) {
    this.sections = REPORT_SECTIONS.filter((s) => !options.focus || options.focus.length === 0 || options.focus.includes(s));
    this.o = {
      relativeAccuracy: options.relativeAccuracy ?? 0.01,
      slowestCount: options.slowestCount ?? 10,
      maxNames: options.maxNames ?? 500,
      maxErrorGroups: options.maxErrorGroups ?? 200,
      maxAgents: options.maxAgents ?? 100,
      maxFindings: options.maxFindings ?? 200,
      analyzerChecks: options.analyzerChecks ?? true,
      stallThresholdMs: options.stallThresholdMs ?? DEFAULT_STALL_MS,
      loopThreshold: options.loopThreshold ?? 5,
      slowToolMs: options.slowToolMs ?? 1_000,
      slowModelMs: options.slowModelMs ?? 10_000,
      errorBurstCount: options.errorBurstCount ?? 3,
    };
    this.slowest = new TopK(this.o.slowestCount);
    this.stalls = new TopK(20);
    this.stored = new InsightFolder(this.o.maxFindings);
    this.checks = this.o.analyzerChecks;
  }

  /** Events seen so far that started before the event added just before them. */
  get outOfOrderEvents(): number {
    return this.outOfOrder;
  }

  add(e: DebbieEvent): void {
    const startUs = timestampMicros(e.timestamp);
    if (Number.isNaN(startUs)) {
      this.badTimestamps += 1;
      return;
    }
    this.count += 1;
    if (startUs < this.firstUs) {
      this.firstUs = startUs;
      this.firstTs = e.timestamp;
    }
    const dur = e.duration_ms;
    const hasDur = typeof dur === 'number' && dur >= 0 && Number.isFinite(dur);
    const endUs = hasDur ? startUs + dur * 1000 : startUs;
    if (endUs > this.lastUs) this.lastUs = endUs;
    if (startUs < this.lastStartUs) this.outOfOrder += 1;

    let src = this.perSource.get(e.source);
    if (!src) {
      src = { events: 0, spans: 0, spanMs: 0 };
      this.perSource.set(e.source, src);
    }
    src.events += 1;
    this.perLevel.set(e.level, (this.perLevel.get(e.level) ?? 0) + 1);
    if (e.agent_id !== null) {
      if (!this.agents.has(e.agent_id)) {
        if (this.agents.size < this.o.maxAgents) this.agents.add(e.agent_id);
        else this.agentsDropped += 1;
      }
    }

    let name = '';
    if (e.source === 'tool') name = typeof e.details.tool_name === 'string' ? e.details.tool_name : e.component;
    else if (e.source === 'ai_service') name = typeof e.details.model === 'string' ? e.details.model : e.component;

    if (hasDur) {
      src.spans += 1;
      src.spanMs += dur;
      if (dur > this.slowest.threshold) {
        this.slowest.offer(dur, () => ({
          event_id: e.event_id,
          timestamp: e.timestamp,
          source: e.source,
          name: name || (e.action ? `${e.component}/${e.action}` : e.component),
          agent_id: e.agent_id,
          duration_ms: dur,
          summary: e.event_summary.slice(0, 200),
        }));
      }
      if (e.source === 'tool') this.addLatency(this.tools, name, e, dur);
      else if (e.source === 'ai_service') this.addLatency(this.models, name, e, dur);
    }
    const debbie = e.source === 'debbie_comment' || e.source === 'debbie';
    if (this.checks && e.source === 'tool' && e.agent_id !== null && e.kind === 'span') this.trackRun(e.agent_id, name, toolArguments(e), e.event_id);
    // Debbie's own comments and interventions are about the session, not errors of it.
    if ((e.level === 'ERROR' || e.level === 'CRITICAL') && !debbie) this.addError(e);
    if (e.source === 'debbie_comment') {
      this.storedComments += 1;
      this.stored.add(e);
    }

    // A stall is silence between the end of everything so far and the next start.
    if (this.checks && startUs >= this.lastStartUs) {
      const gapMs = (startUs - this.maxEndUs) / 1000;
      if (isStall(gapMs, this.o.stallThresholdMs) && this.maxEndId !== '') {
        const before = { id: this.maxEndId, source: this.maxEndSource, name: this.maxEndName };
        // "after a tool": a tool span ended within 5 s before the silence began (the turn's
        // bookkeeping, e.g. the continuation decision, may come after it)
        const tool = this.lastToolEndUs >= this.maxEndUs - 5_000_000 ? { id: this.lastToolId, name: this.lastToolName } : null;
        const silenceStart = this.maxEndUs;
        this.stalls.offer(gapMs, () => ({
          origin: 'analyzer',
          pattern: tool ? 'stall_after_tool' : 'stall',
          summary:
            `${(gapMs / 1000).toFixed(1)} s of silence after ${before.source} "${before.name}"` +
            (tool ? ` following tool "${tool.name}": the agent did not continue after the tool (the continuation issue)` : ''),
          confidence: null,
          timestamp: isoFromEpochMicros(silenceStart),
          event_id: null,
          evidence: tool && tool.id !== before.id ? [tool.id, before.id, e.event_id] : [before.id, e.event_id],
          recommendations: [],
          metrics: { silence_ms: gapMs },
        }));
      }
      this.lastStartUs = startUs;
    }
    if (hasDur && e.source === 'tool' && endUs >= this.lastToolEndUs) {
      this.lastToolId = e.event_id;
      this.lastToolName = name;
      this.lastToolEndUs = endUs;
    }
    if (endUs > this.maxEndUs && e.source !== 'debbie_comment' && e.source !== 'debbie') {
      this.maxEndUs = endUs;
      this.maxEndId = e.event_id;
      this.maxEndSource = e.source;
      this.maxEndName = name || e.action || e.component;
    }
  }

  private addLatency(map: Map<string, NameStats>, name: string, e: DebbieEvent, dur: number): void {
    let s = map.get(name);
    if (!s) {
      if (map.size >= this.o.maxNames) {
        this.namesDropped += 1;
        name = OTHER;
        s = map.get(OTHER);
      }
      if (!s) {
        s = { sketch: new QuantileSketch({ relativeAccuracy: this.o.relativeAccuracy }), slowest: new TopK(3), inputTokens: 0, outputTokens: 0 };
        map.set(name, s);
      }
    }
    s.sketch.add(dur);
    if (dur > s.slowest.threshold) s.slowest.offer(dur, () => e.event_id);
    const pm = e.performance_metrics;
    if (pm) {
      if (typeof pm.input_tokens === 'number') s.inputTokens += pm.input_tokens;
      if (typeof pm.output_tokens === 'number') s.outputTokens += pm.output_tokens;
    }
  }

  /** A loop is the same tool with the same arguments (when known) again and again by one agent. */
  private trackRun(agent: string, tool: string, args: string, id: string): void {
    const run = this.runs.get(agent);
    if (run && run.tool === tool && run.args === args) {
      run.length += 1;
      run.lastId = id;
      if (run.ids.length < 5) run.ids.push(id);
      return;
    }
    if (run) this.closeRun(agent, run);
    if (!run && this.runs.size >= this.o.maxAgents) return;
    this.runs.set(agent, { tool, args, length: 1, ids: [id], lastId: id });
  }

  private closeRun(agent: string, run: AgentRun): void {
    const finding = this.toolLoopFinding(agent, run);
    if (finding) this.pushFinding(finding);
  }

  /** A run of the same tool long enough to be a loop, as a finding; null below the threshold. */
  private toolLoopFinding(agent: string, run: AgentRun): PatternFinding | null {
    if (run.length < this.o.loopThreshold) return null;
    const evidence = run.ids.includes(run.lastId) ? run.ids : [...run.ids, run.lastId];
    return {
      origin: 'analyzer',
      pattern: 'tool_loop',
      summary: `Agent ${agent} called tool "${run.tool}" ${run.length} times in a row`,
      confidence: null,
      timestamp: null,
      event_id: null,
      evidence,
      recommendations: [],
    };
  }

  private addError(e: DebbieEvent): void {
    this.errorTotal += 1;
    const message = e.event_summary || (typeof e.details.error === 'string' ? e.details.error : '') || e.action;
    const template = causeTemplate(e, message);
    let st = this.errors.get(template);
    if (!st) {
      if (this.errors.size >= this.o.maxErrorGroups) {
        this.ungrouped += 1;
        return;
      }
      st = {
        group: {
          template,
          count: 0,
          critical: 0,
          first_seen: e.timestamp,
          last_seen: e.timestamp,
          sources: [],
          agents: [],
          agents_truncated: false,
          sample_message: message.slice(0, 500),
          sample_event_ids: [],
        },
        agents: new Set(),
        sources: new Set(),
      };
      this.errors.set(template, st);
    }
    const g = st.group;
    g.count += 1;
    if (e.level === 'CRITICAL') g.critical += 1;
    if (e.timestamp < g.first_seen) g.first_seen = e.timestamp;
    if (e.timestamp > g.last_seen) g.last_seen = e.timestamp;
    st.sources.add(e.source);
    if (e.agent_id !== null && !st.agents.has(e.agent_id)) {
      if (st.agents.size < this.o.maxAgents) st.agents.add(e.agent_id);
      else g.agents_truncated = true;
    }
    if (g.sample_event_ids.length < 5) g.sample_event_ids.push(e.event_id);
  }

  private pushFinding(f: PatternFinding): void {
    if (this.findings.length < this.o.maxFindings) this.findings.push(f);
    else this.findingsDropped += 1;
  }

  /** Adds a finding from another finder. */
  addFinding(f: PatternFinding): void {
    this.pushFinding(f);
  }

  /**
   * Adds the insights the commentary's detectors found when the report replayed them, unless a
   * comment stored in the session already tells the same insight (same pattern and key, or same
   * first evidence event): what the user saw live wins, and nothing is listed twice.
   */
  addInsights(insights: readonly FoldedInsight[]): void {
    const told = this.stored.insights();
    for (const f of insights) {
      const first = f.evidence_event_ids[0];
      const same = told.some((g) => g.pattern === f.pattern && (g.key === f.key || (first !== undefined && g.evidence_event_ids[0] === first)));
      if (!same) this.pushFinding(insightFinding(f, 'detector'));
    }
  }

  /** Builds the report. The accumulator can keep taking events afterwards. */
  finish(meta: {
    sessionId: string | null;
    timeRange?: { start: string | null; end: string | null } | null;
    origins?: PatternFinding['origin'][];
  }): AnalysisReport {
    const has = (s: ReportSection) => this.sections.includes(s);
    const report: AnalysisReport = {
      session_id: meta.sessionId,
      generated_at: new Date().toISOString(),
      time_range: meta.timeRange ?? null,
      sections: this.sections,
      first_timestamp: this.firstTs,
      last_timestamp: this.count ? isoFromEpochMicros(this.lastUs) : null,
      duration_ms: this.count ? (this.lastUs - this.firstUs) / 1000 : 0,
      event_count: this.count,
      events_per_source: Object.fromEntries([...this.perSource].map(([k, v]) => [k, v.events])),
      events_per_level: Object.fromEntries(this.perLevel),
      agents: [...this.agents].sort(),
      accuracy: {
        quantiles: `p50 and p95 within ±${+(this.o.relativeAccuracy * 100).toFixed(3)}% of a true sample value (log-bucket sketch); count, mean, total and max exact`,
      },
      truncated: { agents: this.agentsDropped, names: this.namesDropped, out_of_order_events: this.outOfOrder, bad_timestamps: this.badTimestamps },
    };
    const tools = this.latency(this.tools);
    const models = this.latency(this.models).map((s) => {
      const n = this.models.get(s.name)!;
      return { ...s, input_tokens: n.inputTokens, output_tokens: n.outputTokens } satisfies ModelStats;
    });
    const groups = [...this.errors.values()]
      .map((st) => ({
        ...st.group,
        sources: [...st.sources].sort(),
        agents: [...st.agents].sort(),
      }))
      .sort((a, b) => b.count - a.count || a.first_seen.localeCompare(b.first_seen));

    if (has('performance')) {
      const totalSpan = [...this.perSource.values()].reduce((a, s) => a + s.spanMs, 0);
      const per_source: SourceTime[] = [...this.perSource]
        .map(([source, s]) => ({
          source,
          events: s.events,
          spans: s.spans,
          span_ms: s.spanMs,
          share: totalSpan > 0 ? s.spanMs / totalSpan : 0,
        }))
        .sort((a, b) => b.span_ms - a.span_ms || b.events - a.events);
      report.performance = { tools, models, slowest: this.slowest.sorted(), per_source };
    }
    if (has('errors')) report.errors = { total: this.errorTotal, groups, ungrouped: this.ungrouped };

    const findings = [...this.stored.insights().map((f) => insightFinding(f, 'commentary')), ...this.findings];
    if (this.checks) findings.push(...this.fallbackFindings(tools, models, groups));
    const listed = findings.slice(0, this.o.maxFindings);
    if (has('patterns')) {
      const origins = new Set<PatternFinding['origin']>(meta.origins ?? []);
      origins.add('commentary');
      if (this.checks) origins.add('analyzer');
      report.patterns = {
        stored_comments: this.storedComments,
        origins: [...origins],
        findings: listed,
        dropped: this.findingsDropped + this.stored.dropped + (findings.length - listed.length),
      };
    }
    if (has('recommendations')) report.recommendations = recommend(listed, groups, this.o.errorBurstCount);
    return report;
  }

  /** The report's own checks, when commentary is off. */
  private fallbackFindings(tools: LatencyStats[], models: LatencyStats[], groups: ErrorGroup[]): PatternFinding[] {
    const findings: PatternFinding[] = [];
    for (const [agent, run] of this.runs) {
      const finding = this.toolLoopFinding(agent, run);
      if (finding) findings.push(finding);
    }
    findings.push(...this.stalls.sorted());
    findings.push(...this.outliers(tools, 'tool', this.o.slowToolMs), ...this.outliers(models, 'model', this.o.slowModelMs));
    for (const g of groups) {
      if (g.count >= this.o.errorBurstCount) {
        findings.push({
          origin: 'analyzer',
          pattern: 'error_burst',
          summary: `"${g.template}" occurred ${g.count} times between ${g.first_seen} and ${g.last_seen}`,
          confidence: null,
          timestamp: g.first_seen,
          event_id: null,
          evidence: g.sample_event_ids,
          recommendations: [],
        });
      }
    }
    return findings;
  }

  private latency(map: Map<string, NameStats>): LatencyStats[] {
    return [...map]
      .map(([name, s]) => ({
        name,
        count: s.sketch.count,
        p50_ms: round(s.sketch.quantile(0.5)),
        p95_ms: round(s.sketch.quantile(0.95)),
        max_ms: s.sketch.max,
        mean_ms: round(s.sketch.mean),
        total_ms: round(s.sketch.sum),
        slowest_event_ids: s.slowest.sorted(),
      }))
      .sort((a, b) => b.p95_ms - a.p95_ms || b.count - a.count);
  }

  /**
   * Slow tools or models, two ways: a name whose p95 is over the absolute threshold and over 3×
   * the median of all names' p50 (slow every time), or a single call over the threshold and at
   * least 5× its own name's p50 (one slow call among normal ones, as in a slow-tool run).
   */
  private outliers(stats: LatencyStats[], kind: 'tool' | 'model', thresholdMs: number): PatternFinding[] {
    if (stats.length === 0) return [];
    const p50s = stats.map((s) => s.p50_ms).sort((a, b) => a - b);
    const median = p50s[Math.floor((p50s.length - 1) / 2)]!;
    const pattern = kind === 'tool' ? 'slow_tool' : 'slow_model';
    const out: PatternFinding[] = [];
    for (const s of stats) {
      if (s.p95_ms >= thresholdMs && (stats.length === 1 || s.p95_ms >= 3 * median)) {
        out.push({
          origin: 'analyzer',
          pattern,
          summary:
            `${kind} "${s.name}" is slow: p50 ${fmt(s.p50_ms)} ms, p95 ${fmt(s.p95_ms)} ms, max ${fmt(s.max_ms)} ms over ${s.count} calls` +
            (stats.length > 1 ? ` (median ${kind} p50 ${fmt(median)} ms)` : ''),
          confidence: null,
          timestamp: null,
          event_id: null,
          evidence: s.slowest_event_ids,
          recommendations: [],
          metrics: { p50_ms: s.p50_ms, p95_ms: s.p95_ms, max_ms: s.max_ms, ...(stats.length > 1 ? { factor: s.p95_ms / median } : {}) },
        });
      } else if (s.count >= 3 && s.max_ms >= thresholdMs && s.p50_ms > 0 && s.max_ms >= 5 * s.p50_ms) {
        const factor = s.max_ms / s.p50_ms;
        out.push({
          origin: 'analyzer',
          pattern,
          summary: `${kind} "${s.name}": one call took ${fmt(s.max_ms)} ms, ${factor.toFixed(1)}× its median of ${fmt(s.p50_ms)} ms over ${s.count} calls`,
          confidence: null,
          timestamp: null,
          event_id: null,
          evidence: s.slowest_event_ids.slice(0, 1),
          recommendations: [],
          metrics: { p50_ms: s.p50_ms, max_ms: s.max_ms, factor },
        });
      }
    }
    return out;
  }
}

/** A tool call's arguments as comparable text (capped), or '' when the event does not carry them. */
function toolArguments(e: DebbieEvent): string {
  const a = e.details.tool_arguments ?? e.details.arguments;
  if (a === undefined || a === null) return '';
  const text = typeof a === 'string' ? a : JSON.stringify(a);
  return text.length > 500 ? text.slice(0, 500) : text;
}

function round(n: number): number {
  return Number.isFinite(n) ? Math.round(n * 1000) / 1000 : 0;
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n.toFixed(1);
}
