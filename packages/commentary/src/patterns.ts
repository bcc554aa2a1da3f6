/**
 * The patterns Debbie comments on. Ids match the simulator's fault names where one exists, so
 * the labelled corpus scores detectors without a translation table.
 */
export const PATTERNS = [
  'continuation_stall',
  'nudge_pattern',
  'tool_loop',
  'error_burst',
  'slow_tool',
  'slow_model',
  'retry_storm',
  'websocket_slow',
  'request_timeout',
  'memory_spike',
  'token_spike',
  'empty_reply',
  'ignored_request',
  'repetition',
  'alternation',
  'failing_tool',
  'monologue',
  'step_limit',
  'no_final_answer',
  'context_growth',
  'call_error',
  'misused_level',
] as const;

export type PatternId = (typeof PATTERNS)[number];

/** Confidence of a first detection per pattern (AIWhisperer's detectors where they had one). */
export const BASE_CONFIDENCE: Readonly<Record<PatternId, number>> = {
  continuation_stall: 0.92,
  nudge_pattern: 0.9,
  tool_loop: 0.85,
  error_burst: 0.8,
  slow_tool: 0.75,
  slow_model: 0.75,
  retry_storm: 0.8,
  websocket_slow: 0.85,
  request_timeout: 0.9,
  memory_spike: 0.9,
  token_spike: 0.7,
  empty_reply: 0.85,
  ignored_request: 0.9,
  repetition: 0.8,
  alternation: 0.85,
  failing_tool: 0.75,
  monologue: 0.7,
  step_limit: 0.95,
  no_final_answer: 0.8,
  context_growth: 0.75,
  call_error: 0.9,
  misused_level: 0.7,
};
