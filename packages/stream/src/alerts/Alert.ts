import type { DebbieEvent, EventFilter } from '@debbie/model';

/** What an action learns about the firing besides the event. */
export interface AlertContext {
  /** The alert's name. */
  name: string;
  /** Matching events swallowed by the cooldown since the previous firing. */
  suppressed: number;
}

/**
 * Runs when an alert fires. It runs after `write` has returned (never on the producer's stack);
 * a throw or a rejected promise is counted as a failure of the alert, never propagated.
 */
export type AlertAction = (event: DebbieEvent, context: AlertContext) => void | Promise<void>;

/** A rule: when `condition` holds for an event, run `action` (rate-limited). */
export interface AlertRule {
  /** Unique among the streamer's alerts. */
  name: string;
  /** A filter spec, or a predicate (keep it cheap: it runs on the producer's thread for every event). */
  condition: EventFilter | ((event: DebbieEvent) => boolean);
  action: AlertAction;
  /** Minimum time between two firings (default 1000 ms). Matches inside it are counted as suppressed. */
  cooldownMs?: number;
  /** Actions of this alert allowed to run at once (default 4). A match beyond it is counted as suppressed. */
  maxInFlight?: number;
}

/** Counters of one alert. */
export interface AlertStats {
  name: string;
  /** Events that met the condition. */
  matched: number;
  /** Actions started. */
  fired: number;
  /** Matches that did not fire (cooldown or too many actions in flight). */
  suppressed: number;
  /** Actions that threw or rejected (webhook error, command exit code, timeout). */
  failed: number;
  /** Conditions that threw. */
  conditionErrors: number;
  inFlight: number;
  lastError: string | null;
}

/** The tag carried by events an alert emits; the streamer never evaluates alerts on them (no loops). */
export const ALERT_TAG = 'debbie.alert';
