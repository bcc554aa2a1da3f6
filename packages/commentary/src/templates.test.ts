import { describe, expect, it } from 'vitest';
import { canonicalText, normalizeArguments, parsedArguments } from './templates.js';

// canonicalText is a shortcut: whenever it answers, it must answer what parsing gives.
describe('normal form of tool arguments without parsing', () => {
  it('takes compact sorted JSON and plain words as they are', () => {
    expect(canonicalText('{"path":"docs/rfc-1.md"}')).toBe('{"path":"docs/rfc-1.md"}');
    expect(canonicalText('{"a":[1,true,null,{"b":"x"}],"z":-12}')).toBe('{"a":[1,true,null,{"b":"x"}],"z":-12}');
    expect(canonicalText('[]')).toBe('[]');
    expect(canonicalText('ls -la src')).toBe('"ls -la src"');
  });

  it('drops blanks between tokens as parsing does', () => {
    expect(canonicalText('{ "a" : 1,\n  "b": [1, 2] }')).toBe('{"a":1,"b":[1,2]}');
    expect(normalizeArguments('{ "a" : 1,\n  "b": [1, 2] }')).toBe(parsedArguments('{ "a" : 1,\n  "b": [1, 2] }'));
  });

  it('leaves to parsing what it cannot write back verbatim', () => {
    for (const text of [
      '{"b":1,"a":2}', // unsorted
      '{"a":1,"a":2}', // repeated key
      '{"a":"x  y"}', // blanks inside a string
      '{"a":" x"}',
      '{"a":"\\u0041"}', // escape
      '{"a":"é"}', // not ASCII
      '{"a":1.50}',
      '{"a":1e3}',
      '{"a":-0}',
      '{"a":007}',
      '{"a":1234567890123456}', // beyond 15 digits
      '[1,]',
      '{"a":1',
      '{"a":1}x',
      '[[[[[[[[1]]]]]]]]', // deeper than canonical writes
      'two  spaces',
      'a\tb',
      'say "hi"',
      'é',
    ])
      expect(canonicalText(text), text).toBeNull();
  });

  it('agrees with parsing on generated arguments', () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const pieces = ['a', 'b', 'path', 'Z', '0', '10', '2', '_x', 'q r', 'é', '\\n', ' ', '"', '1.5', '-0', '-3', '42', '007', 'true', 'null'];
    const atom = (): string => {
      switch (rnd(6)) {
        case 0:
          return `"${pieces[rnd(pieces.length)]}${pieces[rnd(pieces.length)]}"`;
        case 1:
          return pieces[rnd(pieces.length)]!;
        case 2:
          return String(rnd(100000) - 500);
        default:
          return value(0);
      }
    };
    const blank = () => [' ', '', '', '\n', '  '][rnd(5)]!;
    function value(depth: number): string {
      if (depth > 8 || rnd(3) === 0) return rnd(2) ? `"${pieces[rnd(pieces.length)]}"` : String(rnd(50));
      const n = rnd(4);
      const items: string[] = [];
      if (rnd(2) === 0) {
        const keys = Array.from({ length: n }, () => pieces[rnd(pieces.length)]!);
        if (rnd(3) > 0) keys.sort();
        for (const k of keys) items.push(`${blank()}"${k}"${blank()}:${blank()}${rnd(4) ? value(depth + 1) : atom()}`);
        return `{${items.join(',')}${blank()}}`;
      }
      for (let i = 0; i < n; i++) items.push(`${blank()}${rnd(4) ? value(depth + 1) : atom()}`);
      return `[${items.join(',')}]`;
    }
    let fast = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = rnd(5) === 0 ? `${pieces[rnd(pieces.length)]}${blank()}${pieces[rnd(pieces.length)]}` : value(0);
      const c = canonicalText(text.trim());
      if (c !== null) {
        fast += 1;
        expect(c, text).toBe(parsedArguments(text));
      }
      expect(normalizeArguments(text), text).toBe(parsedArguments(text));
    }
    expect(fast).toBeGreaterThan(2_000); // the shortcut is taken often, not only on trivial inputs
  });
});
