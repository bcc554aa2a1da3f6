import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { ATTR, MAX_JSON_ATTRIBUTE_CHARS, PROMOTED_DETAILS, PROMOTED_METRICS } from './attributes.js';
import type { DebbieEvent } from './DebbieEvent.js';

const PROMOTED_METRIC_ATTR = new Map(PROMOTED_METRICS);

/** JSON-encodes a value for an attribute, capped at MAX_JSON_ATTRIBUTE_CHARS. */
export function jsonAttribute(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, jsonReplacer) ?? 'null';
  } catch (error) {
    text = JSON.stringify({ _debbie_unserializable: String(error) });
  }
  if (text.length <= MAX_JSON_ATTRIBUTE_CHARS) return text;
  return JSON.stringify({ _debbie_truncated: true, original_chars: text.length, preview: text.slice(0, 1024) });
}

function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * The attributes that carry a DebbieEvent on a span or log record. Ids that the span or log
 * record carries natively (trace, span, timestamps, severity, duration) are not repeated.
 */
export function encodeEventAttributes(event: DebbieEvent, target: 'span' | 'log'): Attributes {
  const a: Attributes = {
    [ATTR.SOURCE]: event.source,
    [ATTR.EVENT_ID]: event.event_id,
    [ATTR.COMPONENT]: event.component,
  };
  if (event.action) a[ATTR.ACTION] = event.action;
  if (event.session_id !== null) a[ATTR.SESSION_ID] = event.session_id;
  if (event.agent_id !== null) a[ATTR.AGENT_ID] = event.agent_id;
  if (event.correlation_id !== null) a[ATTR.CORRELATION_ID] = event.correlation_id;
  if (event.parent_id !== null) a[ATTR.PARENT_ID] = event.parent_id;
  if (target === 'span') {
    a[ATTR.SUMMARY] = event.event_summary;
    a[ATTR.LEVEL] = event.level;
  } else if (event.parent_span_id !== null) {
    a[ATTR.PARENT_SPAN_ID] = event.parent_span_id;
  }
  if (event.kind === 'span' && target === 'log') a['debbie.kind'] = 'span';
  if (target === 'log' && event.duration_ms !== null) a['debbie.duration_ms'] = event.duration_ms;
  if (event.tags.length > 0) a[ATTR.TAGS] = event.tags;
  if (event.performance_metrics) {
    for (const [name, value] of Object.entries(event.performance_metrics)) {
      a[PROMOTED_METRIC_ATTR.get(name) ?? `${ATTR.METRIC_PREFIX}${name}`] = value;
    }
  }
  if (Object.keys(event.details).length > 0) {
    a[ATTR.DETAILS] = jsonAttribute(event.details);
    for (const [key, attribute] of PROMOTED_DETAILS) {
      const value = event.details[key];
      const attr = toAttributeValue(value);
      if (attr !== undefined) a[attribute] = attr;
    }
    if (a[ATTR.RPC_METHOD] !== undefined) a[ATTR.RPC_SYSTEM] = 'jsonrpc';
  }
  if (event.context_snapshot) a[ATTR.CONTEXT] = jsonAttribute(event.context_snapshot);
  if (event.state_before !== null && event.state_before !== undefined) a[ATTR.STATE_BEFORE] = jsonAttribute(event.state_before);
  if (event.state_after !== null && event.state_after !== undefined) a[ATTR.STATE_AFTER] = jsonAttribute(event.state_after);
  if (event.stack_trace !== null) {
    a[ATTR.EXCEPTION_STACKTRACE] = event.stack_trace;
    const firstLine = lastNonEmptyLine(event.stack_trace);
    const match = /^([A-Za-z_][\w.]*)(?::\s*(.*))?$/.exec(firstLine);
    if (match) {
      a[ATTR.EXCEPTION_TYPE] = match[1] as string;
      if (match[2]) a[ATTR.EXCEPTION_MESSAGE] = match[2];
    }
  }
  return a;
}

/** Python tracebacks end with "Type: message"; JS stacks start with it. */
function lastNonEmptyLine(stack: string): string {
  const lines = stack
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const js = lines[0] && /^[A-Za-z_][\w.]*(Error|Exception)\b/.test(lines[0]) ? lines[0] : undefined;
  return js ?? lines[lines.length - 1] ?? '';
}

function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value === undefined || value === null) return undefined;
  return jsonAttribute(value);
}
