// Issue 13 item 5 figure: the cost of the one redactor (run on every event at the pipeline's
// entrance) against the redactor it replaced (bench/baselines/redact-before.mjs), same run, same
// events. Events: every step of the public OpenHands and SWE-agent runs (real agent text: code,
// diffs, shell output, prompts; /work/shared/data/public or ../shared/data/public), plus demo-shaped
// tool events, 1 in 100 carrying a secret from the corpus. Also counts how many clean real strings
// the new redactor changes (false positives on real data).
// Second baseline (bench/baselines/redact-prev.mjs): the redactor before its pre-checks read off the
// patterns (packages/model/src/prefilter.ts), on the same events plus `debbie demo`'s events (what an
// ingest worker redacts, parsed afresh each round as a worker sees them) and the OTLP spec example
// spans (what the collector's main thread redacts); it must give the same output on every event.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeJsonDocument } from '@debbie/collector';
import { createEvent, redactEvent, redactString } from '@debbie/model';
import { redactionCacheStats } from '../packages/model/dist/redact.js';
import * as before from './baselines/redact-before.mjs';
import * as prev from './baselines/redact-prev.mjs';
import { demoEvents } from './storeScale.gen.mjs';
import { otlpShapedEvents } from './otlpShaped.gen.mjs';

const ROUNDS = 9;
const candidates = ['/work/shared/data/public', join(process.cwd(), '../../shared/data/public'), join(process.cwd(), '../shared/data/public')];
const publicDir = candidates.find((d) => existsSync(d));

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else yield p;
  }
}

const events = [];
if (publicDir) {
  for (const file of walk(publicDir)) {
    if (file.endsWith('output.jsonl')) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        for (const step of JSON.parse(line).history ?? []) {
          events.push(
            createEvent({
              source: 'agent',
              component: String(step.source ?? 'agent'),
              action: String(step.action ?? 'step'),
              event_summary: String(step.message ?? '').slice(0, 500),
              session_id: 'oh-session',
              details: step,
            }),
          );
        }
      }
    } else if (file.endsWith('.traj')) {
      const traj = JSON.parse(readFileSync(file, 'utf8'));
      for (const step of traj.trajectory ?? []) {
        events.push(
          createEvent({
            source: 'agent',
            component: 'swe-agent',
            action: 'step',
            event_summary: String(step.thought ?? '').slice(0, 500),
            session_id: 'swe-session',
            details: step,
          }),
        );
      }
    }
  }
}
for (let i = 0; i < 5000; i++) {
  events.push(
    createEvent({
      source: 'tool',
      component: 'list_rfcs',
      action: 'tool_execution',
      event_summary: `tool call ${i} finished`,
      session_id: '3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f',
      correlation_id: `94988082-turn-${i >> 4}`,
      agent_id: 'p',
      duration_ms: 12.5,
      details: {
        tool_name: 'list_rfcs',
        arguments: { path: `docs/rfc-${i}.md`, limit: 20 },
        input_tokens: 1200,
        output_tokens: 80,
        result: `found ${i % 7} RFCs under docs/ (see https://example.com/docs/rfc-${i})`,
      },
    }),
  );
}
const { SECRET_CASES } = await import('../packages/model/dist/redact.corpus.js').catch(() => ({ SECRET_CASES: [] }));
for (let i = 0; i < events.length; i += 100) {
  const c = SECRET_CASES[(i / 100) % Math.max(1, SECRET_CASES.length)];
  if (c) events[i] = { ...events[i], event_summary: c.text };
}

// Real strings the new redactor changes although the old one did not: candidates for false positives.
let changed = 0;
const samples = [];
function visit(v) {
  if (typeof v === 'string') {
    if (redactString(v) !== v && before.redactString(v) === v) {
      changed += 1;
      if (samples.length < 5) samples.push(v.slice(0, 120));
    }
  } else if (v && typeof v === 'object') for (const x of Object.values(v)) visit(x);
}
for (const e of events.slice(0, events.length - 5000)) visit(e.details);

function time(fn, list) {
  const t0 = process.hrtime.bigint();
  for (const e of list) fn(e);
  return Number(process.hrtime.bigint() - t0) / 1e3 / list.length; // µs per event
}
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const real = events.slice(0, events.length - 5000);
const demo = events.slice(events.length - 5000);
const sets = [
  ['all', events],
  ['public agent runs', real],
  ['demo-shaped tool events', demo],
];
const results = sets.map(() => ({ old: [], now: [] }));
for (let r = 0; r < ROUNDS; r++) {
  sets.forEach(([, list], i) => {
    results[i].old.push(time(before.redactEvent, list));
    results[i].now.push(time(redactEvent, list));
  });
}
const bytes = events.reduce((n, e) => n + JSON.stringify(e).length, 0);
console.log(
  `redaction, ${events.length} events (${(bytes / events.length).toFixed(0)} B of JSON each on average, ${real.length} from public agent runs), median of ${ROUNDS} rounds:`,
);
console.log(`  before = 5 patterns over the free-form fields; now = the ${SECRET_CASES.length}-form corpus over every field`);
sets.forEach(([name, list], i) => {
  const o = median(results[i].old);
  const n = median(results[i].now);
  console.log(
    `  ${name.padEnd(24)} (${String(list.length).padStart(5)}): before ${o.toFixed(2)} µs/event, now ${n.toFixed(2)} µs/event, ratio now/before ${(n / o).toFixed(2)}`,
  );
});
const masks = (fn) => SECRET_CASES.filter((c) => !fn(c.text).includes(c.secret)).length;
console.log(`  corpus forms masked: before ${masks(before.redactString)} of ${SECRET_CASES.length}, now ${masks(redactString)} of ${SECRET_CASES.length}`);
console.log(`  real strings newly masked (possible false positives): ${changed}${samples.length ? `, e.g. ${JSON.stringify(samples)}` : ''}`);

// --- now against prev (the redactor before its pre-checks), CPU time, events parsed afresh each round
const here = dirname(fileURLToPath(import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'debbie-redact-bench-'));
let demoRun = [];
demoRun = demoEvents(join(here, '..', 'packages/cli/dist/bin.js'), work);
// Copies with fresh ids, as bench/storeScale.gen.mjs writes them for the 550k-event ingest.
const suffix = (v, k) => (v === null || v === undefined ? v : `${v}-${k}`);
const demoLines = [];
for (let k = 0; k < 20; k++) {
  for (const e of demoRun) {
    const ids = {
      event_id: suffix(e.event_id, k),
      session_id: suffix(e.session_id, k),
      parent_id: suffix(e.parent_id, k),
      correlation_id: suffix(e.correlation_id, k),
    };
    demoLines.push(JSON.stringify({ ...e, ...ids }));
  }
}
// The OTLP spec's example requests (shared/data/otlp-examples) as the collector turns them into events.
const otlpDir = [join(here, '../../shared/data/otlp-examples'), join(here, '../../../shared/data/otlp-examples'), '/work/shared/data/otlp-examples'].find((d) =>
  existsSync(d),
);
const otlpLines = [];
if (otlpDir) {
  const spans = [];
  for (const file of walk(otlpDir)) {
    if (!file.endsWith('.json')) continue;
    try {
      spans.push(...decodeJsonDocument(JSON.parse(readFileSync(file, 'utf8')), file).events);
    } catch {
      // not an OTLP request
    }
  }
  for (let k = 0; k < 2000 && spans.length > 0; k++) {
    for (const e of spans)
      otlpLines.push(
        JSON.stringify({ ...e, event_id: suffix(e.event_id, k), trace_id: e.trace_id && `${e.trace_id.slice(0, 24)}${k.toString(16).padStart(8, '0')}` }),
      );
  }
}
const otlpShapedLines = otlpShapedEvents(40_000, { redacted: false }).map((e) => JSON.stringify(e));

const fresh = [
  ['debbie demo events', demoLines],
  ['OTLP-shaped spans', otlpShapedLines],
  ['OTLP spec example spans', otlpLines],
  ['public agent runs (above)', real.map((e) => JSON.stringify(e))],
  ['demo-shaped tool events (above)', demo.map((e) => JSON.stringify(e))],
].filter(([, lines]) => lines.length > 0);
let differ = 0;
for (const [, lines] of fresh) {
  for (const line of lines) if (JSON.stringify(redactEvent(JSON.parse(line))) !== JSON.stringify(prev.redactEvent(JSON.parse(line)))) differ += 1;
}
console.log('against the redactor before its pre-checks (prev), CPU µs per event, each set in a process of its own (bench/redactPair.mjs):');
for (const [name, lines] of fresh) {
  const file = join(work, 'set.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  const child = spawnSync(process.execPath, [join(here, 'redactPair.mjs'), file], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`redactPair.mjs failed on ${name}: ${child.stderr}`);
  const r = JSON.parse(child.stdout);
  console.log(
    `  ${name.padEnd(32)} (${String(lines.length).padStart(6)}): prev ${r.prev.toFixed(2)} µs/event, now ${r.now.toFixed(2)} µs/event, ratio now/prev ${r.ratio.toFixed(2)} (median of ${r.rounds} rounds' ratios)`,
  );
}
rmSync(work, { recursive: true, force: true });
console.log(`  events redacted differently from prev: ${differ} (must be 0)`);
const stats = redactionCacheStats();
const rate = (c) =>
  `${c.lookups} look-ups, ${((100 * c.hits) / Math.max(1, c.lookups)).toFixed(1)}% hits, emptied ${c.emptied}×, ${c.skipped} strings skipped it (bound 4,096 entries)`;
console.log(`  caches in this process (the sets above, redacted once each): names ${rate(stats.names)}; short values ${rate(stats.shortValues)}`);
