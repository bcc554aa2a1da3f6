import { createEvent, isoFromEpochMicros, type DebbieEvent, type LogLevel } from '@debbie/model';
import type { InsightLevel } from './config.js';
import type { Finding, Resolution } from './Finding.js';
import type { OpenInsight } from './InsightBook.js';
import type { EventRef } from './Observation.js';

/** Component of Debbie's comments, as in the seed's examples (`[debbie_comment] [INFO] [debugging]`). */
export const COMMENT_COMPONENT = 'debugging';
export const INTERVENTION_COMPONENT = 'intervention';

function linkFields(sessionId: string, ref: EventRef, agentId: string | null) {
  return {
    session_id: sessionId === '' ? null : sessionId,
    agent_id: ref.agent_id ?? agentId,
    correlation_id: ref.correlation_id,
    // A comment is a point event "inside" the span that triggered it.
    parent_id: ref.span_id ?? ref.event_id,
    trace_id: ref.trace_id,
    span_id: ref.span_id,
  };
}

/** The debbie_comment for a newly opened or worsened insight. */
export function insightComment(
  f: Finding,
  insight: OpenInsight,
  status: 'open' | 'updated',
  level: InsightLevel,
  sessionId: string,
  agentId: string | null,
  nowUs: number,
): DebbieEvent {
  const detailed = level === 'detailed';
  const prefix = status === 'updated' ? 'Update: ' : '';
  return createEvent({
    source: 'debbie_comment',
    level: f.level,
    component: COMMENT_COMPONENT,
    action: status === 'open' ? 'insight' : 'insight_update',
    timestamp: isoFromEpochMicros(nowUs),
    event_summary: detailed ? `${prefix}${f.message} ${f.explanation}` : `${prefix}${f.message}`,
    details: {
      pattern: f.pattern,
      patterns: [f.pattern],
      confidence: Math.round(f.confidence * 100) / 100,
      insight_id: insight.insight_id,
      insight_key: insight.key,
      status,
      evidence: { event_ids: [...f.evidenceEventIds], span_ids: [...f.evidenceSpanIds] },
      recommendations: detailed ? f.recommendations : f.recommendations.slice(0, 1),
      ...(detailed ? { explanation: f.explanation } : {}),
      ...(status === 'updated' ? { update: insight.updates } : {}),
      ...f.facts,
    },
    ...linkFields(sessionId, f.trigger, agentId),
  });
}

/** The debbie_comment that closes an insight. */
export function resolutionComment(
  insight: OpenInsight,
  r: Resolution,
  sessionId: string,
  agentId: string | null,
  nowUs: number,
  level: LogLevel = 'INFO',
): DebbieEvent {
  return createEvent({
    source: 'debbie_comment',
    level,
    component: COMMENT_COMPONENT,
    action: 'insight_resolved',
    timestamp: isoFromEpochMicros(nowUs),
    event_summary: r.message,
    details: {
      pattern: insight.pattern,
      patterns: [insight.pattern],
      confidence: Math.round(insight.confidence * 100) / 100,
      insight_id: insight.insight_id,
      insight_key: insight.key,
      status: 'resolved',
      resolution: r.resolution,
      open_for_s: Math.round((nowUs - insight.openedClockUs) / 1e5) / 10,
      // the insight's final state, also when its last worsening was too small to comment on
      final_summary: insight.latestMessage,
      final_evidence: { event_ids: [...insight.latestEventIds].slice(0, 20), span_ids: [...insight.latestSpanIds].slice(0, 20) },
      final_facts: insight.latestFacts,
      ...r.facts,
    },
    ...linkFields(sessionId, r.trigger ?? insight.trigger, agentId),
  });
}

/** A `debbie` event for something Debbie did or would do (an intervention). */
export function interventionEvent(
  message: string,
  level: LogLevel,
  action: string,
  details: Record<string, unknown>,
  sessionId: string,
  ref: EventRef | null,
  agentId: string | null,
  nowUs: number,
): DebbieEvent {
  return createEvent({
    source: 'debbie',
    level,
    component: INTERVENTION_COMPONENT,
    action,
    timestamp: isoFromEpochMicros(nowUs),
    event_summary: message,
    details: { session_id: sessionId, agent_id: agentId, ...details },
    ...(ref ? linkFields(sessionId, ref, agentId) : { session_id: sessionId, agent_id: agentId }),
  });
}
