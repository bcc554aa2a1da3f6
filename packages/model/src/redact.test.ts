import { describe, expect, it } from 'vitest';
import { createEvent } from './createEvent.js';
import { isSecretKey, REDACTED, redactEvent, redactString, redactValue } from './redact.js';
import { READABLE_CASES, SECRET_CASES } from './redact.corpus.js';

describe('the secret corpus', () => {
  it('has at least 100 forms from published scanner rules', () => {
    expect(SECRET_CASES.length).toBeGreaterThanOrEqual(100);
  });

  it.each(SECRET_CASES.map((c) => [c.rule, c] as const))('masks %s', (_rule, c) => {
    expect(c.text).toContain(c.secret);
    const out = redactString(c.text);
    expect(out).not.toContain(c.secret);
    expect(out).toContain(REDACTED);
    expect(redactString(out)).toBe(out); // idempotent: the pipeline and the store may both redact
  });

  it.each(READABLE_CASES.map((t) => [t] as const))('leaves %s readable', (text) => {
    expect(redactString(text)).toBe(text);
  });

  it('masks every case in every field of an event: names, ids, tags, details, nested JSON strings', () => {
    for (const c of SECRET_CASES) {
      const e = createEvent({
        source: 'tool',
        component: c.text,
        action: c.text,
        event_summary: c.text,
        session_id: c.text,
        agent_id: c.text,
        correlation_id: c.text,
        parent_id: c.text,
        tags: ['ok', c.text],
        stack_trace: c.text,
        details: { note: c.text, inner: { json: JSON.stringify({ v: c.text }) }, list: [c.text] },
        context_snapshot: { env: c.text },
      });
      const r = redactEvent({ ...e, trace_id: c.text, span_id: c.text, service_name: c.text, state_before: { s: c.text } });
      expect(JSON.stringify(r), c.rule).not.toContain(c.secret.replace(/\n/g, '\\n').slice(0, 40));
      expect(JSON.stringify(r), c.rule).not.toContain(JSON.stringify(c.secret).slice(1, 41));
    }
  });
});

describe('secret keys', () => {
  it('recognises snake_case, camelCase, kebab and env-style secret keys', () => {
    for (const k of [
      'api_key',
      'apiKey',
      'APIKey',
      'x-api-key',
      'accessToken',
      'sessionToken',
      'aws_secret_access_key',
      'AWS_SESSION_TOKEN',
      'password',
      'DB_PASSWORD',
      'client_secret',
      'clientSecret',
      'Authorization',
      'Set-Cookie',
      'private_key',
      'privateKey',
      'AccountKey',
      'refresh_token',
      'id_token',
      'auth',
      'credentials',
      'signature',
      'dsn',
    ]) {
      expect(isSecretKey(k), k).toBe(true);
    }
  });
  it('leaves usage counts and ordinary keys alone', () => {
    for (const k of [
      'input_tokens',
      'max_tokens',
      'token_count',
      'tokens',
      'tokenizer',
      'primary_key',
      'cache_key',
      'session_id',
      'trace_id',
      'author',
      'oauth_provider',
      'auth_method',
      'key',
      'keys',
      'token_type',
    ]) {
      expect(isSecretKey(k), k).toBe(false);
    }
  });
  it('masks a secret used as an object key', () => {
    const s = `ghp_${'a1B2'.repeat(9)}`;
    expect(JSON.stringify(redactValue({ [s]: 1 }))).not.toContain(s);
  });
});

describe('redactEvent', () => {
  it('returns the same object when nothing is secret', () => {
    const e = createEvent({ source: 'tool', event_summary: 'fine', details: { tool_name: 'x', n: 1, input_tokens: 3 } });
    expect(redactEvent(e)).toBe(e);
  });
  it('does not mutate its input', () => {
    const e = createEvent({ source: 'tool', event_summary: 'password: hunter2', details: { api_key: 'k' } });
    const r = redactEvent(e);
    expect(e.event_summary).toBe('password: hunter2');
    expect(e.details.api_key).toBe('k');
    expect(r.event_summary).toBe(`password: ${REDACTED}`);
  });
  it('rewrites JSON held in a string only when it held a secret, keeping it valid JSON', () => {
    const clean = '{"a": 1, "tokens": 5}';
    expect(redactString(clean)).toBe(clean);
    const out = redactString('{"a":1,"auth":{"user":"u","key":"k-123"}}');
    expect(JSON.parse(out)).toEqual({ a: 1, auth: REDACTED });
  });
});
