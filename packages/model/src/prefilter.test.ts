import { describe, expect, it } from 'vitest';
import { analyzeAlternatives, literalPrefilter, requiredCharTable } from './prefilter.js';
import { redactEvent, redactionCacheStats, redactString, redactValue, withoutPrefilters } from './redact.js';
import { READABLE_CASES, SECRET_CASES } from './redact.corpus.js';
import { CONTEXT_PATTERN, SCHEME_PATTERN, SECRET_HINT, TOKEN_PATTERN } from './secretPatterns.js';
import { createEvent } from './createEvent.js';

// The redactor's pre-checks are read off its patterns (prefilter.ts). They are sound when a string
// they wave through could not have matched: checked here directly against the patterns, and end to
// end as "the redactor with and without them returns the same output", on the corpus, on secrets
// embedded in prose, JSON, URLs and headers, and on random and mutated strings.

let seed = 0x9e3779b9;
function rand(n: number): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return (seed >>> 8) % n;
}
const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;

const tokenFilter = literalPrefilter(TOKEN_PATTERN);
const hintChars = requiredCharTable(SECRET_HINT);
const hintFilter = literalPrefilter(SECRET_HINT);
const tokenOnce = new RegExp(TOKEN_PATTERN.source, TOKEN_PATTERN.flags.replace('g', ''));
const hintOnce = new RegExp(SECRET_HINT.source, SECRET_HINT.flags.replace('g', ''));
const hasHintChar = (s: string) => [...s].some((c) => c.charCodeAt(0) < 128 && hintChars?.[c.charCodeAt(0)] === 1);

// Pieces that steer random text toward the patterns: every literal the analysis relies on (and
// their neighbours cut short), the hint's separators and key words, scheme words, URL parts.
const LITERALS = [...new Set(analyzeAlternatives(TOKEN_PATTERN).flatMap((f) => f.anyOf ?? []))];
const FRAGMENTS = [
  ...LITERALS,
  ...LITERALS.map((l) => l.slice(0, -1)),
  ...LITERALS.map((l) => l.slice(1)),
  'password',
  'Passwd',
  'TOKEN',
  'api_key',
  'apiKey',
  'secret',
  'auth',
  'Authorization',
  'cookie',
  'sig',
  'dsn',
  'key_id',
  ': ',
  '=',
  ':=',
  '=>',
  '"',
  "'",
  '\\"',
  ' ',
  '\t',
  '\n',
  'Bearer ',
  'basic ',
  'Token ',
  '://',
  '@',
  'user:',
  '-----BEGIN RSA PRIVATE KEY-----',
  'PRIVATE KEY',
  '--password ',
  '-api-key ',
  '[REDACTED]',
  '{',
  '}',
  '[',
  ']',
  ',',
  'é',
  '€',
];
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~+/=:;,@"\'{}[]() \t\n\\$%<>';

function randomRun(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[rand(ALPHABET.length)];
  return s;
}

function mutate(text: string): string {
  let s = text;
  for (let k = 1 + rand(4); k > 0; k--) {
    const at = rand(s.length + 1);
    switch (rand(5)) {
      case 0:
        s = s.slice(0, at) + randomRun(1) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + rand(3));
        break;
      case 2:
        s = s.slice(0, at) + pick(FRAGMENTS) + s.slice(at);
        break;
      case 3:
        s = s.slice(0, at) + s.slice(rand(s.length), rand(s.length)) + s.slice(at);
        break;
      default:
        s = s.slice(0, at) + (rand(2) ? s.slice(at).toUpperCase() : s.slice(at).toLowerCase());
    }
  }
  return s;
}

const WRAPS: ((s: string) => string)[] = [
  (s) => s,
  (s) => `The agent said ${s} and moved on.`,
  (s) => JSON.stringify({ note: s, n: 1 }),
  (s) => JSON.stringify({ args: JSON.stringify({ v: s }) }),
  (s) => `https://user:${s}@example.com/path?q=${s}&x=1`,
  (s) => `Authorization: Bearer ${s}`,
  (s) => `export API_KEY=${s}\nnext line`,
  (s) => `<header value="${s}"/>`,
  (s) => `${s}${s}`,
];

/** Corpus texts, secrets in context, their mutations, random text and fragment soup: ~20k strings. */
function* samples(): Generator<string> {
  for (const c of SECRET_CASES) {
    yield c.text;
    yield c.secret;
    for (const wrap of WRAPS) yield wrap(c.secret);
  }
  yield* READABLE_CASES;
  for (let i = 0; i < 8000; i++) {
    const c = pick(SECRET_CASES);
    yield mutate(pick(WRAPS)(rand(2) ? c.secret : c.text));
  }
  for (let i = 0; i < 6000; i++) yield randomRun(rand(120));
  for (let i = 0; i < 6000; i++) {
    let s = '';
    for (let k = rand(8); k >= 0; k--) s += rand(3) ? pick(FRAGMENTS) : randomRun(rand(40));
    yield s;
  }
}

describe('pre-checks read off the patterns', () => {
  it('understands every token shape and names a literal each needs', () => {
    const facts = analyzeAlternatives(TOKEN_PATTERN);
    expect(facts.length).toBeGreaterThan(70);
    for (const f of facts) {
      expect(f.anyOf, f.source).toBeDefined();
      expect(f.min, f.source).toBeGreaterThanOrEqual(14); // MIN_TOKEN_RUN: no shape is shorter
    }
    const bySource = (needle: string) => facts.find((f) => f.source.includes(needle));
    expect(bySource('\\bsk-')).toMatchObject({ anyOf: ['sk-'], min: 19 });
    expect(bySource('atlasv1')).toMatchObject({ anyOf: ['.atlasv1.'] });
    expect(bySource('EAAA|sq0atp-')).toMatchObject({ anyOf: ['EAAA', 'sq0atp-'] });
    expect(bySource('FLW')?.anyOf).toEqual(['_TEST-']);
  });

  it("finds the hint's separators: ':', '=' or a blank is in every match", () => {
    expect(requiredCharTable(SECRET_HINT)).toBeDefined();
    const chars = [...(requiredCharTable(SECRET_HINT) as Uint8Array)].flatMap((v, c) => (v ? [String.fromCharCode(c)] : []));
    expect(chars.sort()).toEqual(['\t', ' ', ':', '='].sort());
  });

  it("reads the hint's key words and schemes, in any case", () => {
    const facts = analyzeAlternatives(SECRET_HINT);
    expect(facts.map((f) => f.anyOf)).toContainEqual(['bearer', 'basic', 'digest', 'negotiate', 'splunk', 'apikey', 'token']);
    expect(literalPrefilter(/ab[0-9]/i)('xAB1', 0, 4)).toBe(true);
    expect(literalPrefilter(/ab[0-9]/i)('xA-B1', 0, 5)).toBe(false);
  });

  it('answers "maybe" for syntax it does not model', () => {
    expect(analyzeAlternatives(/a\x41b/)[0]?.anyOf).toBeUndefined();
    expect(literalPrefilter(/abc|\x41b/)('zzz', 0, 3)).toBe(true);
    expect(requiredCharTable(/[!-\x2f]/)).toBeUndefined(); // a range up to an escape
    expect([...(requiredCharTable(/[!-/]/) as Uint8Array)].filter(Boolean).length).toBe(15); // ! through /
    expect(requiredCharTable(/a|\s/)).toBeUndefined();
    expect(requiredCharTable(/[^a]/)).toBeUndefined();
  });

  it('never rules out a string a pattern matches (corpus, secrets in context, mutations, random text)', () => {
    let tokens = 0;
    let hints = 0;
    for (const s of samples()) {
      if (tokenOnce.test(s)) {
        tokens += 1;
        expect(tokenFilter(s, 0, s.length), s).toBe(true);
      }
      if (hintOnce.test(s)) {
        hints += 1;
        expect(hasHintChar(s), s).toBe(true);
        expect(hintFilter(s, 0, s.length), s).toBe(true);
      }
      // also on a window of the string, as maskTokenRuns asks it
      const a = rand(s.length + 1);
      const b = a + rand(s.length - a + 1);
      if (tokenOnce.test(s.slice(a, b))) expect(tokenFilter(s, a, b), s.slice(a, b)).toBe(true);
    }
    // the samples reach the patterns often, or the check above proves little
    expect(tokens).toBeGreaterThan(3000);
    expect(hints).toBeGreaterThan(3000);
  });

  it('rules out most ordinary text', () => {
    const plain = ['websocket_endpoint', 'AIMessageChunkNotification', 'openai/gpt-4o-mini', 'continuation.progress', 'finish_reason=tool_calls'];
    for (const s of plain) expect(tokenFilter(s, 0, s.length), s).toBe(false);
    expect(hasHintChar('StreamingUpdate')).toBe(false);
    for (const s of ['execute_tool list_rfcs', '{"path":"docs/rfc-0.md"}', 'Session 94dd5c0e started for healthy-user'])
      expect(hintFilter(s, 0, s.length), s).toBe(false);
    for (const s of ['my PassWord is', 'AUTHORIZATION:', 'http://u:p@h']) expect(hintFilter(s, 0, s.length), s).toBe(true);
  });
});

describe('the redactor with and without its pre-checks', () => {
  it('returns the same output for every sample string', () => {
    let changed = 0;
    for (const s of samples()) {
      const fast = redactString(s);
      const full = withoutPrefilters(() => redactString(s));
      expect(fast, s).toBe(full);
      if (full !== s) changed += 1;
    }
    expect(changed).toBeGreaterThan(3000);
  });

  it('returns the same events and values (names, ids and keys go through the caches)', () => {
    for (let i = 0; i < 600; i++) {
      const c = pick(SECRET_CASES);
      const t = mutate(pick(WRAPS)(c.secret));
      const e = createEvent({
        source: 'tool',
        component: rand(2) ? t : 'websocket_endpoint',
        action: rand(2) ? c.secret : 'tool_execution',
        event_summary: t,
        session_id: rand(2) ? t : '3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f',
        tags: ['ok', t],
        details: { note: t, [t.slice(0, 40)]: 1, nested: { json: JSON.stringify({ v: t }) }, list: [t, c.text] },
      });
      // twice: the second call answers names and keys from the caches the first filled
      for (let k = 0; k < 2; k++) {
        expect(JSON.stringify(redactEvent(e))).toBe(JSON.stringify(withoutPrefilters(() => redactEvent(e))));
        expect(redactValue({ [c.secret]: t })).toEqual(withoutPrefilters(() => redactValue({ [c.secret]: t })));
      }
    }
  });

  it('gives the same answers while its short-value cache fills, empties and is skipped (values that do not repeat)', () => {
    const before = redactionCacheStats().shortValues;
    const secrets = SECRET_CASES.map((c) => c.secret).filter((x) => x.length <= 32);
    for (let i = 0; i < 30_000; i++) {
      const v = i % 97 === 0 ? (secrets[i % secrets.length] as string) : i % 3 ? `docs/rfc-${i}.md` : 'list_rfcs';
      expect(redactValue({ v })).toEqual(withoutPrefilters(() => redactValue({ v })));
    }
    const after = redactionCacheStats().shortValues;
    expect(after.emptied).toBeGreaterThan(before.emptied);
    expect(after.skipped).toBeGreaterThan(before.skipped);
  });

  it('still masks every corpus form (the patterns are the only judge)', () => {
    for (const c of SECRET_CASES) expect(redactString(c.text), c.rule).not.toContain(c.secret);
    expect(CONTEXT_PATTERN.flags).toContain('g');
    expect(SCHEME_PATTERN.flags).toContain('g');
  });
});
