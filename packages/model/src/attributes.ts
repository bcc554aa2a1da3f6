/**
 * Attribute names Debbie writes on spans and log records (the table in docs/conventions.md).
 * Where OpenTelemetry has a registered name (session.id, gen_ai.*, exception.*, rpc.*) we use it,
 * so that Jaeger, Tempo, Loki, Langfuse or Phoenix make sense of the data without Debbie.
 */
export const ATTR = {
  SOURCE: 'debbie.source',
  SESSION_ID: 'session.id',
  AGENT_ID: 'gen_ai.agent.id',
  CORRELATION_ID: 'debbie.correlation_id',
  PARENT_ID: 'debbie.parent_id',
  PARENT_SPAN_ID: 'debbie.parent_span_id',
  EVENT_ID: 'debbie.event_id',
  COMPONENT: 'debbie.component',
  ACTION: 'debbie.action',
  SUMMARY: 'debbie.summary',
  LEVEL: 'debbie.level',
  TAGS: 'debbie.tags',
  METRIC_PREFIX: 'debbie.metric.',
  DETAILS: 'debbie.details',
  CONTEXT: 'debbie.context',
  STATE_BEFORE: 'debbie.state_before',
  STATE_AFTER: 'debbie.state_after',
  EXCEPTION_TYPE: 'exception.type',
  EXCEPTION_MESSAGE: 'exception.message',
  EXCEPTION_STACKTRACE: 'exception.stacktrace',
  SERVICE_NAME: 'service.name',
  GEN_AI_OPERATION_NAME: 'gen_ai.operation.name',
  GEN_AI_TOOL_NAME: 'gen_ai.tool.name',
  GEN_AI_TOOL_CALL_ID: 'gen_ai.tool.call.id',
  GEN_AI_TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  GEN_AI_REQUEST_MODEL: 'gen_ai.request.model',
  GEN_AI_AGENT_NAME: 'gen_ai.agent.name',
  GEN_AI_USAGE_INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  GEN_AI_USAGE_OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  RPC_SYSTEM: 'rpc.system',
  RPC_METHOD: 'rpc.method',
  RPC_JSONRPC_REQUEST_ID: 'rpc.jsonrpc.request_id',
} as const;

/**
 * Well-known `details` keys that are also written as standard attributes.
 * They stay in `debbie.details` too, so decoding is lossless; foreign spans that carry only
 * the standard attribute get the detail filled in.
 */
export const PROMOTED_DETAILS: readonly (readonly [detailKey: string, attribute: string])[] = [
  ['tool_name', ATTR.GEN_AI_TOOL_NAME],
  ['tool_call_id', ATTR.GEN_AI_TOOL_CALL_ID],
  ['tool_arguments', ATTR.GEN_AI_TOOL_CALL_ARGUMENTS],
  ['model', ATTR.GEN_AI_REQUEST_MODEL],
  ['operation', ATTR.GEN_AI_OPERATION_NAME],
  ['agent_name', ATTR.GEN_AI_AGENT_NAME],
  ['rpc_method', ATTR.RPC_METHOD],
  ['rpc_request_id', ATTR.RPC_JSONRPC_REQUEST_ID],
];

/** performance_metrics keys written as GenAI usage attributes instead of debbie.metric.*. */
export const PROMOTED_METRICS: readonly (readonly [metric: string, attribute: string])[] = [
  ['input_tokens', ATTR.GEN_AI_USAGE_INPUT_TOKENS],
  ['output_tokens', ATTR.GEN_AI_USAGE_OUTPUT_TOKENS],
];

/** Cap for a JSON-encoded attribute (details, context, states). */
export const MAX_JSON_ATTRIBUTE_CHARS = 32_768;
