import type { DebbieEvent } from '@debbie/model';
import type { FindingOrigin, PatternFinding } from './AnalysisReport.js';

/** Event ids named by a comment's `evidence`: ids, {event_id} objects, or {event_ids: [...]}. */
function evidenceIds(value: unknown, out: string[]): void {
  if (out.length >= 20 || value == null) return;
  if (typeof value === 'string') { out.push(value); return; }
  if (Array.isArray(value)) { for (const v of value) evidenceIds(v, out); return; }
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.event_id === 'string') out.push(o.event_id);
    if (Array.isArray(o.event_ids)) evidenceIds(o.event_ids, out);
  }
}

function texts(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    if (typeof v === 'string') return [v];
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const t = o.action ?? o.description ?? o.text ?? o.message;
      return typeof t === 'string' ? [t] : [];
    }
    return [];
  }).slice(0, 10);
}

/**
 * A debbie_comment event as a report finding: `commentary` for comments stored in the session,
 * `detector` for comments the commentary detectors make when the report runs them.
 */
export function commentFinding(e: DebbieEvent, origin: FindingOrigin = 'commentary'): PatternFinding {
  const d = e.details;
  const evidence: string[] = [];
  evidenceIds(d.evidence, evidence);
  if (typeof d.event_id === 'string' && !evidence.includes(d.event_id)) evidence.push(d.event_id);
  const patterns = d.patterns;
  const pattern = typeof d.pattern === 'string' ? d.pattern
    : Array.isArray(patterns) && typeof patterns[0] === 'string' ? patterns[0] : e.action || 'comment';
  return {
    origin,
    pattern,
    summary: e.event_summary.slice(0, 500),
    confidence: typeof d.confidence === 'number' ? d.confidence : null,
    timestamp: e.timestamp,
    // a detector's comment is made by the report, not stored: it is no evidence to look up
    event_id: origin === 'commentary' ? e.event_id : null,
    evidence,
    recommendations: texts(d.recommendations),
  };
}
