/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours count 1). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidates nearest to what was typed: within a third of its length in edits (at least 1,
 * at most 3), or starting with it; best first. Empty when nothing is close.
 */
export function nearest(typed: string, candidates: readonly string[]): string[] {
  const limit = Math.min(3, Math.max(1, Math.floor(typed.length / 3)));
  const scored = candidates
    .map((c) => ({ c, d: c.startsWith(typed) && typed.length >= 2 ? 0.5 : editDistance(typed.toLowerCase(), c.toLowerCase()) }))
    .filter((s) => s.d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  return scored.slice(0, 3).map((s) => s.c);
}

/** " Did you mean X?" (or " Did you mean X or Y?"), or '' when nothing is close. */
export function didYouMean(typed: string, candidates: readonly string[], render: (c: string) => string = (c) => c): string {
  const near = nearest(typed, candidates);
  if (near.length === 0) return '';
  return ` Did you mean ${near.map(render).join(' or ')}?`;
}
