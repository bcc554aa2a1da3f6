// Issue 14 figures, in real headless Chromium against a real collector (DuckDB store, LogStreamer,
// the console's routes), each next to a baseline measured in the same run:
//  1. time to first render of the sessions page with 10,000 sessions (goal ≤ 1 s), next to the same
//     page fetching the query API's whole session list (/api/sessions) and parsing it, rendering nothing;
//  2. time to first render of a session page with 100,000 events (goal ≤ 1.5 s), next to fetching and
//     parsing all of the same session's steps without rendering; plus the time until all are drawn and
//     the time to scroll its waterfall to the end;
//  3. event → screen latency under a 1,000 events/s stream into a live session (goal p99 ≤ 1 s), next to
//     the latency of the same events arriving in the page over the live endpoint (no rendering).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector } from '@debbie/collector';
import { ConsoleRoutes, SessionBoard } from '@debbie/console';
import { openStore } from '@debbie/store';
import { LogStreamer } from '@debbie/stream';
import { launchChromium } from '../test/chromium.mjs';

const SESSIONS = 10_000;
const BIG = 100_000;
const RATE = 1_000;
const STREAM_SECONDS = 5;
const RUNS = 3;
const T0 = Date.parse('2025-05-29T10:00:00Z');
const iso = (ms) => new Date(ms).toISOString().replace('Z', '000Z');

function ev(session, i, ms, source, summary, duration, parent, details, metrics) {
  return {
    timestamp: iso(ms),
    level: i % 97 === 0 ? 'ERROR' : 'INFO',
    component: source,
    action: source === 'tool' ? 'tool_execution' : 'step',
    event_summary: summary,
    event_id: `${session}-${i}`,
    duration_ms: duration,
    details,
    state_before: null,
    state_after: null,
    source,
    session_id: session,
    agent_id: i % 3 ? 'p' : 'e',
    correlation_id: null,
    parent_id: parent,
    tags: [],
    performance_metrics: metrics,
    stack_trace: null,
    context_snapshot: null,
    trace_id: null,
    span_id: duration === null ? null : `${session}-${i}`,
    parent_span_id: null,
    kind: duration === null ? 'log' : 'span',
    service_name: 'bench',
  };
}

/** Agent turns: a turn span, a model call, two tool calls, a log line each: 6 events per turn. */
function turns(session, count, startMs) {
  const out = [];
  let t = startMs;
  for (let i = 0; out.length < count; i++) {
    const turn = ev(session, out.length, t, 'agent', `turn ${i}`, 3_000, null, {}, null);
    out.push(turn);
    out.push(
      ev(
        session,
        out.length,
        t + 5,
        'ai_service',
        'chat openai/gpt-4o-mini',
        900,
        turn.event_id,
        { model: 'openai/gpt-4o-mini' },
        { input_tokens: 1200, output_tokens: 80 },
      ),
    );
    const tool = ev(session, out.length, t + 950, 'tool', `execute_tool read_file #${i}`, 120, turn.event_id, { tool_name: 'read_file' }, null);
    out.push(tool);
    out.push(ev(session, out.length, t + 960, 'tool', `read_file: ${i % 7} results`, null, tool.event_id, {}, null));
    out.push(ev(session, out.length, t + 1100, 'tool', `execute_tool search_code #${i}`, 300, turn.event_id, { tool_name: 'search_code' }, null));
    out.push(ev(session, out.length, t + 2900, 'session', 'continuation decision: True', null, turn.event_id, {}, null));
    t += 3_100;
  }
  return out.slice(0, count);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;

const dir = mkdtempSync(join(tmpdir(), 'debbie-console-bench-'));
const store = await openStore(join(dir, 'bench.duckdb'));
const streamer = new LogStreamer();
const board = new SessionBoard({ stallMs: 30_000 });
let collector;
const ui = new ConsoleRoutes({ reader: store, live: streamer, board, beforeRead: () => collector.flush() });
collector = await startCollector({ store, sinks: [streamer, board], port: 0, ui });
const browser = await launchChromium();
try {
  // ---- data: 10k small sessions and one of 100k events
  let batch = [];
  for (let s = 0; s < SESSIONS; s++) {
    batch.push(...turns(`s${String(s).padStart(5, '0')}`, 6, T0 + s * 60_000));
    if (batch.length >= 60_000) {
      await store.append(batch);
      batch = [];
    }
  }
  await store.append(batch);
  for (let k = 0; k < BIG; k += 50_000) await store.append(turns('big', BIG, T0 - 86_400_000).slice(k, k + 50_000));
  await store.forceFlush();
  console.log(`console assets: ${(ui.assetBytes / 1024).toFixed(1)} KiB (HTML, CSS, client modules; no framework)`);

  const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const fresh = async (url) => {
    await page.goto('about:blank');
    await page.goto(url);
  };

  // ---- 1. sessions page
  const listMs = [];
  const listBase = [];
  for (let r = 0; r < RUNS + 1; r++) {
    await fresh(`${collector.url}/`);
    await page.waitForSelector('body[data-sessions-ready]', { timeout: 60_000 });
    const ms = Number(await page.evaluate(() => document.body.dataset.sessionsReady));
    const rows = await page.$$eval('.sessions .row[data-session]', (els) => els.length);
    if (rows < 20) throw new Error(`sessions page rendered ${rows} rows`);
    if (r > 0) listMs.push(ms);
    else console.log(`sessions page, first load of a fresh collector (cold store; models/tokens/comments are read meanwhile): ${ms} ms`);
    await fresh(`${collector.url}/health`);
    listBase.push(
      await page.evaluate(async () => {
        const t = performance.now();
        const all = await (await fetch('/api/sessions')).json();
        if (all.length < 10_000) throw new Error('short list');
        return performance.now() - t + performance.getEntriesByType('navigation')[0].duration;
      }),
    );
  }
  console.log(
    `sessions page, ${SESSIONS} sessions, time to first render: ${median(listMs)} ms (goal ≤ 1000) vs fetching and parsing /api/sessions without rendering ${median(listBase).toFixed(0)} ms: ${ratio(median(listMs), median(listBase))}`,
  );

  // ---- 2. session page, 100k events
  const sesMs = [];
  const allMs = [];
  const sesBase = [];
  const scrollMs = [];
  for (let r = 0; r < RUNS; r++) {
    await fresh(`${collector.url}/#/session/big`);
    await page.waitForSelector('body[data-session-ready]', { timeout: 60_000 });
    sesMs.push(Number(await page.evaluate(() => document.body.dataset.sessionReadyMs)));
    await page.waitForSelector('body[data-session-loaded]', { timeout: 120_000 });
    const n = Number(await page.evaluate(() => document.body.dataset.sessionLoaded));
    if (n !== BIG) throw new Error(`session page loaded ${n} events`);
    allMs.push(Number(await page.evaluate(() => document.body.dataset.sessionLoadedMs)));
    scrollMs.push(
      await page.evaluate(
        () =>
          new Promise((resolve) => {
            const el = document.getElementById('waterfall');
            const t = performance.now();
            el.scrollTop = el.scrollHeight / 2;
            requestAnimationFrame(() => {
              el.scrollTop = el.scrollHeight;
              requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t)));
            });
          }),
      ),
    );
    await fresh(`${collector.url}/health`);
    sesBase.push(
      await page.evaluate(async () => {
        const t = performance.now();
        const text = await (await fetch('/console/api/sessions/big')).text();
        let rows = 0;
        for (const line of text.split('\n'))
          if (line) {
            const v = JSON.parse(line);
            if (v.rows) rows += v.rows.length;
          }
        if (rows !== 100_000) throw new Error('short session');
        return performance.now() - t + performance.getEntriesByType('navigation')[0].duration;
      }),
    );
  }
  console.log(
    `session page, ${BIG} events, time to first render: ${median(sesMs)} ms (goal ≤ 1500; the first rows are drawn while the rest stream in) vs fetching and parsing all its steps without rendering ${median(sesBase).toFixed(0)} ms: ${ratio(median(sesMs), median(sesBase))}`,
  );
  console.log(`  all ${BIG} events loaded and drawn: ${median(allMs)} ms: ${ratio(median(allMs), median(sesBase))} of the fetch-and-parse baseline`);
  console.log(`  scrolling its waterfall to the middle and the end: ${median(scrollMs).toFixed(0)} ms for both frames`);

  // ---- 3. event → screen latency at 1,000 events/s
  const live = 'live-bench';
  collector.pipeline.write({ ...turns(live, 1, Date.now())[0] });
  await fresh(`${collector.url}/#/session/${live}?tab=tail`);
  await page.waitForSelector('body[data-session-ready]');
  await page.evaluate((session) => {
    // screen: a row of the tail shows "lat <sent ms>"; arrival: the same events read off the live endpoint
    window.screenLat = new Map();
    window.arriveLat = new Map();
    const seen = window.screenLat;
    new MutationObserver(() => {
      const now = Date.now();
      for (const row of document.querySelectorAll('#tail .row')) {
        const m = /lat (\d+) (\d+)/.exec(row.textContent);
        if (m && !seen.has(m[1])) seen.set(m[1], now - Number(m[2]));
      }
    }).observe(document.getElementById('tail'), { subtree: true, childList: true, characterData: true });
    void (async () => {
      const res = await fetch(`/console/api/live?session=${session}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const now = Date.now();
        for (const m of value.matchAll(/lat (\d+) (\d+)/g)) if (!window.arriveLat.has(m[1])) window.arriveLat.set(m[1], now - Number(m[2]));
      }
    })();
  }, live);
  await new Promise((r) => setTimeout(r, 300));
  let sent = 0;
  const total = RATE * STREAM_SECONDS;
  const base = Date.now();
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((Date.now() - base) / 1000) * RATE));
      for (; sent < due; sent++) {
        const now = Date.now();
        collector.pipeline.write({
          ...turns(live, 1, now)[0],
          event_id: `lat-${sent}`,
          span_id: null,
          duration_ms: null,
          kind: 'log',
          event_summary: `lat ${sent} ${now}`,
        });
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await new Promise((r) => setTimeout(r, 1500));
  const { screen, arrive } = await page.evaluate(() => ({ screen: [...window.screenLat.values()], arrive: [...window.arriveLat.values()] }));
  console.log(
    `event → screen latency at ${RATE} events/s for ${STREAM_SECONDS} s: p50 ${pct(screen, 50)} ms, p99 ${pct(screen, 99)} ms (goal p99 ≤ 1000; ${screen.length}/${total} events seen on screen) ` +
      `vs arrival in the page over /console/api/live p50 ${pct(arrive, 50)} ms, p99 ${pct(arrive, 99)} ms (${arrive.length} seen): p99 ${ratio(pct(screen, 99), Math.max(1, pct(arrive, 99)))}`,
  );
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
}
