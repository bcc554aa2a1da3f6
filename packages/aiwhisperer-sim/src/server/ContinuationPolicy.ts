/** The session manager's continuation decision, as AIWhisperer logs it (`🔄 CONTINUATION DECISION: False`). */
export interface ContinuationDecision {
  decision: boolean;
  reason: 'model_continue' | 'model_terminated' | 'final_response' | 'max_depth' | 'no_continuation_signal';
  depth: number;
  max_depth: number;
}

/**
 * Decides whether the agent continues on its own after a reply.
 * The reply's continuation signal rules; a reply that ran tools but carries NO signal is declined —
 * the real "continuation issue": the agent stops after a tool and waits for the user.
 */
export function decideContinuation(input: {
  toolsRan: number;
  signal: 'CONTINUE' | 'TERMINATE' | null;
  depth: number;
  maxDepth: number;
}): ContinuationDecision {
  const base = { depth: input.depth, max_depth: input.maxDepth };
  if (input.depth >= input.maxDepth) return { ...base, decision: false, reason: 'max_depth' };
  if (input.signal === 'CONTINUE') return { ...base, decision: true, reason: 'model_continue' };
  if (input.signal === 'TERMINATE') return { ...base, decision: false, reason: input.toolsRan > 0 ? 'model_terminated' : 'final_response' };
  return { ...base, decision: false, reason: input.toolsRan > 0 ? 'no_continuation_signal' : 'final_response' };
}
