import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { ATTR, type DebbieEvent } from '@debbie/model';

/**
 * OpenInference (Phoenix) attribute → the GenAI semantic-convention attribute the model decodes.
 * The OpenInference key is removed once its value moved, so details do not hold it twice.
 */
const OPENINFERENCE_RENAMES: readonly (readonly [from: string, to: string])[] = [
  ['tool.name', ATTR.GEN_AI_TOOL_NAME],
  ['tool_call.id', ATTR.GEN_AI_TOOL_CALL_ID],
  ['tool_call.function.name', ATTR.GEN_AI_TOOL_NAME],
  ['tool_call.function.arguments', ATTR.GEN_AI_TOOL_CALL_ARGUMENTS],
  ['llm.model_name', ATTR.GEN_AI_REQUEST_MODEL],
  ['embedding.model_name', ATTR.GEN_AI_REQUEST_MODEL],
  ['llm.token_count.prompt', ATTR.GEN_AI_USAGE_INPUT_TOKENS],
  ['llm.token_count.completion', ATTR.GEN_AI_USAGE_OUTPUT_TOKENS],
  ['agent.name', ATTR.GEN_AI_AGENT_NAME],
];

/** Older GenAI convention names (before the 1.27 renames) → current ones. */
const GENAI_LEGACY_RENAMES: readonly (readonly [from: string, to: string])[] = [
  ['gen_ai.usage.prompt_tokens', ATTR.GEN_AI_USAGE_INPUT_TOKENS],
  ['gen_ai.usage.completion_tokens', ATTR.GEN_AI_USAGE_OUTPUT_TOKENS],
];

/** OpenInference span kind → GenAI operation name (CHAIN and others have none: the model infers their source). */
const OPENINFERENCE_OPERATIONS: Record<string, string> = {
  TOOL: 'execute_tool',
  LLM: 'chat',
  EMBEDDING: 'embeddings',
  AGENT: 'invoke_agent',
  RETRIEVER: 'retrieve',
  RERANKER: 'rerank',
};

const OI_KIND = 'openinference.span.kind';
const ALL_RENAMES = [...OPENINFERENCE_RENAMES, ...GENAI_LEGACY_RENAMES];
/** Every key that can trigger a rewrite: attributes with none of them are returned untouched, fast. */
const TRIGGERS = new Set([...ALL_RENAMES.map(([from]) => from), OI_KIND, 'llm.token_count.total', 'gen_ai.conversation.id']);

function toNumber(v: AttributeValue | undefined): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/**
 * Rewrites the attributes of a span or log record from another instrumentation (OpenInference,
 * older GenAI conventions) onto the GenAI names @debbie/model decodes: tool and model names,
 * token counts, tool arguments, the operation. Debbie's own attributes are left alone.
 * Returns the same object when there was nothing to rewrite.
 */
export function normalizeGenAiAttributes(attrs: Attributes): Attributes {
  if (attrs[ATTR.SOURCE] !== undefined && attrs[ATTR.DETAILS] !== undefined) return attrs; // written by Debbie
  let relevant = false;
  for (const key in attrs) {
    if (TRIGGERS.has(key)) {
      relevant = true;
      break;
    }
  }
  if (!relevant) return attrs;
  let out: Attributes | undefined;
  const set = (key: string, value: AttributeValue) => {
    out ??= { ...attrs };
    out[key] = value;
  };
  const remove = (key: string) => {
    out ??= { ...attrs };
    delete out[key];
  };
  for (const [from, to] of ALL_RENAMES) {
    const v = attrs[from];
    if (v === undefined) continue;
    if ((out ?? attrs)[to] === undefined) {
      const isCount = to === ATTR.GEN_AI_USAGE_INPUT_TOKENS || to === ATTR.GEN_AI_USAGE_OUTPUT_TOKENS;
      const value = isCount ? toNumber(v) : v;
      if (value === undefined) continue;
      set(to, value);
    }
    remove(from);
  }
  const kind = typeof attrs[OI_KIND] === 'string' ? (attrs[OI_KIND] as string).toUpperCase() : undefined;
  if (kind) {
    const op = OPENINFERENCE_OPERATIONS[kind];
    if (op && (out ?? attrs)[ATTR.GEN_AI_OPERATION_NAME] === undefined) set(ATTR.GEN_AI_OPERATION_NAME, op);
    // A tool span's input is its arguments (OpenInference puts them in input.value).
    if (kind === 'TOOL' && attrs['input.value'] !== undefined && (out ?? attrs)[ATTR.GEN_AI_TOOL_CALL_ARGUMENTS] === undefined) {
      set(ATTR.GEN_AI_TOOL_CALL_ARGUMENTS, attrs['input.value'] as AttributeValue);
      remove('input.value');
    }
  }
  const total = toNumber(attrs['llm.token_count.total']);
  if (total !== undefined) {
    set(`${ATTR.METRIC_PREFIX}total_tokens`, total);
    remove('llm.token_count.total');
  }
  // gen_ai.conversation.id is the GenAI conventions' session.
  const conversation = attrs['gen_ai.conversation.id'];
  if (conversation !== undefined && attrs[ATTR.SESSION_ID] === undefined) set(ATTR.SESSION_ID, conversation);
  return out ?? attrs;
}

/** details keys from other instrumentations → Debbie's detail names (after decoding). */
const DETAIL_RENAMES: readonly (readonly [from: string, to: string])[] = [
  ['input.value', 'input'],
  ['output.value', 'output'],
  ['gen_ai.tool.call.result', 'tool_result'],
  ['gen_ai.response.model', 'response_model'],
  ['gen_ai.provider.name', 'provider'],
  ['gen_ai.system', 'provider'],
  ['llm.provider', 'provider'],
  ['llm.system', 'provider'],
  ['gen_ai.response.finish_reasons', 'finish_reasons'],
];

/**
 * Final touches on an event decoded from another instrumentation: readable detail names,
 * the response model when no request model was given, and exceptions on log records as errors.
 * Mutates and returns the event (it is fresh from the decoder).
 */
export function finishForeignEvent(event: DebbieEvent, hadSeverity = true): DebbieEvent {
  const d = event.details;
  for (const [from, to] of DETAIL_RENAMES) {
    if (d[from] !== undefined) {
      if (d[to] === undefined) d[to] = d[from];
      delete d[from];
    }
  }
  if (d.model === undefined && typeof d.response_model === 'string') d.model = d.response_model;
  if (event.kind === 'log' && !hadSeverity && event.stack_trace && event.level === 'INFO') event.level = 'ERROR';
  return event;
}
