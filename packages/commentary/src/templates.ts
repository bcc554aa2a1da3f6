// Message templates and argument keys: the normal forms that make "the same error" and
// "the same call" comparable although ids, numbers and paths differ.

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX = /\b(?:0x)?(?=[0-9a-f]*\d)[0-9a-f]{6,}\b/gi;
const TOOL_ID = /\b(?:toolu|call|req|msg|run|chatcmpl)[_-][A-Za-z0-9_-]+/g;
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi;
const PATH = /(?:[A-Za-z]:)?(?:[\\/][\w.@~-]+){2,}[\\/]?|(?:\.{1,2}[\\/])[\w.@~/\\-]+/g;
const QUOTED = /(["'`])(?:(?!\1).){1,200}\1/g;
const NUMBER = /[-+]?\b\d+(?:[.,:]\d+)*\b/g;
const SPACES = /\s+/g;
/** Cap on the text we template: error messages can carry whole payloads. */
const MAX_TEMPLATE_INPUT = 300;

/**
 * The template of a message: uuids, hex ids, tool-call ids, URLs, paths, quoted values and
 * numbers become placeholders, so "Timeout after 3012 ms on /tmp/a.json" and
 * "Timeout after 2990 ms on /var/b.json" share one template.
 */
export function messageTemplate(message: string): string {
  return message
    .slice(0, MAX_TEMPLATE_INPUT)
    .replace(UUID, '<uuid>')
    .replace(URL_LIKE, '<url>')
    .replace(TOOL_ID, '<id>')
    .replace(PATH, '<path>')
    .replace(QUOTED, '<str>')
    .replace(HEX, '<hex>')
    .replace(NUMBER, '<num>')
    .replace(SPACES, ' ')
    .trim();
}

function canonical(value: unknown, depth: number): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.trim().replace(SPACES, ' '));
  if (typeof value !== 'object') return String(value);
  if (depth > 6) return '"…"';
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k], depth + 1)}`).join(',')}}`;
}

/** Cap on the key: two calls whose arguments agree on the first 512 characters are "the same". */
const MAX_ARGS_KEY = 512;

/**
 * Normal form of tool arguments: JSON (object or JSON string, as OpenAI tool calls carry them)
 * with sorted keys and collapsed whitespace; other text is trimmed. Two calls with the same
 * normal form are the same call.
 */
export function normalizeArguments(args: unknown): string {
  if (typeof args === 'string') {
    const fast = quickNormalForm(args);
    if (fast !== null) return fast;
  }
  return parsedArguments(args);
}

/**
 * normalizeArguments of an argument string found in one scan, or null when it must be parsed.
 * Most argument strings are already in normal form (compact JSON with sorted keys, a plain
 * word): then the string itself is the answer, with no parse and no copy.
 */
export function quickNormalForm(args: string): string | null {
  const fast = canonicalText(args.trim());
  return fast !== null && fast.length > MAX_ARGS_KEY ? fast.slice(0, MAX_ARGS_KEY) : fast;
}

/** normalizeArguments by parsing: what canonicalText must agree with (tested). */
export function parsedArguments(args: unknown): string {
  let value = args;
  if (typeof args === 'string') {
    const text = args.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
    } else {
      value = text;
    }
  }
  const key = canonical(value, 0);
  return key.length > MAX_ARGS_KEY ? key.slice(0, MAX_ARGS_KEY) : key;
}

/** Characters a plain word may hold and stay itself inside JSON quotes: printable ASCII but `"` and `\\`. */
function plainChar(c: number): boolean {
  return c > 32 && c < 127 && c !== 34 && c !== 92;
}

/**
 * The normal form of trimmed argument text, computed in one scan without JSON.parse, when the
 * text is simple enough for it to be exact; null otherwise (the caller then parses). Simple: JSON
 * of objects (keys in ascending order, no repeats), arrays, ASCII strings without escapes or
 * blanks, integers in their shortest form, true/false/null, nested at most six deep, blanks only
 * between tokens (dropped); or plain text of printable ASCII with single spaces. Exactly what
 * `canonical` gives for such text: it writes the same tokens back in the same order.
 */
export function canonicalText(text: string): string | null {
  const n = text.length;
  if (n === 0) return null;
  const first = text.charCodeAt(0);
  if (first !== 123 /* { */ && first !== 91 /* [ */) {
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (plainChar(c)) continue;
      if (c === 32 && text.charCodeAt(i + 1) !== 32) continue; // single spaces stay (no leading/trailing: trimmed)
      return null;
    }
    return `"${text}"`;
  }
  const scan = scanner;
  scan.text = text;
  scan.pos = 0;
  scan.blanks = false;
  if (!scanValue(scan, 0)) return null;
  skipBlanks(scan);
  if (scan.pos !== n) return null;
  return scan.blanks ? withoutBlanks(text) : text;
}

interface Scanner {
  text: string;
  pos: number;
  /** Blanks met between tokens (the normal form drops them). */
  blanks: boolean;
}
const scanner: Scanner = { text: '', pos: 0, blanks: false };

function skipBlanks(s: Scanner): void {
  const t = s.text;
  let i = s.pos;
  for (;;) {
    const c = t.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  if (i !== s.pos) s.blanks = true;
  s.pos = i;
}

/** A string token with no escape, no blank, ASCII only; leaves pos after its closing quote; returns its end or -1. */
function scanString(s: Scanner): number {
  const t = s.text;
  let i = s.pos + 1;
  for (;;) {
    const c = t.charCodeAt(i);
    if (c === 34) {
      s.pos = i + 1;
      return i;
    }
    if (!plainChar(c)) return -1;
    i++;
  }
}

function scanValue(s: Scanner, depth: number): boolean {
  skipBlanks(s);
  const t = s.text;
  const c = t.charCodeAt(s.pos);
  if (c === 34) return scanString(s) >= 0;
  if (c === 123 || c === 91) {
    if (depth > 6) return false; // canonical writes "…" there
    const close = c === 123 ? 125 : 93;
    s.pos++;
    skipBlanks(s);
    if (t.charCodeAt(s.pos) === close) {
      s.pos++;
      return true;
    }
    let prevStart = -1;
    let prevEnd = -1;
    for (;;) {
      if (c === 123) {
        skipBlanks(s);
        if (t.charCodeAt(s.pos) !== 34) return false;
        const start = s.pos + 1;
        const end = scanString(s);
        if (end < 0) return false;
        // keys strictly ascending: sorting would not move them, and none repeats
        if (prevStart >= 0 && !keyBefore(t, prevStart, prevEnd, start, end)) return false;
        prevStart = start;
        prevEnd = end;
        skipBlanks(s);
        if (t.charCodeAt(s.pos) !== 58 /* : */) return false;
        s.pos++;
      }
      if (!scanValue(s, depth + 1)) return false;
      skipBlanks(s);
      const d = t.charCodeAt(s.pos);
      s.pos++;
      if (d === close) return true;
      if (d !== 44 /* , */) return false;
    }
  }
  if (c === 116) return literal(s, 'true');
  if (c === 102) return literal(s, 'false');
  if (c === 110) return literal(s, 'null');
  // an integer written as String(Number(it)) would write it: no sign on zero, no leading zero, ≤ 15 digits
  let i = s.pos;
  if (c === 45 /* - */) i++;
  const d0 = i;
  while (i < t.length && t.charCodeAt(i) >= 48 && t.charCodeAt(i) <= 57) i++;
  const digits = i - d0;
  if (digits === 0 || digits > 15) return false;
  if (t.charCodeAt(d0) === 48 && (digits > 1 || c === 45)) return false;
  const after = t.charCodeAt(i);
  if (after === 46 /* . */ || after === 101 || after === 69) return false;
  s.pos = i;
  return true;
}

function literal(s: Scanner, word: string): boolean {
  if (!s.text.startsWith(word, s.pos)) return false;
  s.pos += word.length;
  return true;
}

/** Whether key text [a0, a1) sorts strictly before [b0, b1) (code unit order, as Array.prototype.sort). */
function keyBefore(t: string, a0: number, a1: number, b0: number, b1: number): boolean {
  const la = a1 - a0;
  const lb = b1 - b0;
  const m = Math.min(la, lb);
  for (let k = 0; k < m; k++) {
    const x = t.charCodeAt(a0 + k);
    const y = t.charCodeAt(b0 + k);
    if (x !== y) return x < y;
  }
  return la < lb;
}

/** The text without its blanks (none is inside a string token: scanString refused those). */
function withoutBlanks(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      if (i > from) out += text.slice(from, i);
      from = i + 1;
    }
  }
  return out + text.slice(from);
}
