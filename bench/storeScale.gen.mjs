// Demo-shaped events at any size for bench/store-scale.bench.mjs: runs `debbie demo` once (the
// simulator's nine sessions, ~1,370 events, ~740 bytes each), then writes them as JSONL again and
// again with fresh session, event and parent ids, each copy 10 minutes after the previous.
import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function demoEvents(cli, dir) {
  const store = join(dir, 'demo.duckdb');
  const out = join(dir, 'demo.jsonl');
  for (const args of [
    ['demo', '--store', store, '--scenario', 'all'],
    ['export', '--store', store, '--all', '--format', 'jsonl', '--out', out],
  ]) {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`debbie ${args[0]} failed: ${r.stderr}`);
  }
  return readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

const suffix = (v, k) => (v === null || v === undefined ? v : `${v}-${k}`);

/** Writes `count` events (copies of `base`) to `path` as JSONL; resolves with the session ids written. */
export async function writeScaledJsonl(base, count, path) {
  const out = createWriteStream(path);
  const sessions = new Set();
  let written = 0;
  for (let k = 0; written < count; k++) {
    const shiftMs = k * 600_000;
    let chunk = '';
    for (const e of base) {
      if (written >= count) break;
      const t = new Date(Date.parse(e.timestamp) + shiftMs).toISOString().replace(/Z$/, `${e.timestamp.slice(23, 26)}Z`);
      const copy = {
        ...e,
        timestamp: t,
        event_id: suffix(e.event_id, k),
        session_id: suffix(e.session_id, k),
        parent_id: suffix(e.parent_id, k),
        correlation_id: suffix(e.correlation_id, k),
      };
      if (copy.session_id) sessions.add(copy.session_id);
      chunk += `${JSON.stringify(copy)}\n`;
      written += 1;
    }
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((resolve, reject) => out.end((error) => (error ? reject(error) : resolve())));
  return [...sessions];
}
