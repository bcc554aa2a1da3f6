/**
 * What a scenario scripts: the model's replies (server side) and the user's actions (client side).
 * Faults are marked on the steps that cause them, so the ground truth records when they really
 * happened in simulated time rather than when the script hoped they would.
 */

/** Failure modes a scenario injects; the commentary's detectors are scored against these. */
export type FaultPattern =
  | 'continuation_stall'
  | 'nudge_pattern'
  | 'tool_loop'
  | 'error_burst'
  | 'slow_tool'
  | 'slow_model'
  | 'websocket_slow'
  | 'request_timeout'
  | 'memory_spike'
  | 'empty_reply'
  | 'ignored_request'
  | 'repetition'
  | 'failing_tool';

/** Look-alikes that are NOT faults: a detector that fires on them is a false positive. */
export type DecoyPattern = 'idle_user' | 'long_chain' | 'noisy_error' | 'long_paging';

export interface ScriptedToolCall {
  name: string;
  args: Record<string, unknown>;
  /** Simulated execution time (default: the tool's usual duration, jittered). */
  durationMs?: number;
  /** The tool fails with this message (an ERROR tool event). */
  error?: string;
  /** The tool returns this text instead of its usual result (an unhelpful answer, say). */
  result?: string;
  /** Resident memory the server reports after this tool (performance_metrics.memory_mb). */
  memoryMb?: number;
  fault?: FaultPattern;
  /** Groups occurrences of one fault (default: the fault name, i.e. one fault per session). */
  faultGroup?: string;
  decoy?: DecoyPattern;
}

/** One reply of the scripted model: one `chat` call. */
export interface ModelStep {
  /** Streamed content ('' for an empty reply). */
  text: string;
  toolCalls?: ScriptedToolCall[];
  /**
   * The continuation signal in the reply ({continuation:{status}}): CONTINUE, TERMINATE, or null
   * when the reply carries none — after tool calls that is the famous bug (decision False).
   * Default: CONTINUE when there are tool calls, TERMINATE otherwise.
   */
  continuation?: 'CONTINUE' | 'TERMINATE' | null;
  /** Time to first token (default ~600 ms, jittered). */
  latencyMs?: number;
  memoryMb?: number;
  fault?: FaultPattern;
  decoy?: DecoyPattern;
}

/** The model's replies for one session, consumed one per chat call. */
export interface ModelScript {
  model: string;
  steps: ModelStep[];
}

/** What the scripted user (the client, source user_script) does, in order. */
export type UserAction =
  | {
      kind: 'say';
      text: string;
      /** Wait until nothing has arrived from the server for this long, then send. */
      afterSilenceMs: number;
      /** A short nudge ("ok") typed because the agent stopped. */
      nudge?: boolean;
      /** Marks the silence before this message as an idle user (a decoy), not a stall. */
      decoy?: DecoyPattern;
    }
  | { kind: 'rpc'; method: string; params?: Record<string, unknown>; afterMs?: number }
  /** A raw frame, e.g. a request without an id (a notification the server ignores); `$SESSION` becomes the session id. */
  | { kind: 'raw'; frame: string; afterMs?: number };

/** One simulated user with one session. */
export interface SessionPlan {
  userId: string;
  language: string;
  /** Simulated delay before this user connects (concurrent variants stagger sessions). */
  startDelayMs: number;
  model: ModelScript;
  actions: UserAction[];
  /** Client request timeout (AIWhisperer's app: 30 s). */
  requestTimeoutMs?: number;
}

/** Server behaviour a scenario can slow down: method → extra response delay. */
export interface SlowMethod {
  method: string;
  delayMs: number;
  fault?: FaultPattern;
}
