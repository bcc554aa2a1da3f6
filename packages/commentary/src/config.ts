import { DEFAULT_STALL_MS, DebbieError } from '@debbie/model';

/** How much each insight says: `brief` is one line; `detailed` adds the reasoning and the recommendations. */
export type InsightLevel = 'brief' | 'detailed';

/**
 * Detector thresholds. Defaults start from what AIWhisperer's own Debbie used (see
 * shared/AIWHISPERER.md) and were tuned on the tuning half of the labelled corpus.
 */
export interface CommentaryThresholds {
  /** Silence after a finished tool (or a declined continuation) that counts as a stall. Default 30 s. */
  stall_seconds: number;
  /** Longest user message that counts as a nudge ("ok", "continue", "go on"). Default 24 characters. */
  nudge_max_chars: number;
  /** Nudges in a row, each answered by a tool call and silence, that make a pattern. Default 2. */
  nudge_min_count: number;
  /** Same tool with the same normalized arguments this many times within the window is a loop. Default 4. */
  tool_loop_repeats: number;
  /** The window of recent tool calls (per session) the loop count looks at. Default 20. */
  tool_loop_window: number;
  /** Errors with the same message template that make a burst. Default 3 ("more than 2"). */
  error_burst_count: number;
  /** …within this many seconds. Default 60 s. */
  error_burst_window_seconds: number;
  /** A call is slow above this multiple of its tool's/model's running mean. Default 8 (AIWhisperer used 1.5; a full test suite at 6× a usual run is normal). */
  slow_factor: number;
  /** …and exceeds the mean by at least this much (absolute floor against jitter). Default 500 ms. */
  slow_min_excess_ms: number;
  /** Samples of a tool/model needed before its baseline is trusted. Default 3. */
  slow_min_samples: number;
  /** Retries of one operation that make a storm. Default 4. */
  retry_storm_count: number;
  /** …within this many seconds. Default 30 s. */
  retry_storm_window_seconds: number;
  /** A JSON-RPC / WebSocket response slower than this is reported. Default 1000 ms. */
  websocket_slow_ms: number;
  /**
   * Methods whose reply legitimately covers a whole agent turn (AIWhisperer's sendUserMessage
   * answers only after the turn); their latency is not judged, only their timeouts. Default ['sendUserMessage'].
   */
  websocket_turn_methods: string[];
  /** Resident memory above this is a spike. Default 400 MB. */
  memory_spike_mb: number;
  /** …or a jump of this many MB over the session's previous reading. Default 200 MB. */
  memory_jump_mb: number;
  /** Tokens of one model call above this multiple of the model's running mean is a spike. Default 4. */
  token_spike_factor: number;
  /** …and at least this many tokens (small calls never spike). Default 4000. */
  token_spike_min_tokens: number;
  /** Attempts of one step (near-duplicates of each other, nothing new in the results) that make a repetition. Default 3. */
  repetition_min_attempts: number;
  /** MinHash similarity of two steps' arguments (or code) to count as the same step. Default 0.5 (drifting arguments still count). */
  repetition_input_similarity: number;
  /** …and of their results or errors to count as "nothing new". Default 0.8. */
  repetition_output_similarity: number;
  /** Failures of one tool among its last 8 calls, with varied arguments, that make a failing tool. Default 4. */
  failing_tool_count: number;
  /** Model calls in a row with no tool call, user message or answer that make a monologue. Default 5. */
  monologue_steps: number;
  /** Model calls in a row with growing input tokens… Default 5. */
  context_growth_steps: number;
  /** …reaching this share of the model's context window. Default 0.8. */
  context_growth_share: number;
  /** Comments per session at most (opening, updates, resolutions); more are dropped and counted. Default 30. */
  max_comments_per_session: number;
}

/** How interventions behave. Off unless `enabled`. */
export interface InterventionConfig {
  /** Default false: Debbie only comments. */
  enabled: boolean;
  /** Only recommend what would be done; send nothing. Default false. */
  dry_run: boolean;
  /** At most this many interventions per session. Default 10. */
  max_per_session: number;
  /** A strategy is skipped after this many failures… Default 2. */
  failure_limit: number;
  /** …among its last this many tries. Default 5. */
  failure_window: number;
  /** How long to wait for the agent to resume before calling an intervention failed. Default 10 s. */
  verify_seconds: number;
  /** The AIWhisperer JSON-RPC WebSocket. Default ws://localhost:8000/ws. */
  url: string;
  /** The continuation prompt injected into a stalled session. */
  continuation_prompt: string;
}

/** The `debbie_config.commentary` section. */
export interface CommentaryConfig {
  /** Default true. */
  enabled: boolean;
  /** Default 'detailed' (the seed's config). */
  insight_level: InsightLevel;
  /** Default true; false keeps only the processor's bookkeeping (nothing is detected). */
  pattern_detection: boolean;
  thresholds: CommentaryThresholds;
  interventions: InterventionConfig;
}

/** A partial config as a user writes it: every field optional, nested sections too. */
export interface CommentaryConfigInput {
  enabled?: boolean;
  insight_level?: InsightLevel;
  pattern_detection?: boolean;
  thresholds?: Partial<CommentaryThresholds>;
  interventions?: Partial<InterventionConfig>;
}

export const DEFAULT_THRESHOLDS: Readonly<CommentaryThresholds> = Object.freeze({
  stall_seconds: DEFAULT_STALL_MS / 1000,
  nudge_max_chars: 24,
  nudge_min_count: 2,
  tool_loop_repeats: 4,
  tool_loop_window: 20,
  error_burst_count: 3,
  error_burst_window_seconds: 60,
  slow_factor: 8,
  slow_min_excess_ms: 500,
  slow_min_samples: 3,
  retry_storm_count: 4,
  retry_storm_window_seconds: 30,
  websocket_slow_ms: 1000,
  websocket_turn_methods: ['sendUserMessage'],
  memory_spike_mb: 400,
  memory_jump_mb: 200,
  token_spike_factor: 4,
  token_spike_min_tokens: 4000,
  repetition_min_attempts: 3,
  repetition_input_similarity: 0.5,
  repetition_output_similarity: 0.8,
  failing_tool_count: 4,
  monologue_steps: 5,
  context_growth_steps: 5,
  context_growth_share: 0.8,
  max_comments_per_session: 30,
});

export const DEFAULT_INTERVENTIONS: Readonly<InterventionConfig> = Object.freeze({
  enabled: false,
  dry_run: false,
  max_per_session: 10,
  failure_limit: 2,
  failure_window: 5,
  verify_seconds: 10,
  url: 'ws://localhost:8000/ws',
  continuation_prompt: 'Please continue with the next step.',
});

const WHERE = 'debbie_config.commentary';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeSection<T extends object>(defaults: Readonly<T>, input: unknown, where: string): T {
  const out = { ...defaults } as Record<string, unknown>;
  if (input === undefined || input === null) return out as T;
  if (!isPlainObject(input)) throw new DebbieError('invalid_config', `expected a mapping, got ${JSON.stringify(input)}`, where);
  for (const [key, value] of Object.entries(input)) {
    if (!(key in defaults)) {
      throw new DebbieError('invalid_config', `unknown setting '${key}' (known: ${Object.keys(defaults).join(', ')})`, where);
    }
    const expected = (defaults as Record<string, unknown>)[key];
    const at = `${where}.${key}`;
    if (typeof expected === 'number') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new DebbieError('invalid_config', `expected a non-negative number, got ${JSON.stringify(value)}`, at);
      }
    } else if (typeof expected === 'boolean') {
      if (typeof value !== 'boolean') throw new DebbieError('invalid_config', `expected true or false, got ${JSON.stringify(value)}`, at);
    } else if (typeof expected === 'string') {
      if (typeof value !== 'string' || value === '') throw new DebbieError('invalid_config', `expected a non-empty string, got ${JSON.stringify(value)}`, at);
    } else if (Array.isArray(expected)) {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw new DebbieError('invalid_config', `expected a list of strings, got ${JSON.stringify(value)}`, at);
      }
    }
    out[key] = value;
  }
  return out as T;
}

/**
 * Validates a `debbie_config.commentary` section (as parsed from YAML or given in code) and fills
 * defaults. Throws DebbieError('invalid_config') naming the offending setting.
 */
export function resolveCommentaryConfig(input: CommentaryConfigInput | unknown = {}): CommentaryConfig {
  const src = input ?? {};
  if (!isPlainObject(src)) throw new DebbieError('invalid_config', `expected a mapping, got ${JSON.stringify(input)}`, WHERE);
  const top = mergeSection(
    { enabled: true, insight_level: 'detailed', pattern_detection: true, thresholds: null, interventions: null },
    { ...src, thresholds: null, interventions: null },
    WHERE,
  );
  if (top.insight_level !== 'brief' && top.insight_level !== 'detailed') {
    throw new DebbieError('invalid_config', `expected 'brief' or 'detailed', got ${JSON.stringify(top.insight_level)}`, `${WHERE}.insight_level`);
  }
  const thresholds = mergeSection(DEFAULT_THRESHOLDS, src.thresholds, `${WHERE}.thresholds`);
  const interventions = mergeSection(DEFAULT_INTERVENTIONS, src.interventions, `${WHERE}.interventions`);
  if (!/^wss?:\/\//.test(interventions.url)) {
    throw new DebbieError('invalid_config', `expected a ws:// or wss:// URL, got ${JSON.stringify(interventions.url)}`, `${WHERE}.interventions.url`);
  }
  for (const key of ['nudge_min_count', 'tool_loop_repeats', 'tool_loop_window', 'error_burst_count', 'retry_storm_count'] as const) {
    if (thresholds[key] < 1) throw new DebbieError('invalid_config', `must be at least 1, got ${thresholds[key]}`, `${WHERE}.thresholds.${key}`);
  }
  return {
    enabled: top.enabled as boolean,
    insight_level: top.insight_level as InsightLevel,
    pattern_detection: top.pattern_detection as boolean,
    thresholds,
    interventions,
  };
}
