import type { DebbieEvent } from './DebbieEvent.js';

export const REDACTED = '[REDACTED]';

// Keys that name a secret. "token" alone or as a suffix is a secret; "tokens",
// "input_tokens" and "token_count" are usage numbers and are not.
const SECRET_KEY = /^(?:.*_)?(?:api_?key|apikey|secret|client_secret|secret_key|password|passwd|pwd|passphrase|authorization|proxy_authorization|auth|token|bearer|cookie|set_cookie|private_key|credentials?|signature)$/;

// Values that look like secrets wherever they appear.
const SECRET_VALUE_PATTERNS: readonly RegExp[] = [
  /\b(Bearer|Basic|Splunk|ApiKey)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\bsk-(?:or-|ant-|proj-)?[A-Za-z0-9_-]{16,}/g, // OpenAI / OpenRouter / Anthropic keys
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g, // GitHub tokens
  /\b((?:api[_-]?key|apikey|access_token|token|password|passwd|secret)=)[^\s&"']+/gi,
];

// Keys repeat endlessly (tool_name, input_tokens…): remember the verdict, up to a bound.
const keyVerdicts = new Map<string, boolean>();
const MAX_CACHED_KEYS = 10_000;

export function isSecretKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = SECRET_KEY.test(key.toLowerCase().replace(/[-\s.]/g, '_'));
    if (keyVerdicts.size < MAX_CACHED_KEYS) keyVerdicts.set(key, verdict);
  }
  return verdict;
}

// One cheap test that every secret-looking value passes, so clean strings skip the full patterns.
const SECRET_HINT = /bearer|basic|splunk|apikey|sk-|akia|gh[pousr]_|=/i;

/** Masks secret-looking substrings inside a string. */
export function redactString(value: string): string {
  if (value.length < 8 || !SECRET_HINT.test(value)) return value;
  let out = value;
  for (const pattern of SECRET_VALUE_PATTERNS) {
    pattern.lastIndex = 0;
    if (!pattern.test(out)) continue;
    pattern.lastIndex = 0;
    // For a pattern without a capture group, the second argument is the match offset (a number).
    out = out.replace(pattern, (_match: string, group1: unknown) => {
      if (typeof group1 !== 'string') return REDACTED;
      if (group1.endsWith('=')) return `${group1}${REDACTED}`;
      return /^(Bearer|Basic|Splunk|ApiKey)$/.test(group1) ? `${group1} ${REDACTED}` : REDACTED;
    });
  }
  return out;
}

/**
 * Returns a copy of a JSON-like value with secret keys and secret-looking strings masked.
 * Unchanged sub-trees are returned as they are (no copy), so clean events cost little.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = redactValue(v, depth + 1);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  let out: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const k in record) {
    if (!Object.prototype.hasOwnProperty.call(record, k)) continue;
    const v = record[k];
    const r = isSecretKey(k) && v !== null && v !== undefined && v !== '' ? REDACTED : redactValue(v, depth + 1);
    if (r !== v) {
      out ??= { ...(value as Record<string, unknown>) };
      out[k] = r;
    }
  }
  return out ?? value;
}

/**
 * Masks secrets in the free-form parts of an event (details, context, states, message, stack).
 * Returns the same object when nothing was secret.
 */
export function redactEvent(event: DebbieEvent): DebbieEvent {
  const details = redactValue(event.details) as Record<string, unknown>;
  const context = event.context_snapshot && (redactValue(event.context_snapshot) as Record<string, unknown>);
  const before = redactValue(event.state_before);
  const after = redactValue(event.state_after);
  const summary = redactString(event.event_summary);
  const stack = event.stack_trace && redactString(event.stack_trace);
  if (details === event.details && context === event.context_snapshot && before === event.state_before &&
      after === event.state_after && summary === event.event_summary && stack === event.stack_trace) {
    return event;
  }
  return { ...event, details, context_snapshot: context, state_before: before, state_after: after, event_summary: summary, stack_trace: stack };
}
