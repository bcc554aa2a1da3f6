import type { DebbieEvent } from './DebbieEvent.js';
import { CONTEXT_PATTERN, MIN_TOKEN_RUN, REDACTED, SCHEME_PATTERN, SECRET_HINT, TOKEN_PATTERN, TOKEN_RUN_CHARS } from './secretPatterns.js';
import { literalPrefilter, requiredCharTable } from './prefilter.js';

export { REDACTED } from './secretPatterns.js';

// A key names a secret when one of its words (snake_case, kebab, dotted or camelCase) is one of
// these, or when it ends in one of the pairs below. "tokens", "input_tokens", "token_count",
// "tokenizer" and "primary_key" are not secrets.
const SECRET_WORDS = new Set([
  'secret',
  'secrets',
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'credential',
  'credentials',
  'cookie',
  'cookies',
  'authorization',
  'apikey',
  'bearer',
  'privatekey',
  'dsn',
]);
const SECRET_LAST_WORDS = new Set(['token', 'auth', 'signature', 'sig']);
const SECRET_KEY_PAIRS = /(?:^|_)(?:api|access|secret|private|account|signing|encryption|master|session|client|auth|shared_access|x_api)_key(?:_id)?$/;

// Keys repeat endlessly (tool_name, input_tokens…): remember the verdict, up to a bound.
const keyVerdicts = new Map<string, boolean>();
const MAX_CACHED_KEYS = 10_000;

/** Splits camelCase, kebab, dotted and spaced keys into lower-case snake words. */
function snakeKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[-\s.:/]+/g, '_');
}

/** True when a key names a secret: api_key, accessToken, aws_secret_access_key, Set-Cookie, X-Api-Key… */
export function isSecretKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    const snake = snakeKey(key);
    const words = snake.split('_').filter(Boolean);
    verdict = words.some((w) => SECRET_WORDS.has(w)) || SECRET_LAST_WORDS.has(words[words.length - 1] ?? '') || SECRET_KEY_PAIRS.test(snake);
    if (keyVerdicts.size < MAX_CACHED_KEYS) keyVerdicts.set(key, verdict);
  }
  return verdict;
}

/** Replacement for every pattern: keep what the pattern captured (key, separator, scheme, user), mask the rest. */
function mask(...args: unknown[]): string {
  // args: match, group1..groupN, offset, input (no named groups)
  let kept = '';
  for (let i = 1; i < args.length - 2; i++) {
    const part = args[i];
    if (typeof part === 'string') kept += part;
  }
  return `${kept}${REDACTED}`;
}

// 0: ends a run; 1: a token character; 2: a token character that is also lower-case hex or '-'.
const IN_RUN = new Uint8Array(128);
for (const c of TOKEN_RUN_CHARS) IN_RUN[c.charCodeAt(0)] = /[0-9a-f-]/.test(c) ? 2 : 1;

// Every match of SECRET_HINT holds one of these characters (':', '=', a blank…, read off the
// pattern): text without any skips the hint's regex (a class is searched natively, ~4× faster).
const HINT_CHARS = requiredCharTable(SECRET_HINT);
const HINT_CHAR = new RegExp(
  HINT_CHARS === undefined ? '[^]' : `[${[...HINT_CHARS].flatMap((v, c) => (v ? [`\\x${c.toString(16).padStart(2, '0')}`] : [])).join('')}]`,
);

// Most runs (names, paths, words joined by '_') hold none of the literals every token shape needs
// ("sk-", "ghp_", ".atlasv1."…, read off TOKEN_PATTERN itself): they skip the regex.
const mayHoldToken = literalPrefilter(TOKEN_PATTERN);
let usePrefilter = true;

/**
 * Runs `fn` with the redactor's pre-checks and caches of redacted names off (every string tried
 * against every pattern, as before they existed): for the tests and the bench, which hold that the
 * output is the same with and without them. Not part of the package's API (index.ts).
 */
export function withoutPrefilters<T>(fn: () => T): T {
  const was = usePrefilter;
  usePrefilter = false;
  try {
    return fn();
  } finally {
    usePrefilter = was;
  }
}

const MAX_JSON_TEXT = 1024 * 1024;

/** Masks secret-looking substrings inside a string (tokens by shape, `key=value`, URL userinfo, JSON held in text). */
export function redactString(value: string): string {
  return value.length < 8 ? value : redactText(value);
}

/**
 * What strings redact to, for strings that repeat from event to event. Bounded: emptied when full
 * (cheaper on this path than evicting one by one). When most look-ups since it was last emptied
 * missed (values that do not repeat: paths, counters), the next 4 × maxEntries strings skip it, so
 * such values do not pay for filling it again and again. Look-ups, hits, emptyings and strings
 * that skipped it are counted.
 */
class RedactedCache {
  private map = new Map<string, string>();
  private skip = 0;
  private sinceEmptied = { lookups: 0, hits: 0 };
  lookups = 0;
  hits = 0;
  emptied = 0;
  skipped = 0;
  constructor(
    readonly maxEntries: number,
    readonly maxLength: number,
  ) {}

  redact(value: string): string {
    if (value.length < 8 || isPlainHex(value)) return value; // an id: nothing to look up
    if (value.length > this.maxLength || !usePrefilter) return redactNotHex(value);
    if (this.skip > 0) {
      this.skip -= 1;
      this.skipped += 1;
      return redactNotHex(value);
    }
    this.lookups += 1;
    this.sinceEmptied.lookups += 1;
    let out = this.map.get(value);
    if (out === undefined) {
      out = redactNotHex(value);
      if (this.map.size >= this.maxEntries) {
        if (this.sinceEmptied.hits * 2 < this.sinceEmptied.lookups) this.skip = this.maxEntries * 4;
        this.map = new Map();
        this.sinceEmptied = { lookups: 0, hits: 0 };
        this.emptied += 1;
      }
      this.map.set(value, out);
    } else {
      this.hits += 1;
      this.sinceEmptied.hits += 1;
    }
    return out;
  }
}

// Names and ids (component, action, session, agent, correlation, service, tags) repeat from event
// to event, and so do short values (a tool's name, a finish reason, an RPC method, a span's name as
// its summary); longer free text rarely does and is not cached. Two caches, so that many distinct
// short values do not push the names out.
const names = new RedactedCache(4096, 256);
const shortValues = new RedactedCache(4096, 32);

function redactName(value: string): string {
  return names.redact(value);
}

/** A string value or summary: short ones through their cache. */
function redactShortOrText(value: string): string {
  return value.length <= shortValues.maxLength ? shortValues.redact(value) : redactString(value);
}

/** Look-ups, hits, emptyings and skips of the redactor's caches so far (for the bench; not in index.ts). */
export function redactionCacheStats(): Record<'names' | 'shortValues', { lookups: number; hits: number; emptied: number; skipped: number }> {
  const stats = (c: RedactedCache) => ({ lookups: c.lookups, hits: c.hits, emptied: c.emptied, skipped: c.skipped });
  return { names: stats(names), shortValues: stats(shortValues) };
}

/**
 * True for lower-case hex digits and dashes only (event, trace and span ids, UUIDs, hashes): such
 * text holds no hint (every hint needs a separator, a blank or a letter past f) and no token run
 * that maskTokenRuns would try, so it cannot change.
 */
function isPlainHex(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || IN_RUN[c] !== 2) return false;
  }
  return true;
}

function redactText(value: string): string {
  return isPlainHex(value) ? value : redactNotHex(value);
}

function redactNotHex(value: string): string {
  const hinted = (!usePrefilter || HINT_CHAR.test(value)) && SECRET_HINT.test(value);
  const first = value.charCodeAt(0);
  if (hinted && (first === 0x7b /* { */ || first === 0x5b) /* [ */ && value.length <= MAX_JSON_TEXT) {
    const parsed = parseJson(value);
    if (parsed !== undefined) {
      const redacted = redactValue(parsed);
      return redacted === parsed ? maskTokenRuns(value) : JSON.stringify(redacted);
    }
  }
  let out = value;
  if (hinted) out = replaceAll(SCHEME_PATTERN, out);
  out = maskTokenRuns(out);
  if (hinted) out = replaceAll(CONTEXT_PATTERN, out);
  return out;
}

function replaceAll(pattern: RegExp, text: string): string {
  pattern.lastIndex = 0;
  const found = pattern.test(text);
  pattern.lastIndex = 0;
  if (!found) return text;
  const out = text.replace(pattern, mask);
  pattern.lastIndex = 0;
  return out;
}

/**
 * Tries the provider token shapes inside long runs of token characters only (most text has few),
 * and skips runs of lower-case hex digits and dashes (trace, span and event ids, UUIDs, hashes):
 * every token shape has a letter past f, a capital or a symbol.
 */
function maskTokenRuns(text: string): string {
  const n = text.length;
  if (n < MIN_TOKEN_RUN) return text;
  let parts: string[] | undefined;
  let last = 0;
  let i = 0;
  while (i < n) {
    // A run of MIN_TOKEN_RUN or more characters that starts at or after i covers i + MIN_TOKEN_RUN - 1:
    // when that character ends runs, no such run starts before it, so skip there.
    const probe = i + MIN_TOKEN_RUN - 1;
    if (probe >= n) break;
    const p = text.charCodeAt(probe);
    if (p >= 128 || IN_RUN[p] === 0) {
      i = probe + 1;
      continue;
    }
    // Walk back to the start of the run through probe (not before i), then forward to its end.
    let start = probe;
    while (start > i) {
      const c = text.charCodeAt(start - 1);
      if (c >= 128 || IN_RUN[c] === 0) break;
      start--;
    }
    let end = probe + 1;
    while (end < n) {
      const c = text.charCodeAt(end);
      if (c >= 128 || IN_RUN[c] === 0) break;
      end++;
    }
    if (end - start >= MIN_TOKEN_RUN && !isPlainRun(text, start, end)) {
      if (!usePrefilter || mayHoldToken(text, start, end)) {
        const run = text.slice(start, end);
        const masked = replaceAll(TOKEN_PATTERN, run);
        if (masked !== run) {
          (parts ??= []).push(text.slice(last, start), masked);
          last = end;
        }
      }
    }
    i = end + 1;
  }
  if (parts === undefined) return text;
  parts.push(text.slice(last));
  return parts.join('');
}

/** True when text[start..end) is lower-case hex digits and dashes only. */
function isPlainRun(text: string, start: number, end: number): boolean {
  for (let k = start; k < end; k++) if (IN_RUN[text.charCodeAt(k)] !== 2) return false;
  return true;
}

function parseJson(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

// Both questions asked of every key (does it name a secret, what does the key itself redact to),
// answered by one look-up: keys repeat from event to event. Bounded like the name cache.
interface KeyVerdict {
  secret: boolean;
  name: string;
}
let keyVerdictCache = new Map<string, KeyVerdict>();

function keyVerdict(key: string): KeyVerdict {
  if (!usePrefilter) return { secret: isSecretKey(key), name: redactName(key) }; // no cached answer
  let verdict = keyVerdictCache.get(key);
  if (verdict === undefined) {
    verdict = { secret: isSecretKey(key), name: redactName(key) };
    if (key.length <= names.maxLength) {
      if (keyVerdictCache.size >= names.maxEntries) keyVerdictCache = new Map();
      keyVerdictCache.set(key, verdict);
    }
  }
  return verdict;
}

/**
 * Returns a copy of a JSON-like value with secret keys and secret-looking strings masked (keys
 * too: a secret used as a key is masked). Unchanged sub-trees are returned as they are (no copy),
 * so clean events cost little.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactShortOrText(value);
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const r = redactValue(v, depth + 1);
      if (r !== v) {
        out ??= value.slice();
        out[i] = r;
      }
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  const record = value as Record<string, unknown>;
  for (const k of Object.keys(record)) {
    const v = record[k];
    const verdict = keyVerdict(k);
    const r = verdict.secret && v !== null && v !== undefined && v !== '' ? REDACTED : redactValue(v, depth + 1);
    const key = verdict.name;
    if (r !== v || key !== k) {
      out ??= { ...record };
      if (key !== k) delete out[k];
      out[key] = r;
    }
  }
  return out ?? value;
}

function redactTags(tags: string[]): string[] {
  let out: string[] | undefined;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i] as string;
    const r = redactName(tag);
    if (r !== tag) {
      out ??= tags.slice();
      out[i] = r;
    }
  }
  return out ?? tags;
}

/** A nullable name or id. */
function n(value: string | null): string | null {
  return value === null ? null : redactName(value);
}

/** A nullable text field. */
function s(value: string | null): string | null {
  return value === null ? null : redactString(value);
}

/**
 * Masks secrets in every field of an event that reaches storage or output: names (component,
 * action, service), ids (session, agent, correlation, parent, event, trace and span ids), the
 * message, tags, details, context, states and the stack trace. Returns the same object when
 * nothing was secret.
 */
export function redactEvent(event: DebbieEvent): DebbieEvent {
  const details = redactValue(event.details) as Record<string, unknown>;
  const context = event.context_snapshot && (redactValue(event.context_snapshot) as Record<string, unknown>);
  const before = redactValue(event.state_before);
  const after = redactValue(event.state_after);
  const summary = redactShortOrText(event.event_summary);
  const stack = s(event.stack_trace);
  const component = redactName(event.component);
  const action = redactName(event.action);
  const sessionId = n(event.session_id);
  const agentId = n(event.agent_id);
  const correlationId = n(event.correlation_id);
  const parentId = s(event.parent_id);
  const eventId = redactString(event.event_id);
  const traceId = s(event.trace_id);
  const spanId = s(event.span_id);
  const parentSpanId = s(event.parent_span_id);
  const service = n(event.service_name);
  const tags = redactTags(event.tags);
  const metrics = event.performance_metrics && (redactValue(event.performance_metrics) as Record<string, number>);
  if (
    details === event.details &&
    context === event.context_snapshot &&
    before === event.state_before &&
    after === event.state_after &&
    summary === event.event_summary &&
    stack === event.stack_trace &&
    component === event.component &&
    action === event.action &&
    sessionId === event.session_id &&
    agentId === event.agent_id &&
    correlationId === event.correlation_id &&
    parentId === event.parent_id &&
    eventId === event.event_id &&
    traceId === event.trace_id &&
    spanId === event.span_id &&
    parentSpanId === event.parent_span_id &&
    service === event.service_name &&
    tags === event.tags &&
    metrics === event.performance_metrics
  ) {
    return event;
  }
  return {
    ...event,
    details,
    context_snapshot: context,
    state_before: before,
    state_after: after,
    event_summary: summary,
    stack_trace: stack,
    component,
    action,
    session_id: sessionId,
    agent_id: agentId,
    correlation_id: correlationId,
    parent_id: parentId,
    event_id: eventId,
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: parentSpanId,
    service_name: service,
    tags,
    performance_metrics: metrics,
  };
}
