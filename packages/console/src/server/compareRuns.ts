import { isSpanStart, type DebbieEvent, type EventReader } from '@debbie/model';
import type { AlignedRow, RunComparison, RunSide, RunStep } from '../client/types.js';

export type { AlignedRow, RunComparison, RunSide, RunStep } from '../client/types.js';

function stepOf(e: DebbieEvent): (Omit<RunStep, 'start_ms'> & { t: number }) | undefined {
  if (e.kind !== 'span' || isSpanStart(e)) return undefined;
  const d = e.details;
  let kind: RunStep['kind'];
  let name: string;
  if (e.source === 'tool') {
    kind = 'tool';
    name = typeof d.tool_name === 'string' ? d.tool_name : e.component;
  } else if (e.source === 'ai_service') {
    kind = 'model';
    name = typeof d.model === 'string' ? d.model : e.component;
  } else return undefined;
  const m = e.performance_metrics ?? {};
  return {
    key: `${kind}:${name}`,
    kind,
    name,
    event_id: e.event_id,
    t: Date.parse(e.timestamp),
    duration_ms: e.duration_ms ?? 0,
    input_tokens: m.input_tokens ?? 0,
    output_tokens: m.output_tokens ?? 0,
    error: e.level === 'ERROR' || e.level === 'CRITICAL',
  };
}

async function readRun(reader: EventReader, sessionId: string, maxSteps: number): Promise<RunSide> {
  const raw: (Omit<RunStep, 'start_ms'> & { t: number })[] = [];
  let dropped = 0;
  for await (const page of reader.streamEvents({ sessionId, sources: ['tool', 'ai_service'] }, { batchSize: 5_000 })) {
    for (const e of page) {
      const s = stepOf(e);
      if (!s) continue;
      if (raw.length >= maxSteps) dropped += 1;
      else raw.push(s);
    }
  }
  raw.sort((x, y) => x.t - y.t);
  const t0 = raw[0]?.t ?? 0;
  const steps = raw.map(({ t, ...s }) => ({ ...s, start_ms: t - t0 }));
  const totals = { duration_ms: 0, input_tokens: 0, output_tokens: 0, errors: 0 };
  for (const s of steps) {
    totals.duration_ms += s.duration_ms;
    totals.input_tokens += s.input_tokens;
    totals.output_tokens += s.output_tokens;
    if (s.error) totals.errors += 1;
  }
  return { session_id: sessionId, steps, dropped, totals };
}

/** Cells of the LCS table at most (4 bytes each: 16 MB). */
const MAX_LCS_CELLS = 4_000_000;

/**
 * Aligns two step sequences by their longest common subsequence (what a diff does), so an
 * extra or missing call shows as a gap instead of shifting every later row.
 */
export function alignSteps(a: readonly string[], b: readonly string[]): AlignedRow[] {
  const n = a.length;
  const m = b.length;
  if (n * m > MAX_LCS_CELLS) {
    // too big for the table: pair by position (still marks the first divergence right)
    return Array.from({ length: Math.max(n, m) }, (_, k) => ({ a: k < n ? k : null, b: k < m ? k : null, same: k < n && k < m && a[k] === b[k] }));
  }
  // lcs[i][j] = LCS length of a[i..], b[j..]; one typed row per i keeps it compact
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const next = lcs[i + 1]!;
    for (let j = m - 1; j >= 0; j--) row[j] = a[i] === b[j] ? next[j + 1]! + 1 : Math.max(next[j]!, row[j + 1]!);
  }
  const rows: AlignedRow[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) rows.push({ a: i++, b: j++, same: true });
    else if (i < n && j < m && lcs[i + 1]![j]! === lcs[i]![j + 1]!)
      rows.push({ a: i++, b: j++, same: false }); // a substitution
    else if (j >= m || (i < n && lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) rows.push({ a: i++, b: null, same: false });
    else rows.push({ a: null, b: j++, same: false });
  }
  return rows;
}

/** Compares two runs step by step (tool and model calls). Each side keeps at most maxSteps (default 5,000). */
export async function compareRuns(reader: EventReader, a: string, b: string, maxSteps = 5_000): Promise<RunComparison> {
  const [ra, rb] = await Promise.all([readRun(reader, a, maxSteps), readRun(reader, b, maxSteps)]);
  const rows = alignSteps(
    ra.steps.map((s) => s.key),
    rb.steps.map((s) => s.key),
  );
  const first = rows.findIndex((r) => !r.same);
  return { a: ra, b: rb, rows, first_divergence: first === -1 ? null : first };
}
