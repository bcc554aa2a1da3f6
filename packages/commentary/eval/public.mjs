// Scores the commentary's detectors on public agent runs nobody here made (../shared/data/public):
// per pattern and data set, precision and recall against their labels, next to the simulator's.
// Usage: node packages/commentary/eval/public.mjs [--verbose] [--json]
// (build first: pnpm run build). DEBBIE_COMMENTARY=<path to a built @debbie/commentary index.js>
// scores another build (e.g. the one before a change) on the same data.
import { runScenario, SCENARIO_NAMES, VARIANTS, SimClock } from '@debbie/aiwhisperer-sim';
import { anyAgentRuns, mastRuns, openHandsRuns, sweAgentRuns } from './publicData.mjs';

const commentary = await import(process.env.DEBBIE_COMMENTARY ?? '@debbie/commentary');
const evalApi = process.env.DEBBIE_COMMENTARY ? commentary : await import('@debbie/commentary/eval');
const { replayInsights } = commentary;
const { corpusCases, runCase, scoreRuns, TEST_SEEDS } = evalApi;
const verbose = process.argv.includes('--verbose');
const asJson = process.argv.includes('--json');

const notable = (i) => i.level !== 'INFO' && i.level !== 'DEBUG';
const pct = (x) => (x === null || Number.isNaN(x) ? '  n/a' : `${(x * 100).toFixed(0).padStart(4)}%`);
const rows = [];
const out = { tables: rows, notes: [], commentsPerSession: {} };
const log = (s = '') => {
  if (!asJson) console.log(s);
};

/** Precision and recall of "flagged" against labels over runs. */
function pr(items, flagged, label) {
  let tp = 0,
    fp = 0,
    fn = 0;
  for (const it of items) {
    const f = flagged(it),
      l = label(it);
    if (f && l) tp++;
    else if (f) fp++;
    else if (l) fn++;
  }
  return { tp, fp, fn, precision: tp + fp ? tp / (tp + fp) : null, recall: tp + fn ? tp / (tp + fn) : null };
}
function row(dataset, pattern, r, note = '') {
  rows.push({ dataset, pattern, ...r, note });
}

// --- MAST: "Step repetition", majority of three annotators ---
const mast = mastRuns().map((r) => ({ ...r, insights: replayInsights(r.events) }));
const repeats = (r) => r.insights.some((i) => i.pattern === 'repetition' || i.pattern === 'alternation' || i.pattern === 'tool_loop');
row(
  'MAST (19 traces)',
  'repetition',
  pr(mast, repeats, (r) => r.repetition),
  'label: "Step repetition", ≥2 of 3 annotators',
);
// The same trace text is labelled twice (rounds 1 and 2) with opposite majorities: score it once, by all six votes.
const byText = new Map();
for (const r of mast) {
  const g = byText.get(r.textKey) ?? { ...r, votes: 0, annotators: 0, records: [], positives: 0 };
  g.votes += r.repetitionVotes;
  g.annotators += 3;
  g.records.push(r.index);
  if (r.repetition) g.positives += 1;
  byText.set(r.textKey, g);
}
const unique = [...byText.values()].filter((g) => g.annotators === 3 || g.votes * 2 !== g.annotators);
row(
  'MAST (unique texts)',
  'repetition',
  pr(unique, repeats, (g) => g.votes * 2 > g.annotators),
  `${mast.length - byText.size} duplicate text(s) merged; ties dropped: ${byText.size - unique.length}`,
);
// Per record, identical texts get identical verdicts from any detector: the best precision reachable at recall ≥ 0.7.
const ceiling = perRecordCeiling([...byText.values()], 0.7);
const conflicts = [...byText.values()].filter((g) => g.positives > 0 && g.positives < g.records.length);
out.mastCeiling = { ...ceiling, conflicts: conflicts.map((g) => ({ records: g.records, md5: g.textKey, positives: g.positives })) };
out.notes.push(
  `MAST per-record ceiling: precision ≤ ${ceiling.precision.toFixed(2)} at recall ≥ 0.7 (best: TP ${ceiling.tp}, FP ${ceiling.fp}), because ${
    conflicts
      .map(
        (g) =>
          `records ${g.records.join(' and ')} are the same text (md5 ${g.textKey.slice(0, 8)}) labelled positive ${g.positives} time(s) of ${g.records.length}`,
      )
      .join('; ') || 'no identical texts disagree'
  }`,
);

/** The best precision any per-record detector can reach at the given recall when identical texts must get the same verdict. */
function perRecordCeiling(groups, minRecall) {
  const pos = groups.filter((g) => g.positives > 0);
  const total = groups.reduce((n, g) => n + g.positives, 0);
  let best = { precision: 0, tp: 0, fp: 0 };
  if (pos.length > 16) return best; // not enumerable; never the case here (two positive texts)
  for (let mask = 1; mask < 1 << pos.length; mask++) {
    let tp = 0,
      fp = 0;
    pos.forEach((g, i) => {
      if (mask & (1 << i)) {
        tp += g.positives;
        fp += g.records.length - g.positives;
      }
    });
    if (tp / total >= minRecall && tp / (tp + fp) > best.precision) best = { precision: tp / (tp + fp), tp, fp };
  }
  return best;
}
for (const r of mast) {
  const hits = r.insights.filter((i) => ['repetition', 'alternation', 'tool_loop'].includes(i.pattern));
  if (verbose || repeats(r) !== r.repetition) {
    out.notes.push(
      `${repeats(r) === r.repetition ? 'ok  ' : repeats(r) ? 'FP  ' : 'MISS'} ${r.name} votes=${r.repetitionVotes}/3 turns=${r.events.length}: ${hits.map((i) => i.summary.slice(0, 140)).join(' | ') || '-'}`,
    );
  }
}

// --- OpenHands: the run that hit its iteration limit; every run's ending ---
const oh = openHandsRuns().map((r) => ({ ...r, insights: replayInsights(r.events) }));
const limitRun = oh.find((r) => r.raw?.error?.includes?.('maximum iteration') || r.events.some((e) => /maximum iteration/i.test(e.event_summary)));
if (limitRun) {
  const lastUs = Date.parse(limitRun.events.at(-1).timestamp);
  const lastStep = limitRun.events.filter((e) => e.source === 'tool').at(-1);
  const early = limitRun.insights.filter(
    (i) =>
      notable(i) &&
      Date.parse(i.opened_at) < Date.parse(lastStep.timestamp) &&
      ['repetition', 'failing_tool', 'alternation', 'tool_loop', 'error_burst'].includes(i.pattern),
  );
  const named = early.filter((i) => i.evidence_event_ids.length >= 2);
  row(
    'OpenHands (iteration-limit run)',
    'stuck before last step',
    { tp: named.length ? 1 : 0, fp: 0, fn: named.length ? 0 : 1, precision: null, recall: named.length ? 1 : 0 },
    named.length
      ? `first: ${named[0].pattern} at ${named[0].opened_at} (last step ${lastStep.timestamp}), ${named[0].evidence_event_ids.length} steps named`
      : 'not flagged before the last step',
  );
  for (const i of limitRun.insights) out.notes.push(`OpenHands limit run: [${i.level}] ${i.pattern} @${i.opened_at}: ${i.summary.slice(0, 220)}`);
  void lastUs;
}
row(
  'OpenHands (9 runs)',
  'step_limit',
  pr(
    oh,
    (r) => r.insights.some((i) => i.pattern === 'step_limit'),
    (r) => r === limitRun,
  ),
  'label: the run whose end says "maximum iteration"',
);

// --- Healthy runs: nothing above INFO ---
const swe = sweAgentRuns().map((r) => ({ ...r, insights: replayInsights(r.events) }));
const any = anyAgentRuns().map((r) => ({ ...r, insights: replayInsights(r.events) }));
const healthy = [...any, ...swe.filter((r) => r.exitStatus === 'submitted')];
const loud = healthy.filter((r) => r.insights.some(notable));
row(
  'healthy: any-agent ×7 + SWE-agent submitted',
  'silence above INFO',
  { tp: healthy.length - loud.length, fp: loud.length, fn: 0, precision: (healthy.length - loud.length) / healthy.length, recall: null },
  loud.length
    ? `loud: ${loud
        .map(
          (r) =>
            `${r.name} (${r.insights
              .filter(notable)
              .map((i) => i.pattern)
              .join(',')})`,
        )
        .join('; ')}`
    : `${healthy.length} runs, none above INFO`,
);

// --- No whole agent run read as a slow model call ---
const agentAsModel = [...any, ...oh]
  .flatMap((r) => r.insights.filter((i) => i.pattern === 'slow_model').map((i) => ({ r, i })))
  .filter(({ r, i }) => i.evidence_event_ids.some((id) => r.events.find((e) => e.event_id === id)?.source === 'agent'));
row(
  'any-agent + OpenHands',
  'agent run as slow model call',
  { tp: 0, fp: agentAsModel.length, fn: 0, precision: null, recall: null },
  `${agentAsModel.length} (must be 0)`,
);

// --- The simulator (held-out seeds), for comparison ---
const sim = { runScenario, newClock: () => new SimClock() };
const simRuns = [];
for (const c of corpusCases(SCENARIO_NAMES, VARIANTS, TEST_SEEDS)) simRuns.push(await runCase(sim, c, {}));
for (const s of scoreRuns(simRuns))
  if (s.faults > 0 || s.insights > 0)
    row('simulator (held-out seeds)', s.pattern, {
      tp: s.truePositives,
      fp: s.falsePositives,
      fn: s.faults - s.detected,
      precision: s.precision,
      recall: s.recall,
    });
const simHealthy = simRuns.filter((r) => r.name.startsWith('healthy/'));
const simLoud = simHealthy.filter((r) => r.comments.some((c) => c.level !== 'INFO' && c.level !== 'DEBUG' && c.source === 'debbie_comment'));
row(
  'simulator healthy sessions',
  'silence above INFO',
  { tp: simHealthy.length - simLoud.length, fp: simLoud.length, fn: 0, precision: (simHealthy.length - simLoud.length) / simHealthy.length, recall: null },
  `${simHealthy.length} runs × variants`,
);

// --- Comments per session ---
const perSession = (comments) => {
  const m = new Map();
  for (const c of comments) m.set(c.session_id, (m.get(c.session_id) ?? 0) + 1);
  return m;
};
const commentsOf = (r) => r.insights.reduce((n, i) => n + i.comment_ids.length, 0);
const mean = (xs) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const cps = out.commentsPerSession;
for (const [name, runs] of [
  ['MAST', mast],
  ['OpenHands', oh],
  ['SWE-agent', swe],
  ['any-agent', any],
]) {
  const xs = runs.map(commentsOf);
  cps[name] = { sessions: xs.length, mean: +mean(xs).toFixed(2), max: Math.max(...xs) };
}
for (const scenario of SCENARIO_NAMES) {
  const xs = simRuns
    .filter((r) => r.name.startsWith(`${scenario}/`))
    .flatMap((r) => [...perSession(r.comments.filter((c) => c.source === 'debbie_comment')).values()]);
  cps[`sim:${scenario}`] = { sessions: xs.length, mean: +mean(xs).toFixed(2), max: xs.length ? Math.max(...xs) : 0 };
}

if (asJson) {
  console.log(JSON.stringify(out, null, 2));
} else {
  log('Commentary on public agent runs (and the simulator), per pattern and data set');
  log(`${'data set'.padEnd(44)} ${'pattern'.padEnd(30)}  TP  FP  FN precision recall  note`);
  for (const r of rows)
    log(
      `${r.dataset.padEnd(44)} ${r.pattern.padEnd(30)} ${String(r.tp).padStart(3)} ${String(r.fp).padStart(3)} ${String(r.fn).padStart(3)}    ${pct(r.precision)}  ${pct(r.recall)}  ${r.note}`,
    );
  log('\nComments per session (mean / max):');
  for (const [k, v] of Object.entries(cps)) log(`  ${k.padEnd(28)} ${String(v.sessions).padStart(4)} sessions  mean ${v.mean}  max ${v.max}`);
  log('\nNotes (misses and false alarms explained by what was said):');
  for (const n of out.notes) log(`  ${n}`);
}
