import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario, SCENARIO_NAMES } from '@debbie/aiwhisperer-sim';
import type { DebbieEvent } from '@debbie/model';
import { describe, expect, it } from 'vitest';
import { redactEvent, redactString, withoutPrefilters } from '../packages/model/src/redact.js';
import { OTLP_EXAMPLES, PUBLIC_DATA } from './sharedData.js';

// The redactor's pre-checks (packages/model/src/prefilter.ts) on what nobody here wrote: every
// string of the public agent runs and OTLP examples, and every event of every simulator scenario,
// redact the same with and without them (packages/model/src/prefilter.test.ts covers the corpus,
// secrets in context and random or mutated text).

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else yield p;
  }
}

/** Every string (and key) inside the JSON and JSONL files under `dir`, and each file's lines. */
function* strings(dir: string): Generator<string> {
  function* walk(v: unknown): Generator<string> {
    if (typeof v === 'string') yield v;
    else if (Array.isArray(v)) for (const x of v) yield* walk(x);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        yield k;
        yield* walk(x);
      }
    }
  }
  for (const file of files(dir)) {
    if (!/\.(json|jsonl|traj)$/.test(file)) continue;
    const text = readFileSync(file, 'utf8');
    const docs = file.endsWith('.jsonl') ? text.split('\n').filter(Boolean) : [text];
    for (const doc of docs) {
      yield doc.slice(0, 20_000);
      try {
        yield* walk(JSON.parse(doc));
      } catch {
        // not JSON: its text was yielded above
      }
    }
  }
}

describe('redaction with and without its pre-checks', () => {
  it('is the same on every string of the public agent runs and the OTLP examples', () => {
    let n = 0;
    for (const dir of [PUBLIC_DATA, OTLP_EXAMPLES]) {
      for (const s of strings(dir)) {
        n += 1;
        const fast = redactString(s);
        if (fast !== withoutPrefilters(() => redactString(s))) expect(fast, s.slice(0, 200)).toBe(withoutPrefilters(() => redactString(s)));
      }
    }
    expect(n).toBeGreaterThan(10_000);
  });

  it('is the same on every event of every simulator scenario (and again from the caches)', async () => {
    const events: DebbieEvent[] = [];
    for (const name of SCENARIO_NAMES) events.push(...(await runScenario(name, { seed: 7 })).events);
    expect(events.length).toBeGreaterThan(1000);
    for (let round = 0; round < 2; round++) {
      for (const e of events) expect(JSON.stringify(redactEvent(e))).toBe(JSON.stringify(withoutPrefilters(() => redactEvent(e))));
    }
  });
});
