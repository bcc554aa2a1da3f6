import type { Detector, DetectorContext } from '../Detector.js';
import { Category, Interest, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { errorCauseOf } from '../errorCause.js';
import { modelOf, toolNameOf } from '../classify.js';

/** Groups tracked per session; the oldest is forgotten (and counted) beyond this. */
const MAX_TEMPLATES = 64;
const MAX_EVIDENCE = 12;

interface TemplateState {
  /** Times (event µs) of the last `error_burst_count` errors of this group, as a ring. */
  times: number[];
  next: number;
  total: number;
  open: boolean;
  lastUs: number;
  eventIds: string[];
  spanIds: string[];
  example: string;
  /** Successful tool/model calls the session had made when this group last occurred. */
  successAtLast: number;
  /** Occurrences in a row that the session went on working after (a success in between). */
  harmless: number;
  /** Told once as a misused level: no burst for it afterwards. */
  misused: boolean;
}

interface BurstState {
  templates: Map<string, TemplateState>;
  /** Event time after which open bursts are considered over (0 = none open). */
  openUntilUs: number;
  /** Successful tool and model calls so far. */
  successes: number;
  /** Failures in a row per tool (a success of the tool resets it; bounded like the groups). */
  toolFails: Map<string, number>;
}

/**
 * Errors by cause (HTTP status, error type, normalised message; the message template when no
 * cause is known):
 * - `call_error`: a failing model call (or a tool's failed HTTP call), once per cause per session,
 *   with advice for the cause (429 → rate limit, 401/403 → credentials, timeout, 5xx → the provider).
 *   Other tool errors are left to the burst and repetition detectors (agents recover from most).
 * - `error_burst`: `error_burst_count` errors of one cause within `error_burst_window_seconds`.
 * - `misused_level`: a log line at ERROR/CRITICAL that recurs while the session keeps working
 *   (successful calls between every occurrence) is one INFO note that the level looks misused
 *   (e.g. a server logging "CRITICAL: Generated response: …" as debug output), never a burst.
 * Debbie's own comments never count (they are not observed at all).
 */
export class ErrorBurstDetector implements Detector {
  readonly name = 'error_burst';
  readonly patterns = ['error_burst', 'call_error', 'misused_level'] as const;
  readonly interest = Interest.ERRORS | Interest.of(Category.TOOL_CALL, Category.MODEL_CALL, Category.USER_MESSAGE);
  /** Groups forgotten because a session had MAX_TEMPLATES already (bounded memory). */
  forgottenTemplates = 0;

  constructor(private readonly index: number) {}

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    let s = session.slots[this.index] as BurstState | undefined;
    if (s && s.openUntilUs !== 0 && obs.startUs > s.openUntilUs) this.closeQuiet(session, s, obs, ctx);
    const cat = obs.category;
    if (!obs.isError) {
      if (s && (cat === Category.TOOL_CALL || cat === Category.MODEL_CALL)) {
        s.successes += 1;
        if (cat === Category.TOOL_CALL && s.toolFails.size > 0) s.toolFails.delete(toolNameOf(obs.event));
      }
      return;
    }
    const event = obs.event;
    // The client's view of a failed turn repeats a server error; request timeouts have their own detector.
    if (event.source === 'user_script' || event.action === 'request_timeout') return;
    if (!s) {
      s = { templates: new Map(), openUntilUs: 0, successes: 0, toolFails: new Map() };
      session.slots[this.index] = s;
    }
    const cause = errorCauseOf(event);
    const isCall = cat === Category.TOOL_CALL || cat === Category.MODEL_CALL;
    // A failed model request (429, 401, 5xx…), or a tool's failed HTTP call, is said once per cause;
    // a tool error an agent recovers from is not worth a comment of its own (a burst or a repetition is).
    if (cat === Category.MODEL_CALL || (cat === Category.TOOL_CALL && typeof event.details.http_status === 'number')) this.callError(obs, session, ctx, cause);
    const t = ctx.thresholds;
    // A tool's errors make a burst only when the tool failed more than error_burst_count times in a
    // row: an agent that gets the tool working again in between is retrying (the progress detector's
    // repetition / failing_tool), and one that fixes its call after a few errors is just working.
    let toolRun = Number.POSITIVE_INFINITY;
    if (cat === Category.TOOL_CALL) {
      const tool = toolNameOf(event);
      if (!s.toolFails.has(tool) && s.toolFails.size >= MAX_TEMPLATES) s.toolFails.delete(s.toolFails.keys().next().value as string);
      toolRun = (s.toolFails.get(tool) ?? 0) + 1;
      s.toolFails.set(tool, toolRun);
    }
    const key = cause.key;
    let ts = s.templates.get(key);
    if (!ts) {
      if (s.templates.size >= MAX_TEMPLATES) {
        const oldest = s.templates.keys().next().value as string;
        s.templates.delete(oldest);
        this.forgottenTemplates += 1;
      }
      ts = {
        times: [],
        next: 0,
        total: 0,
        open: false,
        lastUs: 0,
        eventIds: [],
        spanIds: [],
        example: cause.text.slice(0, 200),
        successAtLast: s.successes,
        harmless: 0,
        misused: false,
      };
      s.templates.set(key, ts);
    } else {
      ts.harmless = s.successes > ts.successAtLast ? ts.harmless + 1 : 0;
      ts.successAtLast = s.successes;
    }
    const now = obs.startUs;
    if (ts.times.length < t.error_burst_count) ts.times.push(now);
    else {
      ts.times[ts.next] = now;
      ts.next = (ts.next + 1) % t.error_burst_count;
    }
    ts.total += 1;
    ts.lastUs = now;
    if (ts.misused) return;
    const windowUs = t.error_burst_window_seconds * 1e6;
    if (ts.eventIds.length < MAX_EVIDENCE) ts.eventIds.push(event.event_id);
    if (ts.spanIds.length < MAX_EVIDENCE && event.span_id) ts.spanIds.push(event.span_id);
    // A log line (not a failed call) that recurs while the session keeps working: the level is misused.
    if (!isCall && event.kind === 'log' && ts.harmless >= t.error_burst_count - 1) {
      ts.misused = true;
      if (ts.open) {
        ts.open = false;
        ctx.resolve(session, 'error_burst', key, {
          message: `Not a burst after all: "${cause.label}" recurs while the session keeps working.`,
          resolution: 'recovered',
          trigger: refOf(event),
        });
      }
      ctx.raise(session, {
        pattern: 'misused_level',
        key,
        severity: 1,
        level: 'INFO',
        confidence: BASE_CONFIDENCE.misused_level,
        message: `"${cause.label}" is logged at ${event.level} ${ts.total} times, yet the session kept working after each (successful calls in between): the level looks misused.`,
        explanation: `No failed call or turn follows these lines, e.g. "${ts.example}". They are noted once here and not counted as a burst.`,
        recommendations: [`Log this line at DEBUG or INFO in ${event.component}`],
        trigger: refOf(event),
        evidenceEventIds: ts.eventIds,
        evidenceSpanIds: ts.spanIds,
        facts: { session_id: session.id, template: key, count: ts.total, component: event.component, level: event.level },
      });
      return;
    }
    if (!ts.open) {
      if (ts.times.length < t.error_burst_count || toolRun <= t.error_burst_count) return;
      const oldest = ts.times[ts.next % ts.times.length]!;
      if (now - oldest > windowUs) {
        ts.eventIds = ts.eventIds.slice(-t.error_burst_count);
        ts.spanIds = ts.spanIds.slice(-t.error_burst_count);
        return;
      }
      ts.open = true;
      // the burst's size: the errors in the window (a tool's failures in a row when that is fewer)
      ts.total = Math.min(ts.total, Number.isFinite(toolRun) ? toolRun : ts.total, ts.times.length + (Number.isFinite(toolRun) ? toolRun : 0));
    }
    s.openUntilUs = Math.max(s.openUntilUs, now + windowUs);
    ctx.raise(session, {
      pattern: 'error_burst',
      key,
      severity: ts.total,
      level: 'ERROR',
      confidence: Math.min(0.97, BASE_CONFIDENCE.error_burst + 0.03 * (ts.total - t.error_burst_count)),
      message: `Error burst: ${ts.total} errors of one cause from ${event.component} within ${t.error_burst_window_seconds}s: ${cause.label}`,
      explanation: `The errors share one cause${cause.cause !== 'other' ? ` (${cause.cause})` : ' (one message template once ids, numbers and paths are masked)'}, e.g. "${ts.example}".`,
      recommendations:
        cause.advice.length > 0 ? cause.advice : ['Fix the cause, then retry the failing operation', 'Run a diagnostic script over these errors (find_errors)'],
      trigger: refOf(event),
      evidenceEventIds: ts.eventIds,
      evidenceSpanIds: ts.spanIds,
      facts: { session_id: session.id, template: key, cause: cause.cause, count: ts.total, component: event.component, example: ts.example },
    });
  }

  /** One comment per cause per session for a failing model or tool call. */
  private callError(obs: Observation, session: SessionState, ctx: DetectorContext, cause: ReturnType<typeof errorCauseOf>): void {
    const event = obs.event;
    const model = obs.category === Category.MODEL_CALL;
    const name = model ? modelOf(event) : toolNameOf(event);
    const key = cause.cause === 'other' ? `other|${name}` : cause.key;
    if (ctx.isOpen(session, 'call_error', key)) return;
    // a failed model request is worth a warning; a tool's failed HTTP call a note
    const level = model ? 'WARNING' : 'INFO';
    ctx.raise(session, {
      pattern: 'call_error',
      key,
      severity: 1,
      level,
      confidence: BASE_CONFIDENCE.call_error,
      message: `${model ? 'Model call to' : 'Tool call'} ${name} failed: ${cause.label}.`,
      explanation: `Said once per cause in this session; more of them make an error burst. Error: "${cause.text.slice(0, 200)}".`,
      recommendations: cause.advice.length > 0 ? cause.advice : [`Look at the error ${name} returned and whether the agent recovered`],
      trigger: refOf(event),
      evidenceEventIds: [event.event_id],
      evidenceSpanIds: event.span_id ? [event.span_id] : [],
      facts: {
        session_id: session.id,
        cause: cause.cause,
        [model ? 'model' : 'tool_name']: name,
        ...(typeof event.details.http_status === 'number' ? { http_status: event.details.http_status } : {}),
        ...(typeof event.details.error_type === 'string' ? { error_type: event.details.error_type } : {}),
      },
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
