import type { DebbieEvent, LogLevel } from '@debbie/model';

/** One insight as a person reads it: its opening, updates and resolution folded together. */
export interface FoldedInsight {
  insight_id: string;
  pattern: string;
  /** What tells apart concurrent insights of one pattern (a tool, a model, an error cause); '' when one at a time. */
  key: string;
  /** The most severe level the insight reached. */
  level: LogLevel;
  /** 'open' (still open when the session ended) or 'resolved'. */
  status: 'open' | 'resolved';
  /** The latest description (the last update's message, or the opening's). */
  summary: string;
  confidence: number | null;
  opened_at: string;
  last_update_at: string;
  updates: number;
  resolved_at: string | null;
  resolution: string | null;
  /** The event the insight points at (where the timeline highlights it). */
  trigger_event_id: string | null;
  /** Evidence events and spans of the latest comment (the repeated steps, the errors of a burst…). */
  evidence_event_ids: string[];
  evidence_span_ids: string[];
  recommendations: string[];
  /** The latest comment's pattern-specific facts (counts, similarity, tool, cause…). */
  facts: Record<string, unknown>;
  /** The comment events folded into this insight (open, updates, resolution). */
  comment_ids: string[];
}

const LEVEL_RANK: Record<string, number> = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3, CRITICAL: 4 };
const FOLDED_OUT = new Set([
  'pattern',
  'patterns',
  'confidence',
  'insight_id',
  'insight_key',
  'status',
  'evidence',
  'recommendations',
  'explanation',
  'update',
  'resolution',
  'open_for_s',
  'final_summary',
  'final_evidence',
  'final_facts',
]);

function strings(v: unknown, max: number): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v) {
    if (out.length >= max) break;
    if (typeof x === 'string') out.push(x);
    else if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      const t = o.event_id ?? o.action ?? o.description ?? o.text ?? o.message;
      if (typeof t === 'string') out.push(t);
    }
  }
  return out;
}

/**
 * Folds debbie_comment events into one record per insight (by `insight_id`): the opening, every
 * update and the resolution become one finding, so a report lists a problem once. Comments made
 * by older versions without an insight id are one insight each. Bounded: beyond `limit` insights,
 * new ones are counted in `dropped`.
 */
export class InsightFolder {
  private readonly byId = new Map<string, FoldedInsight>();
  dropped = 0;

  constructor(private readonly limit = 1_000) {}

  /** Folds one event; anything but a debbie_comment is ignored. */
  add(e: DebbieEvent): void {
    if (e.source !== 'debbie_comment') return;
    const d = e.details;
    const id = typeof d.insight_id === 'string' && d.insight_id !== '' ? d.insight_id : e.event_id;
    const pattern =
      typeof d.pattern === 'string' ? d.pattern : Array.isArray(d.patterns) && typeof d.patterns[0] === 'string' ? d.patterns[0] : e.action || 'comment';
    const ev = (d.evidence ?? {}) as Record<string, unknown>;
    let f = this.byId.get(id);
    const resolved = d.status === 'resolved' || e.action === 'insight_resolved';
    if (f === undefined) {
      if (this.byId.size >= this.limit) {
        this.dropped += 1;
        return;
      }
      f = {
        insight_id: id,
        pattern,
        key: typeof d.insight_key === 'string' ? d.insight_key : '',
        level: e.level,
        status: 'open',
        summary: e.event_summary,
        confidence: null,
        opened_at: e.timestamp,
        last_update_at: e.timestamp,
        updates: 0,
        resolved_at: null,
        resolution: null,
        trigger_event_id: null,
        evidence_event_ids: [],
        evidence_span_ids: [],
        recommendations: [],
        facts: {},
        comment_ids: [],
      };
      this.byId.set(id, f);
    }
    if (f.comment_ids.length < 20) f.comment_ids.push(e.event_id);
    if (typeof d.confidence === 'number') f.confidence = Math.max(f.confidence ?? 0, d.confidence);
    if (resolved) {
      f.status = 'resolved';
      f.resolved_at = e.timestamp;
      f.resolution = e.event_summary;
      this.final(f, d.final_summary, d.final_evidence, d.final_facts);
      return;
    }
    if (e.timestamp < f.opened_at) f.opened_at = e.timestamp;
    if (e.timestamp >= f.last_update_at) {
      f.last_update_at = e.timestamp;
      f.summary = e.event_summary;
      if (d.status === 'updated') f.updates += 1;
    }
    if ((LEVEL_RANK[e.level] ?? 0) > (LEVEL_RANK[f.level] ?? 0)) f.level = e.level;
    const ids = strings(ev.event_ids ?? d.evidence, 20);
    if (ids.length > 0) f.evidence_event_ids = ids;
    const spans = strings(ev.span_ids, 20);
    if (spans.length > 0) f.evidence_span_ids = spans;
    const recs = strings(d.recommendations, 10);
    if (recs.length > 0) f.recommendations = recs;
    f.trigger_event_id = typeof e.parent_id === 'string' ? e.parent_id : f.trigger_event_id;
    const facts: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(d)) if (!FOLDED_OUT.has(k)) facts[k] = v;
    f.facts = facts;
  }

  /** The insight's final state (a resolution's `final_*`, or a replay's still-open insight). */
  final(f: FoldedInsight, summary: unknown, evidence: unknown, facts: unknown): void {
    if (typeof summary === 'string' && summary !== '') f.summary = summary;
    const ev = (evidence ?? {}) as Record<string, unknown>;
    const ids = strings(ev.event_ids, 20);
    if (ids.length > 0) f.evidence_event_ids = ids;
    const spans = strings(ev.span_ids, 20);
    if (spans.length > 0) f.evidence_span_ids = spans;
    if (facts && typeof facts === 'object') f.facts = { ...(facts as Record<string, unknown>) };
  }

  /** Applies the final state of insights still open (from CommentaryProcessor.openInsights()). */
  finalizeOpen(
    open: readonly {
      insight_id: string;
      latestMessage: string;
      latestFacts: Record<string, unknown>;
      latestEventIds: readonly string[];
      latestSpanIds: readonly string[];
    }[],
  ): void {
    for (const o of open) {
      const f = this.byId.get(o.insight_id);
      if (f) this.final(f, o.latestMessage, { event_ids: o.latestEventIds, span_ids: o.latestSpanIds }, o.latestFacts);
    }
  }

  /** The insights, in the order they opened. */
  insights(): FoldedInsight[] {
    return [...this.byId.values()].sort((a, b) => (a.opened_at < b.opened_at ? -1 : a.opened_at > b.opened_at ? 1 : 0));
  }

  get size(): number {
    return this.byId.size;
  }
}
