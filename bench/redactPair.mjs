// Child of bench/redact.bench.mjs: times the redactor against the one before its pre-checks
// (baselines/redact-prev.mjs) on one set of events (JSONL file argv[2]), in a process of its own so
// neither has run on other shapes first. Prints one JSON line: median CPU µs per event of each and
// the median of each round's ratio.
import { readFileSync } from 'node:fs';
import { redactEvent } from '@debbie/model';
import * as prev from './baselines/redact-prev.mjs';

const ROUNDS = 15;
const PASS_EVENTS = 20_000; // a small set is repeated up to this many events per pass
const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean);
const pass = [];
while (pass.length < PASS_EVENTS) pass.push(...lines);
const cpu = (fn, list) => {
  const t0 = process.cpuUsage();
  for (const e of list) fn(e);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / list.length;
};
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const p = [];
const n = [];
const ratios = [];
for (let r = 0; r < ROUNDS; r++) {
  // fresh objects each round, as a worker parses them; prev and now alternate which goes first
  const a = pass.map((l) => JSON.parse(l));
  const b = pass.map((l) => JSON.parse(l));
  const first = r % 2 ? () => cpu(prev.redactEvent, a) : () => cpu(redactEvent, b);
  const second = r % 2 ? () => cpu(redactEvent, b) : () => cpu(prev.redactEvent, a);
  const x = first();
  const y = second();
  const [tp, tn] = r % 2 ? [x, y] : [y, x];
  p.push(tp);
  n.push(tn);
  ratios.push(tn / tp);
}
console.log(JSON.stringify({ events: lines.length, rounds: ROUNDS, prev: median(p), now: median(n), ratio: median(ratios) }));
