// The redactor as it was before issue 13 (packages/model/src/redact.ts at d7c41c1), kept verbatim
// in JavaScript as the baseline of bench/redact.bench.mjs. Not used anywhere else.
export const REDACTED = '[REDACTED]';
const SECRET_KEY =
  /^(?:.*_)?(?:api_?key|apikey|secret|client_secret|secret_key|password|passwd|pwd|passphrase|authorization|proxy_authorization|auth|token|bearer|cookie|set_cookie|private_key|credentials?|signature)$/;
const SECRET_VALUE_PATTERNS = [
  /\b(Bearer|Basic|Splunk|ApiKey)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\bsk-(?:or-|ant-|proj-)?[A-Za-z0-9_-]{16,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}\b/g,
  /\b((?:api[_-]?key|apikey|access_token|token|password|passwd|secret)=)[^\s&"']+/gi,
];
const keyVerdicts = new Map();
export function isSecretKey(key) {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = SECRET_KEY.test(key.toLowerCase().replace(/[-\s.]/g, '_'));
    if (keyVerdicts.size < 10_000) keyVerdicts.set(key, verdict);
  }
  return verdict;
}
const SECRET_HINT = /bearer|basic|splunk|apikey|sk-|akia|gh[pousr]_|=/i;
export function redactString(value) {
  if (value.length < 8 || !SECRET_HINT.test(value)) return value;
  let out = value;
  for (const pattern of SECRET_VALUE_PATTERNS) {
    pattern.lastIndex = 0;
    if (!pattern.test(out)) continue;
    pattern.lastIndex = 0;
    out = out.replace(pattern, (_m, g1) => {
      if (typeof g1 !== 'string') return REDACTED;
      if (g1.endsWith('=')) return `${g1}${REDACTED}`;
      return /^(Bearer|Basic|Splunk|ApiKey)$/.test(g1) ? `${g1} ${REDACTED}` : REDACTED;
    });
  }
  return out;
}
export function redactValue(value, depth = 0) {
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
  let out;
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = value[k];
    const r = isSecretKey(k) && v !== null && v !== undefined && v !== '' ? REDACTED : redactValue(v, depth + 1);
    if (r !== v) {
      out ??= { ...value };
      out[k] = r;
    }
  }
  return out ?? value;
}
export function redactEvent(event) {
  const details = redactValue(event.details);
  const context = event.context_snapshot && redactValue(event.context_snapshot);
  const before = redactValue(event.state_before);
  const after = redactValue(event.state_after);
  const summary = redactString(event.event_summary);
  const stack = event.stack_trace && redactString(event.stack_trace);
  if (
    details === event.details &&
    context === event.context_snapshot &&
    before === event.state_before &&
    after === event.state_after &&
    summary === event.event_summary &&
    stack === event.stack_trace
  )
    return event;
  return { ...event, details, context_snapshot: context, state_before: before, state_after: after, event_summary: summary, stack_trace: stack };
}
