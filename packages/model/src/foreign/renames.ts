/**
 * Attributes of other instrumentations (kept in `details` under their own names by the generic
 * decoder) → Debbie's detail names and metrics. Each row names the library that sends it; the
 * table in docs/conventions.md lists the versions each was checked against.
 */

/** foreign key → details key. The first present source key wins; the foreign key is removed. */
export const DETAIL_RENAMES: readonly (readonly [from: string, to: string])[] = [
  // GenAI semantic conventions (current and pre-1.27), any-agent
  ['gen_ai.tool.call.result', 'tool_result'],
  ['gen_ai.tool.args', 'tool_arguments'],
  ['gen_ai.tool.description', 'tool_description'],
  ['gen_ai.response.model', 'response_model'],
  ['gen_ai.provider.name', 'provider'],
  ['gen_ai.system', 'provider'],
  ['gen_ai.response.finish_reasons', 'finish_reasons'],
  ['gen_ai.agent.description', 'agent_description'],
  // OpenInference (Phoenix)
  ['tool.name', 'tool_name'],
  ['tool_call.id', 'tool_call_id'],
  ['tool_call.function.name', 'tool_name'],
  ['tool_call.function.arguments', 'tool_arguments'],
  ['llm.model_name', 'model'],
  ['embedding.model_name', 'model'],
  ['agent.name', 'agent_name'],
  ['llm.provider', 'provider'],
  ['llm.system', 'provider'],
  ['input.value', 'input'],
  ['output.value', 'output'],
  // Vercel AI SDK (ai v5, v6, v7)
  ['ai.toolCall.name', 'tool_name'],
  ['ai.toolCall.id', 'tool_call_id'],
  ['ai.toolCall.args', 'tool_arguments'],
  ['ai.toolCall.input', 'tool_arguments'],
  ['ai.toolCall.result', 'tool_result'],
  ['ai.toolCall.output', 'tool_result'],
  ['ai.model.provider', 'provider'],
  ['ai.response.model', 'response_model'],
  ['ai.response.finishReason', 'finish_reasons'],
  // OpenLLMetry (Traceloop)
  ['traceloop.entity.input', 'input'],
  ['traceloop.entity.output', 'output'],
  ['llm.request.type', 'operation_type'],
];

/** foreign key → performance_metrics key (numbers, or numeric strings as some SDKs send them). */
export const METRIC_RENAMES: readonly (readonly [from: string, to: string])[] = [
  ['gen_ai.usage.input_tokens', 'input_tokens'],
  ['gen_ai.usage.output_tokens', 'output_tokens'],
  ['gen_ai.usage.prompt_tokens', 'input_tokens'],
  ['gen_ai.usage.completion_tokens', 'output_tokens'],
  ['llm.usage.total_tokens', 'total_tokens'],
  ['llm.token_count.prompt', 'input_tokens'],
  ['llm.token_count.completion', 'output_tokens'],
  ['llm.token_count.total', 'total_tokens'],
  ['ai.usage.promptTokens', 'input_tokens'],
  ['ai.usage.inputTokens', 'input_tokens'],
  ['ai.usage.completionTokens', 'output_tokens'],
  ['ai.usage.outputTokens', 'output_tokens'],
  ['ai.usage.totalTokens', 'total_tokens'],
  ['ai.usage.tokens', 'input_tokens'],
];

export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** Each foreign key → its row: detail renames first, then metric renames, in table order. */
const RENAME_ROWS = new Map<string, { order: number; to: string; metric: boolean }>();
DETAIL_RENAMES.forEach(([from, to], i) => RENAME_ROWS.set(from, { order: i, to, metric: false }));
METRIC_RENAMES.forEach(([from, to], i) => RENAME_ROWS.set(from, { order: DETAIL_RENAMES.length + i, to, metric: true }));

/**
 * Moves foreign keys of `details` to Debbie's names. Returns whether anything moved. Walks the
 * event's own keys (a handful) rather than the tables (forty-odd look-ups per span), then applies
 * the rows found in table order, so the first present source key of a target still wins.
 */
export function applyRenames(details: Record<string, unknown>, metrics: () => Record<string, number>): boolean {
  let found: { order: number; to: string; metric: boolean; from: string }[] | undefined;
  for (const key in details) {
    const row = RENAME_ROWS.get(key);
    if (row && details[key] !== undefined) (found ??= []).push({ ...row, from: key });
  }
  if (!found) return false;
  if (found.length > 1) found.sort((a, b) => a.order - b.order);
  for (const { from, to, metric } of found) {
    const v = details[from];
    if (!metric) {
      if (details[to] === undefined) details[to] = v;
    } else {
      const n = toNumber(v);
      if (n !== undefined) {
        const m = metrics();
        if (m[to] === undefined) m[to] = n;
      }
    }
    delete details[from];
  }
  return true;
}
