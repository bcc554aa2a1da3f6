import { systemClock, type Clock, type DebbieEvent, type EventSink } from '@debbie/model';
import { resolveCommentaryConfig, type CommentaryConfig, type CommentaryConfigInput, type CommentaryThresholds } from './config.js';
import { classify } from './classify.js';
import { insightComment, resolutionComment } from './comments.js';
import { DeadlineQueue } from './DeadlineQueue.js';
import type { Detector, DetectorContext } from './Detector.js';
import { ContinuationStallDetector } from './detectors/ContinuationStallDetector.js';
import { ErrorBurstDetector } from './detectors/ErrorBurstDetector.js';
import { LostMessageDetector } from './detectors/LostMessageDetector.js';
import { ProgressDetector } from './detectors/ProgressDetector.js';
import { RunEndDetector } from './detectors/RunEndDetector.js';
import { MemorySpikeDetector } from './detectors/MemorySpikeDetector.js';
import { NudgePatternDetector } from './detectors/NudgePatternDetector.js';
import { RetryStormDetector } from './detectors/RetryStormDetector.js';
import { RpcLatencyDetector } from './detectors/RpcLatencyDetector.js';
import { ChildTime, SlowCallDetector } from './detectors/SlowCallDetector.js';
import { TokenSpikeDetector } from './detectors/TokenSpikeDetector.js';
import { ToolLoopDetector } from './detectors/ToolLoopDetector.js';
import { eventMicros } from './eventTime.js';
import { ReplayClock } from './ReplayClock.js';
import type { Finding, Resolution } from './Finding.js';
import { insightKey, stableInsightId, MAX_UPDATES_PER_INSIGHT, WORSEN_FACTOR, type OpenInsight } from './InsightBook.js';
import { ContinuationInjection } from './interventions/ContinuationInjection.js';
import { InterventionManager, type InterventionStats } from './interventions/InterventionManager.js';
import type { InterventionStrategy } from './interventions/InterventionStrategy.js';
import { Category, Interest, Observation } from './Observation.js';
import type { PatternId } from './patterns.js';
import { SessionState } from './SessionState.js';

export interface CommentaryProcessorOptions {
  /** Time for stall timers, eviction and comment timestamps. Default systemClock (the simulator passes its SimClock). Ignored when `time` is 'event'. */
  clock?: Clock;
  /**
   * Which time the detectors judge by. 'wall' (default): live data, the clock above. 'event':
   * offline ingest, stored sessions and late data: a replay clock driven by the events' own
   * timestamps (it never moves back), so a 2025 log gets comments dated 2025, a comment carries the
   * time of the event that completed its evidence, and stall timers fire in the recording's time
   * (when a later event passes them, or `advanceTo`).
   */
  time?: 'wall' | 'event';
  /** The `debbie_config.commentary` section (validated; defaults in config.ts). */
  config?: CommentaryConfigInput | CommentaryConfig;
  /** Receives every comment (`debbie_comment`) and intervention event (`debbie`); the pipeline feeds them back to the sinks. */
  onComment?: (event: DebbieEvent) => void;
  /** Sessions silent this long are forgotten. Default 300,000 ms (the seed's correlation_timeout: 300). */
  correlationTimeoutMs?: number;
  /** Most sessions tracked at once; beyond it the longest-idle tenth is evicted (and counted). Default 100,000. */
  maxSessions?: number;
  /** Export lag tolerated when turning event time into clock time; older events count as replayed. Default 10,000 ms. */
  maxClockLagMs?: number;
  /**
   * Intervention strategies. Default, when `config.interventions.enabled`: a ContinuationInjection to
   * `config.interventions.url` (or `interventionUrl`).
   */
  strategies?: InterventionStrategy[];
  /** Chooses the WebSocket URL of a session for the default ContinuationInjection. */
  interventionUrl?: (sessionId: string) => string;
}

export interface CommentaryStats {
  events: number;
  sessions: number;
  evictedIdle: number;
  evictedCapacity: number;
  comments: number;
  insightsOpened: number;
  insightsUpdated: number;
  insightsResolved: number;
  /** New insights not opened because a session already had MAX_OPEN_INSIGHTS open. */
  insightsDropped: number;
  /** Events a detector threw on (the event is skipped by that detector, nothing else is lost). */
  detectorErrors: number;
  /** Comments whose delivery (onComment) threw. */
  deliveryErrors: number;
  /** Events too malformed to look at (skipped alone). */
  rejected: number;
  /** Comments not made because their session had used its budget (thresholds.max_comments_per_session). */
  overBudget: number;
  deadlinesDropped: number;
  interventions: InterventionStats;
}

/** Open insights per session; more are dropped and counted (a session cannot hold unbounded state). */
const MAX_OPEN_INSIGHTS = 64;
/** Pending stall deadlines (≤ one per session per timed detector). */
const MAX_DEADLINES = 1_000_000;

/**
 * Debbie's commentary as an EventSink: every event goes through online detectors (O(1) amortized
 * per event, bounded state per session); problems become insights, emitted as `debbie_comment`
 * events through `onComment` — one per ongoing problem, updated when it worsens, closed by a
 * resolution comment. Stall timers run on the given clock.
 *
 * @example
 * const commentary = new CommentaryProcessor({ clock, onComment: (e) => logger.emitEvent(e) });
 * createDebbie({ serviceName: 'app', sinks: [store], commentary: (emit) => new CommentaryProcessor({ onComment: emit }) });
 */
export class CommentaryProcessor implements EventSink, DetectorContext {
  readonly config: CommentaryConfig;
  readonly thresholds: CommentaryThresholds;
  private readonly clock: Clock;
  /** Set in 'event' time: the replay clock the events drive. */
  private readonly replay: ReplayClock | null;
  private readonly onComment: (event: DebbieEvent) => void;
  private readonly detectors: Detector[];
  private readonly sessions = new Map<string, SessionState>();
  /** The session of the previous event (see observe). */
  private lastSession: SessionState | null = null;
  private readonly deadlines = new DeadlineQueue(MAX_DEADLINES);
  private readonly obs = new Observation();
  private readonly outbox: DebbieEvent[] = [];
  private readonly timeoutUs: number;
  private readonly maxSessions: number;
  private readonly maxLagUs: number;
  private readonly sweepEveryUs: number;
  private readonly interventions: InterventionManager;
  private currentDetector = 0;
  private lastSweepUs = 0;
  private timerDueUs = Number.POSITIVE_INFINITY;
  private cancelTimer: (() => void) | null = null;
  private closed = false;
  private delivering = false;
  private readonly counters = {
    events: 0,
    evictedIdle: 0,
    evictedCapacity: 0,
    comments: 0,
    insightsOpened: 0,
    insightsUpdated: 0,
    insightsResolved: 0,
    insightsDropped: 0,
    detectorErrors: 0,
    deliveryErrors: 0,
    rejected: 0,
    overBudget: 0,
  };

  constructor(options: CommentaryProcessorOptions = {}) {
    this.config = resolveCommentaryConfig(options.config ?? {});
    this.thresholds = this.config.thresholds;
    this.replay = options.time === 'event' ? new ReplayClock(0) : null;
    this.clock = this.replay ?? options.clock ?? systemClock;
    this.onComment = options.onComment ?? (() => {});
    this.timeoutUs = (options.correlationTimeoutMs ?? 300_000) * 1000;
    this.maxSessions = Math.max(1, options.maxSessions ?? 100_000);
    this.maxLagUs = (options.maxClockLagMs ?? 10_000) * 1000;
    this.sweepEveryUs = Math.min(this.timeoutUs / 4, 60e6);
    let i = 0;
    const childTime = new ChildTime();
    this.detectors = [
      new ContinuationStallDetector(i++),
      new NudgePatternDetector(i++, this.config.interventions.continuation_prompt),
      new ToolLoopDetector(i++),
      new ErrorBurstDetector(i++),
      // after the error burst: failures already told as a burst are not told again as repetition
      new ProgressDetector(i++),
      new SlowCallDetector(i++, 'tool', childTime),
      new SlowCallDetector(i++, 'model', childTime),
      new RetryStormDetector(i++),
      new RpcLatencyDetector(i++),
      new MemorySpikeDetector(i++),
      new TokenSpikeDetector(i++),
      new LostMessageDetector(i++),
      new RunEndDetector(i++),
    ];
    const iv = this.config.interventions;
    const strategies =
      options.strategies ??
      (iv.enabled ? [new ContinuationInjection({ url: options.interventionUrl ?? iv.url, prompt: iv.continuation_prompt, clock: this.clock })] : []);
    this.interventions = new InterventionManager(iv, strategies, this.clock, {
      emit: (e) => this.queue(e),
      resolveInsight: (session, key, r) => this.close(session, key, r),
      flush: () => this.deliver(),
    });
  }

  /** Observes one event. Never throws; Debbie's own comments (sources debbie, debbie_comment) are ignored. */
  write(event: DebbieEvent): void {
    if (this.closed || !this.config.enabled) return;
    try {
      this.observe(event);
    } catch {
      // A record too malformed to classify (no details, no timestamp…): skipped alone and counted.
      this.counters.rejected += 1;
    }
  }

  private observe(event: DebbieEvent): void {
    const source = event.source;
    if (source === 'debbie_comment' || source === 'debbie') return;
    this.counters.events += 1;
    const start = eventMicros(event.timestamp);
    // Event time: the event's own timestamp moves the clock (stall deadlines it passes fire first).
    if (this.replay !== null && !Number.isNaN(start)) {
      // A session whose first event is older than the clock is another recording (a second file,
      // an older run): judge and stamp it in its own time. Within a known session the clock never
      // goes back (a parent span written after its children must not re-arm an earlier deadline).
      if (start < this.replay.now() - this.maxLagUs && !this.sessions.has(event.session_id ?? '')) {
        this.replay.rewindTo(start);
        this.lastSweepUs = start;
      }
      this.replay.advanceTo(start);
    }
    const now = this.clock.now();
    if (now - this.lastSweepUs >= this.sweepEveryUs) this.sweep(now);
    const key = event.session_id ?? '';
    // a session's events come in runs (a turn's spans, a log's lines): the last one is checked before the map
    const last = this.lastSession;
    let session: SessionState;
    if (last !== null && !last.evicted && key === last.id) session = last;
    else {
      session = this.sessions.get(key) ?? this.addSession(key, now);
      this.lastSession = session;
    }
    session.lastSeenClockUs = now;
    if (event.agent_id !== null) session.agentId = event.agent_id;
    if (source === 'agent' && typeof event.details.agent_name === 'string') session.agentName = event.details.agent_name;

    const obs = this.obs;
    obs.event = event;
    obs.seq += 1;
    obs.category = classify(event);
    obs.startUs = Number.isNaN(start) ? now : start;
    obs.endUs = obs.startUs + (event.duration_ms ?? 0) * 1000;
    obs.arrivalClockUs = now;
    if (this.replay !== null) {
      obs.endClockUs = obs.endUs;
    } else {
      const lag = now - obs.endUs;
      obs.endClockUs = now - (lag < 0 ? 0 : Math.min(lag, this.maxLagUs));
    }
    obs.isError = event.level === 'ERROR' || event.level === 'CRITICAL';
    obs.bits = (1 << obs.category) | (obs.isError ? Interest.ERRORS : 0) | (event.performance_metrics !== null ? Interest.METRICS : 0) | Interest.ALL;

    if (this.config.pattern_detection) {
      const detectors = this.detectors;
      const bits = obs.bits;
      for (let i = 0; i < detectors.length; i++) {
        if ((detectors[i]!.interest & bits) === 0) continue;
        this.currentDetector = i;
        try {
          detectors[i]!.observe(obs, session, this);
        } catch {
          this.counters.detectorErrors += 1;
        }
      }
    }
    if (session.pending !== null && isActivity(obs)) {
      const startClock = obs.endClockUs - (obs.endUs - obs.startUs);
      this.interventions.onActivity(session, startClock, {
        event_id: event.event_id,
        span_id: event.span_id,
        trace_id: event.trace_id,
        correlation_id: event.correlation_id,
        agent_id: event.agent_id,
      });
    }
    obs.event = undefined as unknown as DebbieEvent; // do not pin the event
    if (this.outbox.length > 0) this.deliver();
    const due = this.deadlines.peekDue();
    if (due !== undefined && due < this.timerDueUs) this.armTimer(due);
  }

  /**
   * In 'event' time, moves the replay clock to `us` (epoch µs), firing the stall deadlines it
   * passes: call it at the end of a recording (e.g. last event + a grace period) so a trailing
   * silence counts. No effect in 'wall' time.
   */
  advanceTo(us: number): void {
    if (this.replay === null || this.closed) return;
    this.replay.advanceTo(us);
    this.deliver();
  }

  async forceFlush(): Promise<void> {
    await this.interventions.flush();
    this.deliver();
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = null;
    await this.interventions.shutdown();
    this.deliver();
    this.deadlines.clear();
  }

  stats(): CommentaryStats {
    return { ...this.counters, sessions: this.sessions.size, deadlinesDropped: this.deadlines.dropped, interventions: { ...this.interventions.stats } };
  }

  /** Insights open right now, per session (for `debbie demo`, reports and tests). */
  openInsights(): { session_id: string; insight: OpenInsight }[] {
    const out: { session_id: string; insight: OpenInsight }[] = [];
    for (const s of this.sessions.values()) for (const insight of s.insights?.values() ?? []) out.push({ session_id: s.id, insight: { ...insight } });
    return out;
  }

  // --- DetectorContext ---

  now(): number {
    return this.clock.now();
  }

  raise(session: SessionState, f: Finding): void {
    const k = insightKey(f.pattern, f.key);
    const book = (session.insights ??= new Map());
    const open = book.get(k);
    const now = this.clock.now();
    if (open === undefined) {
      if (book.size >= MAX_OPEN_INSIGHTS) {
        this.counters.insightsDropped += 1;
        return;
      }
      const insight: OpenInsight = {
        insight_id: stableInsightId(session.id, f.pattern, f.key, f.trigger.event_id),
        pattern: f.pattern,
        key: f.key,
        severity: f.severity,
        confidence: f.confidence,
        updates: 0,
        openedClockUs: now,
        trigger: f.trigger,
        message: f.message,
        latestMessage: f.message,
        latestFacts: f.facts,
        latestEventIds: f.evidenceEventIds,
        latestSpanIds: f.evidenceSpanIds,
      };
      book.set(k, insight);
      this.counters.insightsOpened += 1;
      if (!this.spend(session)) return;
      this.queue(insightComment(f, insight, 'open', this.config.insight_level, session.id, session.agentId, now));
      this.interventions.consider(session, insight, k);
      return;
    }
    open.latestMessage = f.message;
    open.latestFacts = f.facts;
    open.latestEventIds = f.evidenceEventIds;
    open.latestSpanIds = f.evidenceSpanIds;
    if (f.severity < open.severity * WORSEN_FACTOR || open.updates >= MAX_UPDATES_PER_INSIGHT) return;
    if (!this.spend(session)) return;
    open.updates += 1;
    open.severity = f.severity;
    open.confidence = Math.max(open.confidence, f.confidence);
    open.message = f.message;
    this.counters.insightsUpdated += 1;
    this.queue(insightComment(f, open, 'updated', this.config.insight_level, session.id, session.agentId, now));
  }

  resolve(session: SessionState, pattern: PatternId, key: string, r: Resolution): void {
    const k = insightKey(pattern, key);
    // An intervention is being judged on this insight: its outcome closes it.
    if (session.pending !== null && session.pending.insightKey === k) return;
    this.close(session, k, r);
  }

  isOpen(session: SessionState, pattern: PatternId, key: string): boolean {
    return session.insights?.has(insightKey(pattern, key)) ?? false;
  }

  schedule(session: SessionState, dueClockUs: number): void {
    this.deadlines.push(dueClockUs, session, this.currentDetector);
  }

  // --- internals ---

  private close(session: SessionState, k: string, r: Resolution): void {
    const open = session.insights?.get(k);
    if (open === undefined) return;
    session.insights!.delete(k);
    this.counters.insightsResolved += 1;
    if (!this.spend(session)) return;
    this.queue(resolutionComment(open, r, session.id, session.agentId, this.clock.now()));
  }

  /** Takes one comment from the session's budget; false (and counted) when it is spent. */
  private spend(session: SessionState): boolean {
    if (session.comments >= this.thresholds.max_comments_per_session) {
      this.counters.overBudget += 1;
      return false;
    }
    session.comments += 1;
    return true;
  }

  private queue(event: DebbieEvent): void {
    this.outbox.push(event);
  }

  /** Delivers queued comments after the detectors ran, so a sink that feeds them back re-enters safely. */
  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    try {
      for (let i = 0; i < this.outbox.length; i++) {
        this.counters.comments += 1;
        try {
          this.onComment(this.outbox[i]!);
        } catch {
          this.counters.deliveryErrors += 1;
        }
      }
      this.outbox.length = 0;
    } finally {
      this.delivering = false;
    }
  }

  private addSession(key: string, now: number): SessionState {
    if (this.sessions.size >= this.maxSessions) this.evictLongestIdle();
    const session = new SessionState(key, this.detectors.length, now);
    this.sessions.set(key, session);
    return session;
  }

  /** Forgets sessions idle past the correlation timeout (not one with an intervention pending). */
  private sweep(now: number): void {
    this.lastSweepUs = now;
    for (const [key, s] of this.sessions) {
      if (now - s.lastSeenClockUs > this.timeoutUs && s.pending === null) {
        s.evicted = true;
        this.sessions.delete(key);
        this.counters.evictedIdle += 1;
      }
    }
  }

  /** At capacity: evicts the longest-idle tenth at once, so the sort is amortized over many new sessions. */
  private evictLongestIdle(): void {
    const seen = [...this.sessions.values()].map((s) => s.lastSeenClockUs).sort((a, b) => a - b);
    const cutoff = seen[Math.max(0, Math.floor(seen.length / 10) - 1)]!;
    for (const [key, s] of this.sessions) {
      if (s.lastSeenClockUs <= cutoff && this.sessions.size > 0) {
        s.evicted = true;
        this.sessions.delete(key);
        this.counters.evictedCapacity += 1;
      }
    }
  }

  private armTimer(dueUs: number): void {
    this.cancelTimer?.();
    this.timerDueUs = dueUs;
    const delayMs = Math.max(0, (dueUs - this.clock.now()) / 1000);
    this.cancelTimer = this.clock.setTimer(delayMs, () => this.onTimer());
  }

  private onTimer(): void {
    this.cancelTimer = null;
    this.timerDueUs = Number.POSITIVE_INFINITY;
    if (this.closed) return;
    const now = this.clock.now();
    for (let e = this.deadlines.popDue(now); e !== undefined; e = this.deadlines.popDue(now)) {
      if (e.session.evicted) continue;
      const d = this.detectors[e.detector]!;
      this.currentDetector = e.detector;
      try {
        d.onDeadline?.(e.session, this);
      } catch {
        this.counters.detectorErrors += 1;
      }
    }
    this.deliver();
    const due = this.deadlines.peekDue();
    if (due !== undefined) this.armTimer(due);
  }
}

/** Agent-side work that shows a stalled agent resumed: tool, model or agent activity. */
function isActivity(obs: Observation): boolean {
  const c = obs.category;
  return c === Category.TOOL_CALL || c === Category.MODEL_CALL || c === Category.AGENT_ACTIVITY;
}
