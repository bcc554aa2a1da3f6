import type { Clock, DebbieEvent } from '@debbie/model';
import type { InterventionConfig } from '../config.js';
import type { Resolution } from '../Finding.js';
import type { OpenInsight } from '../InsightBook.js';
import { interventionEvent } from '../comments.js';
import type { EventRef } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import type { InterventionStrategy, InterventionTarget } from './InterventionStrategy.js';

/** What the manager needs from the processor. */
export interface InterventionHost {
  emit(event: DebbieEvent): void;
  /** Closes the insight with the given resolution (bypassing the hold the pending intervention puts on it). */
  resolveInsight(session: SessionState, insightKey: string, resolution: Resolution, level?: 'INFO' | 'WARNING'): void;
  /** Delivers queued comments (used from async callbacks, outside a write). */
  flush(): void;
}

export interface InterventionStats {
  attempted: number;
  succeeded: number;
  failed: number;
  recommended: number;
  skippedLimit: number;
  skippedFailing: number;
}

/**
 * Runs interventions for new insights: picks a strategy, enforces the limits (at most
 * `max_per_session` per session; a strategy with `failure_limit` failures in its last
 * `failure_window` tries is skipped), honours dry-run, and judges the outcome: the agent resumed
 * (new agent/tool/model activity in the session within `verify_seconds`) or it did not.
 */
export class InterventionManager {
  readonly stats: InterventionStats = { attempted: 0, succeeded: 0, failed: 0, recommended: 0, skippedLimit: 0, skippedFailing: 0 };
  /** Last outcomes per strategy (true = success), newest last, at most failure_window long. */
  private readonly history = new Map<string, boolean[]>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly config: InterventionConfig,
    private readonly strategies: readonly InterventionStrategy[],
    private readonly clock: Clock,
    private readonly host: InterventionHost,
  ) {}

  /** Called when an insight opens. */
  consider(session: SessionState, insight: OpenInsight, insightKey: string): void {
    if (!this.config.enabled || session.id === '') return;
    const strategy = this.strategies.find((s) => s.handles(insight.pattern));
    if (!strategy || session.pending) return;
    const target: InterventionTarget = { sessionId: session.id, agentId: session.agentId, pattern: insight.pattern, insightId: insight.insight_id };
    const now = this.clock.now();
    const base = { injection_type: strategy.kind, strategy: strategy.name, insight_id: insight.insight_id, pattern: insight.pattern };
    if (session.interventions >= this.config.max_per_session) {
      this.stats.skippedLimit += 1;
      if (session.interventions === this.config.max_per_session) {
        session.interventions += 1; // say it once
        this.host.emit(
          interventionEvent(
            `Not intervening: ${this.config.max_per_session} interventions already made in this session`,
            'WARNING',
            'intervention_skipped',
            { ...base, reason: 'max_per_session' },
            session.id,
            insight.trigger,
            session.agentId,
            now,
          ),
        );
      }
      return;
    }
    if (this.isFailing(strategy.name)) {
      this.stats.skippedFailing += 1;
      this.host.emit(
        interventionEvent(
          `Not intervening: ${strategy.name} failed ${this.config.failure_limit} of its last ${this.config.failure_window} tries`,
          'WARNING',
          'intervention_skipped',
          { ...base, reason: 'strategy_failing' },
          session.id,
          insight.trigger,
          session.agentId,
          now,
        ),
      );
      return;
    }
    if (this.config.dry_run) {
      this.stats.recommended += 1;
      this.host.emit(
        interventionEvent(
          `Dry run: would ${strategy
            .describe(target)
            .replace(/^Injecting/, 'inject')
            .toLowerCase()} (${strategy.name})`,
          'INFO',
          'intervention_recommended',
          { ...base, dry_run: true },
          session.id,
          insight.trigger,
          session.agentId,
          now,
        ),
      );
      return;
    }
    session.interventions += 1;
    this.stats.attempted += 1;
    this.host.emit(interventionEvent(strategy.describe(target), 'INFO', 'intervention', base, session.id, insight.trigger, session.agentId, now));
    const started = now;
    const cancelTimer = this.clock.setTimer(this.config.verify_seconds * 1000, () =>
      this.fail(session, insight, insightKey, strategy.name, `agent still silent ${this.config.verify_seconds}s after the intervention`),
    );
    session.pending = { strategy: strategy.name, startedClockUs: started, insightKey, cancelTimer };
    const task = strategy.apply(target).catch((error: unknown) => {
      cancelTimer();
      this.fail(session, insight, insightKey, strategy.name, error instanceof Error ? error.message : String(error));
    });
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  /** Agent activity arrived in a session with an intervention pending: it worked. */
  onActivity(session: SessionState, activityClockUs: number, trigger: EventRef): void {
    const p = session.pending;
    if (!p || activityClockUs < p.startedClockUs) return;
    p.cancelTimer();
    session.pending = null;
    this.record(p.strategy, true);
    this.stats.succeeded += 1;
    const seconds = Math.max(0, (activityClockUs - p.startedClockUs) / 1e6);
    this.host.resolveInsight(session, p.insightKey, {
      message: `Intervention successful! Agent resumed processing. Response time: ${seconds.toFixed(1)}s`,
      resolution: 'automatic',
      facts: { time_to_resolve: Math.round(seconds * 1000) / 1000, intervention: p.strategy },
      trigger,
    });
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    await this.flush();
    await Promise.allSettled(this.strategies.map((s) => s.close?.()));
  }

  private fail(session: SessionState, insight: OpenInsight, insightKey: string, strategy: string, reason: string): void {
    if (!session.pending || session.pending.insightKey !== insightKey) return;
    session.pending = null;
    this.record(strategy, false);
    this.stats.failed += 1;
    this.host.emit(
      interventionEvent(
        `Intervention failed: ${reason}`,
        'WARNING',
        'intervention_failed',
        { strategy, insight_id: insight.insight_id, pattern: insight.pattern, reason },
        session.id,
        insight.trigger,
        session.agentId,
        this.clock.now(),
      ),
    );
    this.host.flush();
  }

  private record(strategy: string, ok: boolean): void {
    let h = this.history.get(strategy);
    if (!h) {
      h = [];
      this.history.set(strategy, h);
    }
    h.push(ok);
    if (h.length > this.config.failure_window) h.shift();
  }

  private isFailing(strategy: string): boolean {
    const h = this.history.get(strategy);
    return h !== undefined && h.filter((ok) => !ok).length >= this.config.failure_limit;
  }
}
