import { createDebbie, type CreateDebbieOptions, type DebbieLogger } from '@debbie/sdk';
import { DebbieError, type DebbieEvent, type EventSink } from '@debbie/model';
import { SimClock } from './clock/SimClock.js';
import { UserScript } from './client/UserScript.js';
import { findScenario } from './scenarios/index.js';
import { VARIANTS, type ScenarioParams, type Variant } from './scenarios/Scenario.js';
import { applyVariant } from './scenarios/variants.js';
import type { SessionPlan } from './script.js';
import { DEFAULT_MODEL } from './server/SessionManager.js';
import { SimServer } from './server/SimServer.js';
import { TruthRecorder, type GroundTruth } from './truth/TruthRecorder.js';
import { Random } from './util/Random.js';

/** What an intervention (or any live observer) gets once the server listens. */
export interface ServerReady {
  /** ws://127.0.0.1:<port>/ws — connect and send `sendUserMessage {sessionId, message}`. */
  url: string;
  /** The simulated clock: register timers on it; wrap your own socket I/O in `clock.hold()`. */
  clock: SimClock;
  server: SimServer;
  logger: DebbieLogger;
}

export interface RunScenarioOptions {
  /** Seed for ids, jitter and script choices (default 1). */
  seed?: number;
  /** Timing variation as a fraction, e.g. 0.1 = ±10 % (default 0.1). */
  jitter?: number;
  /** Corpus variant (default 'default'); see VARIANTS. */
  variant?: Variant;
  /** Concurrent sessions (default 1; 3 for the 'concurrent' variant). */
  sessions?: number;
  /** slow-tool's slowness factor (default 25). */
  slowFactor?: number;
  /** Extra sinks (store, stream, commentary…): flushed at the end, never shut down. */
  sinks?: EventSink[];
  /** The clock to run on (default: a new SimClock). Pass one to share it with the commentary. */
  clock?: SimClock;
  /** Passed through to createDebbie (serviceName, commentary, exporters…). */
  debbie?: Omit<CreateDebbieOptions, 'sinks' | 'clock'>;
  /** Called once the server listens, before any user connects (the intervention hook). */
  onServerReady?: (ready: ServerReady) => void | Promise<void>;
  /** Events kept in `events` (default 500,000; further ones are counted in droppedEvents). */
  maxEvents?: number;
}

export interface ScenarioRun {
  scenario: string;
  sessionIds: string[];
  /** Every event emitted, in emission order (spans when they end). */
  events: DebbieEvent[];
  truth: GroundTruth;
  droppedEvents: number;
  /** Simulated ms from start to end of the run. */
  simulatedMs: number;
  /** Clock health: timers fired, and advances forced because a message stayed in flight (should be 0). */
  clockStats: { firedTimers: number; forcedAdvances: number };
}

/** A sink that records events in order, bounded. */
class CollectingSink implements EventSink {
  readonly events: DebbieEvent[] = [];
  dropped = 0;
  constructor(private readonly limit: number) {}
  write(event: DebbieEvent): void {
    if (this.events.length >= this.limit) this.dropped += 1;
    else this.events.push(event);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** Lends a caller's sink: shutdown only flushes it (the caller owns its lifetime). */
function borrowed(sink: EventSink): EventSink {
  return {
    write: (e) => sink.write(e),
    forceFlush: () => sink.forceFlush(),
    shutdown: () => sink.forceFlush(),
    // a live sink (the collector's) also takes span starts: spans in progress show as such
    ...(sink.acceptsSpanStarts ? { acceptsSpanStarts: true } : {}),
  };
}

/** A server seed from the scenario name and the run seed (FNV-1a). */
function seedFor(name: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** Builds the per-session plans of a scenario run. */
export function planScenario(name: string, options: Pick<RunScenarioOptions, 'seed' | 'jitter' | 'variant' | 'sessions' | 'slowFactor'> = {}): SessionPlan[] {
  const def = findScenario(name);
  const variant = options.variant ?? 'default';
  if (!VARIANTS.includes(variant)) throw new DebbieError('unknown_variant', `Unknown variant "${String(variant)}". Known: ${VARIANTS.join(', ')}`);
  const count = options.sessions ?? (variant === 'concurrent' ? 3 : 1);
  if (!Number.isInteger(count) || count < 1 || count > 100)
    throw new DebbieError('invalid_option', `sessions must be an integer from 1 to 100, got ${String(count)}`);
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new DebbieError('invalid_option', `seed must be an integer, got ${String(options.seed)}`);
  const jitter = options.jitter ?? 0.1;
  if (!Number.isFinite(jitter) || jitter < 0 || jitter > 1)
    throw new DebbieError('invalid_option', `jitter must be a fraction from 0 to 1, got ${String(options.jitter)}`);
  const slowFactor = options.slowFactor ?? 25;
  if (!Number.isFinite(slowFactor) || slowFactor <= 1)
    throw new DebbieError('invalid_option', `slowFactor must be a number above 1, got ${String(options.slowFactor)}`);
  const rng = new Random(seed * 7919 + 17);
  const plans: SessionPlan[] = [];
  for (let index = 0; index < count; index++) {
    const params: ScenarioParams = { rng: rng.fork(), jitter, index, slowFactor };
    const script = applyVariant(variant, def.script(params), params);
    plans.push({
      userId: count === 1 ? `${name}-user` : `${name}-user-${index + 1}`,
      language: 'en',
      startDelayMs: index === 0 ? 0 : index * 1_500 + params.rng.int(0, 1_500),
      model: { model: DEFAULT_MODEL, steps: script.steps },
      actions: script.actions,
    });
  }
  return plans;
}

/**
 * Runs one scenario end to end on a simulated clock: a real WebSocket server on 127.0.0.1, one
 * scripted client per session, everything instrumented with @debbie/sdk.
 * @example
 * const run = await runScenario('continuation-stall', { seed: 3 });
 * run.truth.faults; // [{ pattern: 'continuation_stall', … }, { pattern: 'nudge_pattern', count: 6, … }]
 */
export async function runScenario(name: string, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const def = findScenario(name);
  const plans = planScenario(name, options);
  const seed = options.seed ?? 1;
  const jitter = options.jitter ?? 0.1;
  const clock = options.clock ?? new SimClock();
  const ownsClock = options.clock === undefined;
  const collector = new CollectingSink(options.maxEvents ?? 500_000);
  const debbie = createDebbie({
    serviceName: 'aiwhisperer-sim',
    ...options.debbie,
    clock,
    sinks: [collector, ...(options.sinks ?? []).map(borrowed)],
  });
  const truth = new TruthRecorder();
  const byUser = new Map(plans.map((p) => [p.userId, p.model]));
  const server = await SimServer.start({
    logger: debbie.logger,
    clock,
    // Different scenarios get different session ids even with one seed (they share stores).
    seed: seedFor(name, seed),
    jitter,
    truth,
    scriptFor: (userId) => byUser.get(userId),
    ...(def.slowMethods ? { slowMethods: def.slowMethods } : {}),
    maxDepth: 10,
  });
  const startUs = clock.now();
  clock.start();
  let sessionIds: string[];
  try {
    await options.onServerReady?.({ url: server.url, clock, server, logger: debbie.logger });
    sessionIds = await Promise.all(plans.map((plan) => new UserScript({ url: server.url, clock, logger: debbie.logger, truth, plan }).run()));
  } finally {
    await server.close();
    if (ownsClock) clock.stop();
    await debbie.shutdown();
  }
  return {
    scenario: name,
    sessionIds,
    events: collector.events,
    truth: truth.build({ scenario: name, seed, jitter, variant: options.variant ?? 'default' }),
    droppedEvents: collector.dropped,
    simulatedMs: (clock.now() - startUs) / 1000,
    clockStats: { firedTimers: clock.firedTimers, forcedAdvances: clock.forcedAdvances },
  };
}
