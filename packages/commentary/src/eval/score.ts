import type { DebbieEvent } from '@debbie/model';
import { eventMicros } from '../eventTime.js';
import { PATTERNS } from '../patterns.js';

/** A labelled interval of a run (the simulator's ground truth shape, or any other labelled source). */
export interface LabelledInterval {
  pattern: string;
  session_id: string;
  start_us: number;
  end_us: number;
}

/** One run to score: its ground truth and the commentary the processor emitted. */
export interface ScoredRun {
  name: string;
  faults: readonly LabelledInterval[];
  decoys: readonly LabelledInterval[];
  comments: readonly DebbieEvent[];
}

export interface PatternScore {
  pattern: string;
  faults: number;
  detected: number;
  insights: number;
  truePositives: number;
  falsePositives: number;
  /** False positives that fell inside a decoy interval (idle user, long chain, noisy errors). */
  decoyHits: number;
  recall: number | null;
  precision: number | null;
}

export interface ScoreOptions {
  /** An insight may open this long before a fault's labelled start (clock vs label granularity). Default 1 s. */
  earlyUs?: number;
  /** …and this long after its labelled end (a fault is labelled when it ends; detection can be a tick later). Default 2 s. */
  lateUs?: number;
}

/**
 * An insight matches a fault when it is about the same pattern and session and was raised (opened
 * or updated) while the fault was happening: between its start (less `early`) and its end (plus `late`).
 */
function matches(life: InsightLife, f: LabelledInterval, early: number, late: number): boolean {
  if (life.pattern !== f.pattern || life.session !== f.session_id) return false;
  return life.raisedUs.some((t) => t >= f.start_us - early && t <= f.end_us + late);
}

interface InsightLife {
  /** When the insight was opened and each time it was updated. */
  raisedUs: number[];
  pattern: string;
  session: string;
  openUs: number;
  closeUs: number;
  name: string;
}

/**
 * Insight lifetimes (open → resolved, or open to the end) from a run's commentary. Only what is
 * said above INFO is scored: an INFO note (a misused log level, a tool error the agent recovered
 * from) claims no fault.
 */
function lifetimes(run: ScoredRun): InsightLife[] {
  const byId = new Map<string, InsightLife>();
  for (const e of run.comments) {
    if (e.source !== 'debbie_comment') continue;
    const id = e.details.insight_id;
    const pattern = e.details.pattern;
    if (typeof id !== 'string' || typeof pattern !== 'string') continue;
    const t = eventMicros(e.timestamp);
    const notable = e.level !== 'INFO' && e.level !== 'DEBUG';
    if (e.action === 'insight')
      byId.set(id, { raisedUs: notable ? [t] : [], pattern, session: e.session_id ?? '', openUs: t, closeUs: Number.POSITIVE_INFINITY, name: run.name });
    else if (e.action === 'insight_update') {
      if (notable) byId.get(id)?.raisedUs.push(t);
    } else if (e.action === 'insight_resolved') {
      const life = byId.get(id);
      if (life) life.closeUs = t;
    }
  }
  return [...byId.values()].filter((l) => l.raisedUs.length > 0);
}

/**
 * Precision and recall per pattern. A fault is detected when an insight of its pattern in its
 * session was raised (opened or updated) during the fault (widened by early/late slack); an
 * insight is a true positive when it matches some fault that way, otherwise a false positive.
 */
export function scoreRuns(runs: readonly ScoredRun[], options: ScoreOptions = {}): PatternScore[] {
  const early = options.earlyUs ?? 1e6;
  const late = options.lateUs ?? 2e6;
  const scores = new Map<string, PatternScore>();
  const score = (p: string) => {
    let s = scores.get(p);
    if (!s) {
      s = { pattern: p, faults: 0, detected: 0, insights: 0, truePositives: 0, falsePositives: 0, decoyHits: 0, recall: null, precision: null };
      scores.set(p, s);
    }
    return s;
  };
  for (const p of PATTERNS) score(p);
  const overlaps = (life: InsightLife, f: LabelledInterval) => matches(life, f, early, late);
  for (const run of runs) {
    const lives = lifetimes(run);
    for (const f of run.faults) {
      const s = score(f.pattern);
      s.faults += 1;
      if (lives.some((l) => overlaps(l, f))) s.detected += 1;
    }
    for (const l of lives) {
      const s = score(l.pattern);
      s.insights += 1;
      if (run.faults.some((f) => overlaps(l, f))) s.truePositives += 1;
      else {
        s.falsePositives += 1;
        if (run.decoys.some((d) => d.session_id === l.session && l.openUs <= d.end_us + late && l.openUs >= d.start_us - early)) s.decoyHits += 1;
      }
    }
  }
  for (const s of scores.values()) {
    s.recall = s.faults > 0 ? s.detected / s.faults : null;
    s.precision = s.insights > 0 ? s.truePositives / s.insights : null;
  }
  return [...scores.values()].sort((a, b) => a.pattern.localeCompare(b.pattern));
}

/** Which insights were false positives, for tuning ("run: pattern in session at time"). */
export function falsePositives(runs: readonly ScoredRun[], options: ScoreOptions = {}): string[] {
  const early = options.earlyUs ?? 1e6;
  const late = options.lateUs ?? 2e6;
  const out: string[] = [];
  for (const run of runs) {
    for (const l of lifetimes(run)) {
      const hit = run.faults.some((f) => matches(l, f, early, late));
      if (!hit) out.push(`${run.name}: ${l.pattern} in ${l.session.slice(0, 8)} at ${new Date(l.openUs / 1000).toISOString()}`);
    }
  }
  return out;
}

/** Missed faults, for tuning. */
export function missedFaults(runs: readonly ScoredRun[], options: ScoreOptions = {}): string[] {
  const early = options.earlyUs ?? 1e6;
  const late = options.lateUs ?? 2e6;
  const out: string[] = [];
  for (const run of runs) {
    const lives = lifetimes(run);
    for (const f of run.faults) {
      if (!lives.some((l) => matches(l, f, early, late))) {
        out.push(
          `${run.name}: ${f.pattern} in ${f.session_id.slice(0, 8)} ${new Date(f.start_us / 1000).toISOString()}–${new Date(f.end_us / 1000).toISOString()}`,
        );
      }
    }
  }
  return out;
}

const pct = (v: number | null) => (v === null ? '   n/a' : `${(v * 100).toFixed(1).padStart(5)}%`);

/** The precision/recall table as fixed-width text. */
export function formatScoreTable(scores: readonly PatternScore[]): string {
  const lines = ['pattern              faults detected insights  TP  FP decoyFP  recall precision'];
  for (const s of scores) {
    lines.push(
      `${s.pattern.padEnd(20)} ${String(s.faults).padStart(6)} ${String(s.detected).padStart(8)} ${String(s.insights).padStart(8)} ${String(s.truePositives).padStart(3)} ${String(s.falsePositives).padStart(3)} ${String(s.decoyHits).padStart(7)}  ${pct(s.recall)}    ${pct(s.precision)}`,
    );
  }
  const total = scores.reduce((a, s) => ({ f: a.f + s.faults, d: a.d + s.detected, i: a.i + s.insights, tp: a.tp + s.truePositives }), {
    f: 0,
    d: 0,
    i: 0,
    tp: 0,
  });
  lines.push(
    `${'all'.padEnd(20)} ${String(total.f).padStart(6)} ${String(total.d).padStart(8)} ${String(total.i).padStart(8)} ${String(total.tp).padStart(3)} ${String(total.i - total.tp).padStart(3)}          ${pct(total.f ? total.d / total.f : null)}    ${pct(total.i ? total.tp / total.i : null)}`,
  );
  return lines.join('\n');
}
