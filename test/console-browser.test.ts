import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SCENARIO_NAMES } from '@debbie/aiwhisperer-sim';
import { RemoteEventSink, startCollector, type RunningCollector } from '@debbie/collector';
import { ConsoleRoutes, SessionBoard } from '@debbie/console';
import type { DebbieEvent } from '@debbie/model';
import { createDebbie } from '@debbie/sdk';
import { openStore } from '@debbie/store';
import { LogStreamer } from '@debbie/stream';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.mjs';

const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const artifacts = fileURLToPath(new URL('../test-artifacts/console/', import.meta.url));
const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stall threshold of this test's console: 1 s of wall-clock silence shows a live session as stalled. */
const STALL_MS = 1_000;

/**
 * The console end to end: a real collector (DuckDB store, LogStreamer, the console's board and
 * routes), `debbie demo --url` sending the simulator's sessions live, the SDK reporting a span that
 * hangs, and real headless Chromium clicking through every page.
 */
describe('the console in headless Chromium', () => {
  let dir: string;
  let collector: RunningCollector;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const consoleErrors: string[] = [];
  const foreign: string[] = [];
  let stallEvents: DebbieEvent[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debbie-console-'));
    mkdirSync(artifacts, { recursive: true });
    // the continuation-stall session as the simulator records it (with its own commentary), to replay at a walking pace
    await exec(
      process.execPath,
      [bin, 'demo', '--scenario', 'continuation-stall', '--store', join(dir, 'recorded.duckdb'), '--out-dir', dir, '--format', 'json'],
      { cwd: dir },
    );
    const recorded = await openStore(join(dir, 'recorded.duckdb'), { readOnly: true });
    const [s] = await recorded.listSessions();
    stallEvents = await recorded.queryEvents({ sessionId: s!.session_id });
    await recorded.close();

    const store = await openStore(join(dir, 'live.duckdb'));
    const streamer = new LogStreamer();
    const board = new SessionBoard({ stallMs: STALL_MS });
    const ui = new ConsoleRoutes({ reader: store, live: streamer, board, beforeRead: () => collector.flush() });
    collector = await startCollector({ store, sinks: [streamer, board], port: 0, ui });
    origin = collector.url;

    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('request', (r) => {
      const url = r.url();
      if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('about:')) foreign.push(url);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await collector?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });
  /** A fresh load of a console address (a hash change alone would keep the old page's state). */
  const open = async (hash: string) => {
    await page.goto('about:blank');
    await page.goto(`${origin}/${hash}`);
  };

  it('serves the console at / with a CSP that keeps every request on this origin', async () => {
    const res = await fetch(`${origin}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toMatch(/script-src 'self'( 'sha256-[^']+')+;/);
    expect((await fetch(`${origin}/assets/main.js`)).headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${origin}/assets/../package.json`)).status).toBe(404);
  });

  it('shows sessions appearing live while `debbie demo --url` runs', async () => {
    await page.goto(`${origin}/`);
    await page.waitForSelector('#search');
    expect(await page.$$eval('.sessions .row[data-session]', (els) => els.length)).toBe(0);
    const demo = spawn(process.execPath, [bin, 'demo', '--url', origin, '--scenario', 'all', '--out-dir', dir], { cwd: dir, stdio: 'ignore' });
    const done = new Promise<number>((resolve) => demo.on('exit', (code) => resolve(code ?? -1)));
    // rows appear while the demo is still running: the list follows the live stream, not a reload
    await page.waitForFunction(() => document.querySelectorAll('.sessions .row[data-session]').length >= 2, undefined, { timeout: 30_000 });
    const whileRunning = await page.$$eval('.sessions .row[data-session]', (els) => els.length);
    expect(demo.exitCode).toBeNull();
    await shot('sessions-live');
    expect(await done).toBe(0);
    // one session per scenario of `--scenario all`
    const scenarios = SCENARIO_NAMES.length;
    await page.waitForFunction((n) => document.querySelectorAll('.sessions .row[data-session]').length >= n, scenarios, { timeout: 15_000 });
    expect(whileRunning).toBeLessThan(scenarios);
    const statuses = await page.$$eval('.sessions .row[data-session] .badge', (els) => els.map((e) => e.textContent));
    expect(statuses.length).toBe(scenarios);
    await shot('sessions');
  }, 120_000);

  it('filters and searches the sessions', async () => {
    await page.fill('#search', 'gpt-4o-mini');
    await page.waitForFunction(() => /q=gpt-4o-mini/.test(location.hash));
    await page.waitForFunction(() => document.querySelectorAll('.sessions .row[data-session]').length > 0);
    await page.fill('#search', 'no-such-thing-anywhere');
    await page.waitForFunction(() => document.querySelectorAll('.sessions .row[data-session]').length === 0);
    await page.fill('#search', '');
    await page.waitForFunction(() => document.querySelectorAll('.sessions .row[data-session]').length >= 9);
  });

  it('opens a session by click: waterfall, comments pinned to steps, details of a clicked step, collapse', async () => {
    const id = stallEvents[0]!.session_id!;
    await open('');
    await page.waitForFunction((s) => !!document.querySelector(`.sessions .row[data-session="${s}"]`), id);
    await page.click(`.sessions .row[data-session="${id}"] .c-id`);
    await page.waitForSelector('body[data-session-ready]');
    const rows = await page.$$eval('#waterfall .row', (els) => els.length);
    expect(rows).toBeGreaterThan(10);
    // Debbie's stall comments are rows of the tree, under the step they are about, and listed on top
    expect(await page.$$eval('#waterfall .row.comment', (els) => els.length)).toBeGreaterThan(0);
    expect(await page.$$eval('#comments div', (els) => els.map((e) => e.textContent).join('\n'))).toMatch(/continuation_stall/);
    // click a tool span: the details pane shows the whole event
    const tool = page.locator('#waterfall .row', { hasText: 'list_rfcs' }).first();
    await tool.click();
    await page.waitForFunction(() => /list_rfcs/.test(document.querySelector('#details h3')?.textContent ?? ''));
    expect(await page.textContent('#details')).toMatch(/span/);
    await shot('session-waterfall');
    // collapse the first root: fewer rows
    const before = await page.evaluate(() => Number(document.querySelector('#waterfall .spacer')!.getBoundingClientRect().height));
    await page.click('#waterfall .row .tog:text("▾")');
    const after = await page.evaluate(() => Number(document.querySelector('#waterfall .spacer')!.getBoundingClientRect().height));
    expect(after).toBeLessThan(before);
    // a deep link to the step reopens it selected
    const link = await page.evaluate(() => location.hash);
    expect(link).toMatch(/^#\/session\/.+\?event=/);
  });

  it("embeds the timeline (the report package's renderer) and the analysis report", async () => {
    await page.click('button[data-tab="timeline"]');
    const frame = page.frameLocator('iframe.embed');
    await frame.locator('canvas#canvas').waitFor({ timeout: 15_000 });
    await shot('session-timeline');
    await page.click('button[data-tab="report"]');
    await frame.locator('h1').waitFor();
    expect(await frame.locator('h1').textContent()).toMatch(/Debbie report/);
    await shot('session-report');
    await page.click('button[data-tab="waterfall"]');
  });

  it("shows a replayed continuation stall as stalled while silent, then Debbie's comment, then the intervention", async () => {
    const sid = 'stall-replay-1';
    const events = stallEvents.map((e) => ({ ...e, session_id: sid, event_id: `r-${e.event_id}` }));
    events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
    const firstComment = events.findIndex((e) => e.source === 'debbie_comment' && e.details.pattern === 'continuation_stall');
    expect(firstComment).toBeGreaterThan(0);
    // everything up to the silence that Debbie will comment on
    let silenceAt = firstComment - 1;
    while (silenceAt > 0 && (events[silenceAt]!.source === 'debbie' || events[silenceAt]!.source === 'debbie_comment')) silenceAt -= 1;
    for (const e of events.slice(0, silenceAt + 1)) collector.pipeline.write(e);
    await open(`#/session/${sid}`);
    await page.waitForSelector('body[data-session-ready]');
    // …silent: the console says stalled, with the silence growing, before any comment exists
    await page.waitForSelector('#stalled', { timeout: 5_000 });
    expect(await page.$$eval('#comments div', (els) => els.length)).toBe(0);
    await shot('session-stalled');
    const seen: string[] = ['stalled'];
    // Debbie's comment, then the intervention
    const comment = events[firstComment]!;
    collector.pipeline.write(comment);
    await page.waitForFunction(() => /continuation_stall/.test(document.getElementById('comments')?.textContent ?? ''), undefined, { timeout: 2_000 });
    seen.push('comment');
    const intervention = events.slice(firstComment + 1).find((e) => e.source === 'debbie')!;
    collector.pipeline.write(intervention);
    await page.waitForFunction(() => /intervention/.test(document.getElementById('comments')?.textContent ?? ''), undefined, { timeout: 2_000 });
    seen.push('intervention');
    expect(seen).toEqual(['stalled', 'comment', 'intervention']);
    await shot('session-comment');
    // the sessions list shows it stalled too while it is silent
    await open(`#/?q=${sid}`);
    await page.waitForFunction((id) => document.querySelector(`.sessions .row[data-session="${id}"] .badge`)?.textContent?.startsWith('stalled'), sid, {
      timeout: 10_000,
    });
  });

  it('shows a hung call as in progress with its running time (the SDK reports span starts), then finished', async () => {
    const sink = new RemoteEventSink({ url: origin });
    const debbie = createDebbie({ serviceName: 'console-test', sinks: [sink] });
    const sid = 'hung-call-1';
    const turn = debbie.logger.startSpan({ source: 'agent', session_id: sid, message: 'agent turn', agent_id: 'p' });
    const hung = debbie.logger.startSpan(
      { source: 'tool', session_id: sid, message: 'execute_tool slow_search', details: { tool_name: 'slow_search' } },
      turn.context,
    );
    await sink.forceFlush();
    await open(`#/session/${sid}`);
    await page.waitForSelector('body[data-session-ready]');
    await page.waitForSelector('#waterfall .row.pending', { timeout: 5_000 });
    expect(await page.$$eval('#waterfall .row.pending', (els) => els.length)).toBe(2);
    const first = await page.textContent('#waterfall .row.pending .dur');
    await sleep(1_200);
    const later = await page.textContent('#waterfall .row.pending .dur');
    expect(first).toMatch(/^running /);
    expect(later).not.toBe(first); // the running time moves while it hangs
    await page.click('#waterfall .row.pending .lbl:text("execute_tool slow_search")');
    await page.waitForFunction(() => /in progress/.test(document.getElementById('details')?.textContent ?? ''));
    await shot('session-in-progress');
    hung.end();
    turn.end();
    await debbie.forceFlush();
    await page.waitForFunction(() => document.querySelectorAll('#waterfall .row.pending').length === 0, undefined, { timeout: 3_000 });
    await debbie.shutdown();
    // the store holds each span once (starts never reach it)
    await collector.flush();
    const res = (await (await fetch(`${origin}/api/events?session=${sid}`)).json()) as DebbieEvent[];
    expect(res.filter((e) => e.kind === 'span').length).toBe(2);
    expect(res.some((e) => e.tags.includes('debbie.span_start'))).toBe(false);
  });

  it('follows a running session in the live tail within a second', async () => {
    const sid = 'tail-1';
    const base = Date.now();
    const ev = (i: number): DebbieEvent => ({
      ...stallEvents[1]!,
      session_id: sid,
      event_id: `tail-${i}`,
      span_id: null,
      parent_id: null,
      parent_span_id: null,
      kind: 'log',
      duration_ms: null,
      timestamp: new Date(base + i).toISOString(),
      event_summary: `tail line ${i}`,
      source: 'agent',
    });
    collector.pipeline.write(ev(0));
    await open(`#/session/${sid}?tab=tail`);
    await page.waitForSelector('body[data-session-ready]');
    await page.click('button[data-tab="tail"]');
    for (let i = 1; i <= 5; i++) {
      const sent = Date.now();
      collector.pipeline.write(ev(i));
      await page.waitForFunction((n) => [...document.querySelectorAll('#tail .row')].some((r) => r.textContent?.includes(`tail line ${n}`)), i, {
        timeout: 1_000,
      });
      expect(Date.now() - sent).toBeLessThan(1_000);
    }
    await shot('session-tail');
  });

  it('compares two runs by clicks: steps side by side, first divergence marked', async () => {
    await open('');
    await page.waitForFunction(() => document.querySelectorAll('.sessions .row[data-session]').length >= 9);
    const list = (await (await fetch(`${origin}/console/api/sessions?limit=100`)).json()) as {
      sessions: { session_id: string; latest_comment: unknown; event_count: number }[];
    };
    const a = stallEvents[0]!.session_id!;
    // a run of the simulator that Debbie had nothing to say about (the healthy scenario) against the stalled one
    const runs = list.sessions.filter((s) => s.session_id !== a && s.event_count > 50);
    const b = (runs.find((s) => s.latest_comment === null) ?? runs[0]!).session_id;
    await page.fill('#search', '');
    await page.click(`.sessions .row[data-session="${a}"] .c-cmp`);
    await page.click(`.sessions .row[data-session="${b}"] .c-cmp`);
    await page.click('#compare');
    await page.waitForSelector('body[data-compare-ready]');
    expect(await page.$$eval('#comparison tbody tr', (els) => els.length)).toBeGreaterThan(3);
    expect(await page.$('#first-divergence')).not.toBeNull();
    expect(page.url()).toContain(`#/compare/${a}/${b}`);
    await shot('compare');
  });

  it('has keyboard navigation and a dark theme', async () => {
    await open('');
    await page.waitForFunction(() => document.querySelectorAll('.sessions .row[data-session]').length >= 9);
    await page.keyboard.press('Escape');
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash.startsWith('#/session/'));
    await page.waitForSelector('body[data-session-ready]');
    await page.keyboard.press('j');
    await page.waitForFunction(() => /\?event=/.test(location.hash));
    await page.keyboard.press('t');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await shot('session-dark');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#search');
    await shot('sessions-dark');
    await page.keyboard.press('t');
  });

  it('made no request beyond its own origin and logged no console error', () => {
    expect(foreign).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

describe('the console behind a token', () => {
  it('asks for the token (login page or #token=), and never sends it in a URL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debbie-console-token-'));
    const store = await openStore(join(dir, 's.duckdb'));
    const ui = new ConsoleRoutes({ reader: store });
    const token = 's3cret-token-for-console';
    const collector = await startCollector({ store, port: 0, ui, token });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const urls: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => urls.push(r.url()));
      page.on('pageerror', (e) => errors.push(String(e)));
      expect((await fetch(`${collector.url}/console/api/info`)).status).toBe(401);
      await page.goto(`${collector.url}/`);
      await page.waitForSelector('#token');
      await page.screenshot({ path: join(artifacts, 'login.png') });
      await page.fill('#token', token);
      await page.click('form.login button');
      await page.waitForSelector('#search');
      // the fragment form: taken once and removed from the address bar
      const page2 = await browser.newPage();
      page2.on('request', (r) => urls.push(r.url()));
      await page2.goto(`${collector.url}/#token=${token}`);
      await page2.waitForSelector('#search');
      expect(page2.url()).not.toContain(token);
      expect(urls.filter((u) => u.includes(token))).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await collector.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('debbie collect', () => {
  it("prints the console's address and serves it there", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debbie-console-collect-'));
    const child = spawn(process.execPath, [bin, 'collect', '--store', join(dir, 'c.duckdb'), '--otlp-port', '0', '--stream-port', '0', '--no-commentary'], {
      cwd: dir,
    });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /console on (http:\/\/\S+?)\/(\s|$)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', () => reject(new Error(`collect exited: ${out}`)));
      });
      const res = await fetch(`${url}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('/assets/main.js');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
