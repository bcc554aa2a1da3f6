/**
 * What a foreign span is, from the first convention that says so. The order matters: an
 * OpenInference AGENT or CHAIN span that names a model (smolagents' `CodeAgent.run`) is an agent,
 * not a model call; a Vercel `ai.generateText` wraps model calls but is none itself.
 */
export type SpanType = 'tool' | 'model' | 'agent' | 'agent_step' | 'chain' | 'retriever';

/** GenAI `gen_ai.operation.name` values (semantic conventions 1.37+, Vercel v7, any-agent). */
const GENAI_OPERATIONS: Record<string, SpanType> = {
  execute_tool: 'tool',
  chat: 'model',
  text_completion: 'model',
  generate_content: 'model',
  embeddings: 'model',
  call_llm: 'model',
  invoke_agent: 'agent',
  create_agent: 'agent',
  agent_step: 'agent_step',
  invoke_workflow: 'chain',
  retrieve: 'retriever',
};

/** OpenInference `openinference.span.kind`. */
const OPENINFERENCE_KINDS: Record<string, SpanType> = {
  TOOL: 'tool',
  LLM: 'model',
  EMBEDDING: 'model',
  RERANKER: 'model',
  AGENT: 'agent',
  CHAIN: 'chain',
  GUARDRAIL: 'chain',
  EVALUATOR: 'chain',
  RETRIEVER: 'retriever',
};

/** OpenLLMetry `traceloop.span.kind`. */
const TRACELOOP_KINDS: Record<string, SpanType> = {
  tool: 'tool',
  agent: 'agent',
  workflow: 'chain',
  task: 'chain',
};

/** Vercel AI SDK `ai.operationId` (v5/v6; v7 also sends gen_ai.operation.name). */
function vercelType(operationId: string): SpanType | undefined {
  if (operationId === 'ai.toolCall' || operationId === 'ai.executeToolCall') return 'tool';
  if (/^ai\.\w+\.do(Generate|Stream|Embed)$/.test(operationId)) return 'model';
  if (/^ai\.(generateText|streamText|generateObject|streamObject|embed|embedMany)$/.test(operationId)) return 'chain';
  if (/^ai\.\w*[Aa]gent/.test(operationId)) return 'agent';
  return undefined;
}

/** Operation names Debbie uses as `action` for each type. */
export const TYPE_OPERATION: Record<SpanType, string> = {
  tool: 'execute_tool',
  model: 'chat',
  agent: 'invoke_agent',
  agent_step: 'agent_step',
  chain: 'chain',
  retriever: 'retrieve',
};

export function spanTypeOf(d: Record<string, unknown>): SpanType | undefined {
  const op = d.operation;
  if (typeof op === 'string' && GENAI_OPERATIONS[op]) return GENAI_OPERATIONS[op];
  const oi = d['openinference.span.kind'];
  if (typeof oi === 'string' && OPENINFERENCE_KINDS[oi.toUpperCase()]) return OPENINFERENCE_KINDS[oi.toUpperCase()];
  const tl = d['traceloop.span.kind'];
  if (typeof tl === 'string' && TRACELOOP_KINDS[tl]) return TRACELOOP_KINDS[tl];
  const vercel = d['ai.operationId'];
  if (typeof vercel === 'string') {
    const t = vercelType(vercel);
    if (t) return t;
  }
  if (typeof d.operation_type === 'string' || d['llm.request.type'] !== undefined) return 'model'; // OpenLLMetry LLM spans
  if (d.tool_name !== undefined) return 'tool';
  if (d.model !== undefined) return 'model';
  return undefined;
}
