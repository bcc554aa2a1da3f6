import { matchesFilter, systemClock, DebbieError, type Clock, type DebbieEvent } from '@debbie/model';
import { ALERT_TAG, type AlertRule, type AlertStats } from './Alert.js';

interface ActiveAlert {
  rule: AlertRule;
  test: (event: DebbieEvent) => boolean;
  cooldownUs: number;
  maxInFlight: number;
  lastFiredUs: number;
  suppressedSinceFire: number;
  stats: AlertStats;
}

const DEFAULT_COOLDOWN_MS = 1000;
const DEFAULT_MAX_IN_FLIGHT = 4;

/**
 * Evaluates alert rules against each event and runs their actions off the producer's stack,
 * with a cooldown and an in-flight bound per alert so a flood cannot start thousands of actions.
 */
export class AlertRunner {
  private readonly alerts = new Map<string, ActiveAlert>();
  private readonly pending = new Set<Promise<void>>();
  private readonly clock: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  /** Adds a rule; returns a function that removes it. Throws DebbieError on a bad rule. */
  add(rule: AlertRule): () => void {
    if (!rule.name) throw new DebbieError('invalid_alert', 'an alert needs a non-empty name');
    if (this.alerts.has(rule.name)) throw new DebbieError('invalid_alert', `an alert named "${rule.name}" already exists`);
    if (typeof rule.action !== 'function') throw new DebbieError('invalid_alert', `alert "${rule.name}": action must be a function`);
    const cooldownMs = rule.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    const maxInFlight = rule.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!(cooldownMs >= 0)) throw new DebbieError('invalid_alert', `alert "${rule.name}": cooldownMs must be >= 0, got ${cooldownMs}`);
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new DebbieError('invalid_alert', `alert "${rule.name}": maxInFlight must be a positive integer, got ${maxInFlight}`);
    }
    const condition = rule.condition;
    const test = typeof condition === 'function' ? condition : (event: DebbieEvent) => matchesFilter(event, condition);
    this.alerts.set(rule.name, {
      rule,
      test,
      cooldownUs: cooldownMs * 1000,
      maxInFlight,
      lastFiredUs: -Infinity,
      suppressedSinceFire: 0,
      stats: { name: rule.name, matched: 0, fired: 0, suppressed: 0, failed: 0, conditionErrors: 0, inFlight: 0, lastError: null },
    });
    return () => {
      this.remove(rule.name);
    };
  }

  remove(name: string): boolean {
    return this.alerts.delete(name);
  }

  get size(): number {
    return this.alerts.size;
  }

  /** Called for every event on the producer's thread: only conditions run here, never actions. */
  evaluate(event: DebbieEvent): void {
    if (this.alerts.size === 0 || event.tags.includes(ALERT_TAG)) return;
    for (const alert of this.alerts.values()) {
      let hit: boolean;
      try {
        hit = alert.test(event);
      } catch (error) {
        alert.stats.conditionErrors += 1;
        alert.stats.lastError = `condition threw: ${(error as Error)?.message ?? String(error)}`;
        continue;
      }
      if (!hit) continue;
      alert.stats.matched += 1;
      const now = this.clock.now();
      if (now - alert.lastFiredUs < alert.cooldownUs || alert.stats.inFlight >= alert.maxInFlight) {
        alert.stats.suppressed += 1;
        alert.suppressedSinceFire += 1;
        continue;
      }
      alert.lastFiredUs = now;
      this.fire(alert, event);
    }
  }

  stats(): AlertStats[] {
    return [...this.alerts.values()].map((a) => ({ ...a.stats }));
  }

  /** Resolves when every action started so far has finished. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private fire(alert: ActiveAlert, event: DebbieEvent): void {
    const context = { name: alert.rule.name, suppressed: alert.suppressedSinceFire };
    alert.suppressedSinceFire = 0;
    alert.stats.fired += 1;
    alert.stats.inFlight += 1;
    // Start on a later microtask so a slow or throwing action never runs on the producer's stack.
    const run = Promise.resolve()
      .then(() => alert.rule.action(event, context))
      .then(
        () => undefined,
        (error: unknown) => {
          alert.stats.failed += 1;
          alert.stats.lastError = error instanceof Error ? error.message : String(error);
        },
      )
      .finally(() => {
        alert.stats.inFlight -= 1;
        this.pending.delete(run);
      });
    this.pending.add(run);
  }
}
