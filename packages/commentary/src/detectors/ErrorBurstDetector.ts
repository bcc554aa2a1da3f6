import type { Detector, DetectorContext } from '../Detector.js';
import { Category, Interest, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { messageTemplate } from '../templates.js';

/** Templates tracked per session; the oldest is forgotten (and counted) beyond this. */
const MAX_TEMPLATES = 64;
const MAX_EVIDENCE = 12;

interface TemplateState {
  /** Times (event µs) of the last `error_burst_count` errors of this template, as a ring. */
  times: number[];
  next: number;
  total: number;
  open: boolean;
  lastUs: number;
  eventIds: string[];
  spanIds: string[];
  example: string;
}

interface BurstState {
  templates: Map<string, TemplateState>;
  /** Event time after which open bursts are considered over (0 = none open). */
  openUntilUs: number;
}

/**
 * Error burst: errors with the same message template (numbers, ids, uuids, paths and hex masked)
 * clustered in time: `error_burst_count` within `error_burst_window_seconds`. Scattered errors of
 * one template, or many different errors, are not a burst.
 */
export class ErrorBurstDetector implements Detector {
  readonly name = 'error_burst';
  readonly patterns = ['error_burst'] as const;
  readonly interest = Interest.ERRORS | Interest.of(Category.TOOL_CALL, Category.MODEL_CALL, Category.USER_MESSAGE);
  /** Templates forgotten because a session had MAX_TEMPLATES already (bounded memory). */
  forgottenTemplates = 0;

  constructor(private readonly index: number) {}

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    let s = session.slots[this.index] as BurstState | undefined;
    if (s && s.openUntilUs !== 0 && obs.startUs > s.openUntilUs) this.closeQuiet(session, s, obs, ctx);
    if (!obs.isError) return;
    const event = obs.event;
    // The client's view of a failed turn repeats a server error; request timeouts have their own detector.
    if (event.source === 'user_script' || event.action === 'request_timeout') return;
    if (!s) {
      s = { templates: new Map(), openUntilUs: 0 };
      session.slots[this.index] = s;
    }
    const t = ctx.thresholds;
    const text = typeof event.details.error === 'string' ? event.details.error : event.event_summary;
    const template = `${event.component}: ${messageTemplate(text)}`;
    let ts = s.templates.get(template);
    if (!ts) {
      if (s.templates.size >= MAX_TEMPLATES) {
        const oldest = s.templates.keys().next().value as string;
        s.templates.delete(oldest);
        this.forgottenTemplates += 1;
      }
      ts = { times: [], next: 0, total: 0, open: false, lastUs: 0, eventIds: [], spanIds: [], example: text.slice(0, 200) };
      s.templates.set(template, ts);
    }
    const now = obs.startUs;
    if (ts.times.length < t.error_burst_count) ts.times.push(now);
    else {
      ts.times[ts.next] = now;
      ts.next = (ts.next + 1) % t.error_burst_count;
    }
    ts.total += 1;
    ts.lastUs = now;
    const windowUs = t.error_burst_window_seconds * 1e6;
    if (ts.eventIds.length < MAX_EVIDENCE) ts.eventIds.push(event.event_id);
    if (ts.spanIds.length < MAX_EVIDENCE && event.span_id) ts.spanIds.push(event.span_id);
    if (!ts.open) {
      // Evidence is about the current cluster: drop ids older than the window.
      if (ts.times.length < t.error_burst_count) return;
      const oldest = ts.times[ts.next % ts.times.length]!;
      if (now - oldest > windowUs) {
        ts.eventIds = ts.eventIds.slice(-t.error_burst_count);
        ts.spanIds = ts.spanIds.slice(-t.error_burst_count);
        return;
      }
      ts.open = true;
      ts.total = t.error_burst_count;
    }
    s.openUntilUs = Math.max(s.openUntilUs, now + windowUs);
    ctx.raise(session, {
      pattern: 'error_burst',
      key: template,
      severity: ts.total,
      level: 'ERROR',
      confidence: Math.min(0.97, BASE_CONFIDENCE.error_burst + 0.03 * (ts.total - t.error_burst_count)),
      message: `Error burst: ${ts.total} similar errors from ${event.component} within ${t.error_burst_window_seconds}s: ${template}`,
      explanation: `The errors share one template once ids, numbers and paths are masked, e.g. "${ts.example}". A repeated failure like this usually has one cause.`,
      recommendations: ['Retry the failing operation once the cause is fixed', 'Run a diagnostic script over these errors (find_errors)'],
      trigger: refOf(event),
      evidenceEventIds: ts.eventIds,
      evidenceSpanIds: ts.spanIds,
      facts: { session_id: session.id, template, count: ts.total, component: event.component, example: ts.example },
    });
  }

  private closeQuiet(session: SessionState, s: BurstState, obs: Observation, ctx: DetectorContext): void {
    const windowUs = ctx.thresholds.error_burst_window_seconds * 1e6;
    for (const [template, ts] of s.templates) {
      if (!ts.open || obs.startUs - ts.lastUs <= windowUs) continue;
      ts.open = false;
      ts.times = [];
      ts.next = 0;
      ts.eventIds = [];
      ts.spanIds = [];
      ctx.resolve(session, 'error_burst', template, {
        message: `Error burst over: no "${template}" error for ${ctx.thresholds.error_burst_window_seconds}s (${ts.total} in all).`,
        resolution: 'recovered',
        facts: { count: ts.total },
        trigger: refOf(obs.event),
      });
    }
    let until = 0;
    for (const ts of s.templates.values()) if (ts.open) until = Math.max(until, ts.lastUs + windowUs);
    s.openUntilUs = until;
  }
}
