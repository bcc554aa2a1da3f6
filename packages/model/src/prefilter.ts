// Sound, cheap tests run before the redactor's regexes, read off each pattern's own source (never
// written by hand), so a shape added to secretPatterns.ts is covered without touching this file.
//
// For each top-level alternative of a pattern the analysis finds what every match of it contains:
// - literal text (a token's leading "sk-", the ".atlasv1." in its middle, one of a group's "EAAA" /
//   "sq0atp-"), and the shortest text the alternative can match;
// - a set of characters one of which is in every match (":" or "=" after a secret key word).
// Text that holds none of them for any alternative cannot match, so the regex need not run.
// Syntax the analysis does not model makes its alternative, and so the whole test, answer "maybe".

interface Facts {
  /** Shortest text matched. */
  min: number;
  /** Texts one of which every match contains (case-sensitive); undefined when none can be named. */
  anyOf?: string[];
  /** Characters one of which every match contains; undefined when none can be named. */
  chars?: Set<number>;
}

interface Element extends Facts {
  /** The one character a plain literal matches (neighbouring literals join into a string). */
  char?: string;
  /** Consumes nothing (\b, ^, $, a lookaround, an empty group): a literal prefix runs on past it. */
  zeroWidth?: boolean;
}

interface Branch extends Facts {
  /** The literal text every match of the branch starts with ('' when none). */
  prefix: string;
}

/** Syntax the analysis does not model; its alternative then answers "maybe". */
class Unsupported extends Error {}

const CLASS_ESCAPES: Record<string, string | undefined> = {
  d: '0123456789',
  w: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_',
  t: '\t',
};

class Analyzer {
  private pos = 0;
  constructor(
    private readonly source: string,
    private readonly ignoreCase: boolean,
  ) {}

  /** Analyses the whole source as one alternative; throws Unsupported for syntax it does not model. */
  whole(): Branch {
    const b = this.branch();
    if (this.pos !== this.source.length) throw new Unsupported(`stopped at ${this.pos}`);
    return b;
  }

  private peek(): string {
    return this.source[this.pos] ?? '';
  }

  /** One branch: a sequence of (quantified) elements up to '|' or ')' or the end. */
  private branch(): Branch {
    let min = 0;
    let anyOf: string[] | undefined;
    let chars: Set<number> | undefined;
    let run = '';
    let prefix = '';
    let leading = true; // still inside the literal text the branch starts with
    const offer = (el: Facts) => {
      if (el.anyOf !== undefined && el.anyOf.length > 0 && (anyOf === undefined || literalScore(el.anyOf) > literalScore(anyOf))) {
        anyOf = el.anyOf;
      }
      if (el.chars !== undefined && el.chars.size > 0 && (chars === undefined || charWeight(el.chars) < charWeight(chars))) {
        chars = el.chars;
      }
    };
    const endRun = () => {
      if (run) offer({ min: run.length, anyOf: [run] });
      run = '';
    };
    while (this.pos < this.source.length && this.peek() !== '|' && this.peek() !== ')') {
      const el = this.element();
      const q = this.quantifier();
      if (q === undefined) {
        min += el.min;
        if (el.char !== undefined) {
          run += el.char;
          if (leading) prefix += el.char;
        } else {
          endRun();
          if (!el.zeroWidth) leading = false;
        }
        offer(el);
      } else {
        endRun();
        leading = false;
        min += el.min * q;
        if (q > 0) offer(el.char !== undefined ? { ...el, anyOf: [el.char] } : el);
      }
    }
    endRun();
    return { min, anyOf, chars, prefix };
  }

  /** A quantifier's minimum count, or undefined when none follows. */
  private quantifier(): number | undefined {
    const c = this.peek();
    let min: number;
    if (c === '?' || c === '*') min = 0;
    else if (c === '+') min = 1;
    else if (c === '{') {
      const m = /^\{(\d+)(?:,(\d*))?\}/.exec(this.source.slice(this.pos));
      if (!m) throw new Unsupported('literal {');
      this.pos += m[0].length - 1;
      min = Number(m[1]);
    } else return undefined;
    this.pos += 1;
    if (this.peek() === '?') this.pos += 1; // lazy: same minimum
    return min;
  }

  private element(): Element {
    const c = this.peek();
    if (c === '\\') {
      const e = this.source[this.pos + 1];
      if (e === undefined) throw new Unsupported('trailing backslash');
      this.pos += 2;
      if (e === 'b' || e === 'B') return { min: 0, zeroWidth: true };
      if (e === 'd' || e === 'w' || e === 's' || e === 'D' || e === 'W' || e === 'S') {
        const members = CLASS_ESCAPES[e];
        return { min: 1, chars: members === undefined ? undefined : this.charSet(members) };
      }
      if (e === 't') return { min: 1, char: '\t', chars: this.charSet('\t') };
      if (/[A-Za-z0-9]/.test(e)) throw new Unsupported(`escape \\${e}`);
      return this.literal(e);
    }
    if (c === '[') return { min: 1, chars: this.charClass() };
    if (c === '.') {
      this.pos += 1;
      return { min: 1 };
    }
    if (c === '^' || c === '$') {
      this.pos += 1;
      return { min: 0, zeroWidth: true };
    }
    if (c === '(') return this.group();
    if ('*+?{}]|'.includes(c)) throw new Unsupported(`unexpected ${c}`);
    this.pos += 1;
    return this.literal(c);
  }

  private literal(c: string): Element {
    if (c.charCodeAt(0) >= 128) throw new Unsupported('non-ASCII literal');
    return { min: 1, char: c, chars: this.charSet(c) };
  }

  /** The characters `members` stands for, with their other case when the pattern ignores case. */
  private charSet(members: string): Set<number> {
    const set = new Set<number>();
    for (const m of members) {
      set.add(m.charCodeAt(0));
      if (this.ignoreCase) {
        set.add(m.toLowerCase().charCodeAt(0));
        set.add(m.toUpperCase().charCodeAt(0));
      }
    }
    return set;
  }

  private group(): Element {
    this.pos += 1;
    const empty = this.peek() === ')';
    let lookaround = false;
    if (this.source.startsWith('?:', this.pos)) this.pos += 2;
    else if (/^\?<?[=!]/.test(this.source.slice(this.pos))) {
      lookaround = true;
      this.pos += this.source[this.pos + 1] === '<' ? 3 : 2;
    } else if (this.peek() === '?') throw new Unsupported('named or flagged group');
    const branches: Branch[] = [this.branch()];
    while (this.peek() === '|') {
      this.pos += 1;
      branches.push(this.branch());
    }
    if (this.peek() !== ')') throw new Unsupported('unclosed group');
    this.pos += 1;
    // A lookaround asserts and consumes nothing, so it tells nothing about the match's own text.
    if (lookaround || empty) return { min: 0, zeroWidth: true };
    const min = Math.min(...branches.map((b) => b.min));
    if (branches.length === 1) {
      const b = branches[0] as Branch;
      return { min, anyOf: b.anyOf, chars: b.chars };
    }
    // One of the branches matches: the match holds that branch's prefix and one of its literals.
    const prefixes = branches.map((b) => b.prefix);
    const candidates: string[][] = [];
    if (prefixes.every(Boolean)) candidates.push(prefixes);
    if (branches.every((b) => b.anyOf !== undefined)) candidates.push(branches.flatMap((b) => b.anyOf as string[]));
    candidates.sort((x, y) => literalScore(y) - literalScore(x));
    const chars = branches.every((b) => b.chars !== undefined) ? new Set(branches.flatMap((b) => [...(b.chars as Set<number>)])) : undefined;
    return { min, anyOf: candidates[0], chars };
  }

  /** A bracketed class's members; undefined for a negated class or one with a class escape that is not modelled. */
  private charClass(): Set<number> | undefined {
    let i = this.pos + 1;
    const negated = this.source[i] === '^';
    if (negated) i += 1;
    let members = '';
    let known = !negated;
    if (this.source[i] === ']') throw new Unsupported('empty class');
    while (i < this.source.length && this.source[i] !== ']') {
      const c = this.source[i] as string;
      if (c === '\\') {
        const e = this.source[i + 1] ?? '';
        i += 2;
        // An escaped range start ([\x00-\x1f], [\.-z]) is not modelled: its members are not listed.
        if (this.source[i] === '-' && this.source[i + 1] !== ']') throw new Unsupported('range from an escape');
        const escaped = CLASS_ESCAPES[e];
        if (escaped !== undefined) members += escaped;
        else if (/[A-Za-z0-9]/.test(e)) known = false;
        else members += e;
        continue;
      }
      // a-z: a range between two plain characters (one up to an escape is not modelled)
      const to = this.source[i + 2];
      if (this.source[i + 1] === '-' && to !== undefined && to !== ']') {
        if (to === '\\') throw new Unsupported('range to an escape');
        for (let k = c.charCodeAt(0); k <= to.charCodeAt(0); k++) members += String.fromCharCode(k);
        i += 3;
        continue;
      }
      members += c;
      i += 1;
    }
    if (i >= this.source.length) throw new Unsupported('unclosed class');
    this.pos = i + 1;
    if (!known || [...members].some((m) => m.charCodeAt(0) >= 128)) return undefined;
    return this.charSet(members);
  }
}

/** The shortest literal of a set decides how often it turns up by chance; fewer literals are better. */
function literalScore(set: string[]): number {
  return Math.min(...set.map((s) => s.length)) * 1000 - set.length;
}

/** How often a set's characters turn up in ordinary text (letters and digits most, then joiners, blanks). */
function charWeight(set: Set<number>): number {
  let w = 0;
  for (const c of set) w += /[A-Za-z0-9]/.test(String.fromCharCode(c)) ? 10 : '-_./'.includes(String.fromCharCode(c)) ? 5 : c === 32 ? 3 : 1;
  return w;
}

/** Splits a source at its top-level '|' (outside groups and classes). */
function splitTopLevel(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i += 1;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') inClass = true;
    else if (c === '(') depth += 1;
    else if (c === ')') depth -= 1;
    else if (c === '|' && depth === 0) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(source.slice(start));
  return parts;
}

/** What the analysis found for one top-level alternative of a pattern (exported for the tests). */
export interface AlternativeFacts {
  source: string;
  /** Shortest match (0 when the alternative was not understood). */
  min: number;
  /** Literals one of which every match contains (in any case when the pattern ignores case); undefined when not understood or none named. */
  anyOf: string[] | undefined;
  /** Characters one of which every match contains; undefined when not understood or none named. */
  chars: number[] | undefined;
}

/** The facts for each top-level alternative of a pattern. Flags other than g, i, y are not modelled. */
export function analyzeAlternatives(pattern: RegExp): AlternativeFacts[] {
  if (/[^giy]/.test(pattern.flags)) return [{ source: pattern.source, min: 0, anyOf: undefined, chars: undefined }];
  const ignoreCase = pattern.flags.includes('i');
  return splitTopLevel(pattern.source).map((source) => {
    try {
      const b = new Analyzer(source, ignoreCase).whole();
      return { source, min: b.min, anyOf: b.anyOf, chars: b.chars && [...b.chars].sort((x, y) => x - y) };
    } catch (error) {
      if (!(error instanceof Unsupported)) throw error;
      return { source, min: 0, anyOf: undefined, chars: undefined };
    }
  });
}

/** A test on text[start, end): false only when the pattern cannot match anywhere inside it. */
export type Prefilter = (text: string, start: number, end: number) => boolean;

const always: Prefilter = () => true;

/**
 * False only when no alternative of `pattern` short enough to fit has one of its literals in the
 * text (compared ignoring ASCII case when the pattern does: without the u flag, /i never matches a
 * character past ASCII to one within it, nor the reverse).
 */
export function literalPrefilter(pattern: RegExp): Prefilter {
  const facts = analyzeAlternatives(pattern);
  if (facts.some((f) => f.anyOf === undefined || f.anyOf.some((l) => l.length === 0 || [...l].some((c) => c.charCodeAt(0) === 0 || c.charCodeAt(0) >= 128)))) {
    return always;
  }
  // FOLD maps a character to the form literals are kept in: lower case when the pattern ignores case.
  const ignoreCase = pattern.flags.includes('i');
  const FOLD = new Uint8Array(128);
  for (let c = 0; c < 128; c++) FOLD[c] = ignoreCase && c >= 65 && c <= 90 ? c + 32 : c;
  const folded = (l: string) => String.fromCharCode(...[...l].map((c) => FOLD[c.charCodeAt(0)] as number));
  // Each literal with the shortest match that needs it; text shorter than that cannot hold the match.
  const need = new Map<string, number>();
  for (const f of facts) {
    for (const l of f.anyOf as string[]) need.set(folded(l), Math.min(need.get(folded(l)) ?? Number.MAX_SAFE_INTEGER, f.min));
  }
  // Indexed by first character (1-character literals) or by first two characters (the rest): the
  // table holds the smallest such need, so most positions cost one look-up; a hit is confirmed
  // against the literals sharing those characters, smallest need first.
  const NONE = 0xffffffff;
  const single = new Uint32Array(128).fill(NONE);
  const pair = new Uint32Array(128 * 128).fill(NONE);
  const lists = new Map<number, { literal: string; min: number }[]>();
  for (const [literal, min] of need) {
    if (literal.length === 1) {
      const c = literal.charCodeAt(0);
      single[c] = Math.min(single[c] as number, min);
      continue;
    }
    const key = (literal.charCodeAt(0) << 7) | literal.charCodeAt(1);
    pair[key] = Math.min(pair[key] as number, min);
    const list = lists.get(key) ?? [];
    list.push({ literal, min });
    list.sort((x, y) => x.min - y.min);
    lists.set(key, list);
  }
  const holds = (text: string, at: number, literal: string): boolean => {
    for (let k = 2; k < literal.length; k++) {
      const c = text.charCodeAt(at + k);
      if (c >= 128 || FOLD[c] !== literal.charCodeAt(k)) return false;
    }
    return true;
  };
  const confirm = (text: string, at: number, end: number, key: number, n: number): boolean => {
    for (const { literal, min } of lists.get(key) as { literal: string; min: number }[]) {
      if (min > n) return false;
      if (at + literal.length <= end && holds(text, at, literal)) return true;
    }
    return false;
  };
  return (text, start, end) => {
    const n = end - start;
    let prev = 0; // 0 pairs with nothing: no literal holds NUL
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code >= 128) {
        prev = 0;
        continue;
      }
      const c = FOLD[code] as number;
      if ((single[c] as number) <= n) return true;
      const key = (prev << 7) | c;
      if ((pair[key] as number) <= n && confirm(text, i - 1, end, key, n)) return true;
      prev = c;
    }
    return false;
  };
}

/**
 * The characters (ASCII) one of which every match of `pattern` contains, as a table; undefined when
 * some alternative names none (then no character test is sound).
 */
export function requiredCharTable(pattern: RegExp): Uint8Array | undefined {
  const facts = analyzeAlternatives(pattern);
  if (facts.some((f) => f.chars === undefined)) return undefined;
  const table = new Uint8Array(128);
  for (const f of facts) for (const c of f.chars as number[]) table[c] = 1;
  return table;
}
