import type { FoldedInsight } from '@debbie/commentary';
import type { FindingOrigin, PatternFinding } from './AnalysisReport.js';

/**
 * One insight (its opening, updates and resolution folded by @debbie/commentary's InsightFolder)
 * as a report finding: `commentary` for comments stored in the session, `detector` for insights
 * the report's replay of the detectors found.
 */
export function insightFinding(f: FoldedInsight, origin: FindingOrigin): PatternFinding {
  const status = f.status === 'resolved' && f.resolution ? ` (resolved: ${f.resolution})` : '';
  return {
    origin,
    pattern: f.pattern,
    summary: `${f.summary}${status}`.slice(0, 600),
    confidence: f.confidence,
    timestamp: f.opened_at,
    // a detector's insight is made by the report, not stored: no comment event to look up
    event_id: origin === 'commentary' ? (f.comment_ids[0] ?? null) : null,
    evidence: f.evidence_event_ids.length > 0 ? f.evidence_event_ids : f.trigger_event_id ? [f.trigger_event_id] : [],
    recommendations: f.recommendations,
    metrics: numericFacts(f.facts),
    insight: { insight_id: f.insight_id, level: f.level, status: f.status, updates: f.updates, resolution: f.resolution, span_ids: f.evidence_span_ids },
  };
}

/** The insight's measured numbers (factor, repeats, similarity, value_ms…) as metrics. */
function numericFacts(facts: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(facts)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
