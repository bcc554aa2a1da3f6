import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.mjs';

const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const artifacts = fileURLToPath(new URL('../test-artifacts/console/', import.meta.url));

/**
 * Simulated time runs at SPEED× real time: the demo's 30 s stall threshold (its own commentary,
 * default config) is 6 s of wall-clock silence, while the collector's console calls a session
 * stalled after 1 s of silence, so the console shows the stall while it happens, before the comment.
 */
const SPEED = 5;

/** Resolves with the first line of `child`'s stdout that matches `re` (rejects if it exits first). */
function lineOf(child: ChildProcess, re: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(re);
      if (m) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before printing ${re}: ${out}${err}`)));
  });
}

/**
 * Issue 14's "done when", with nothing replayed: the real built CLI's `debbie collect` serving the
 * console, and `debbie demo --url … --scenario continuation-stall --speed 5` sending a session live.
 * The console shows the session appear, then stalled while it is silent (before any comment),
 * then Debbie's comment, then the intervention.
 */
describe('the console watching `debbie demo --url --speed` live', () => {
  let dir: string;
  let collect: ChildProcess;
  let demo: ChildProcess | undefined;
  let browser: Browser;
  let page: Page;
  let origin: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debbie-console-live-'));
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(dir, 'collect.yaml'), 'debbie_config:\n  commentary: {thresholds: {stall_seconds: 1}}\n');
    collect = spawn(
      process.execPath,
      [
        bin,
        'collect',
        '--otlp-port',
        '0',
        '--grpc-port',
        'off',
        '--stream-port',
        '0',
        '--store',
        join(dir, 'live.duckdb'),
        '--config',
        join(dir, 'collect.yaml'),
      ],
      { cwd: dir },
    );
    origin = (await lineOf(collect, /console on (http:\/\/127\.0\.0\.1:\d+)\//))[1]!;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  });

  afterAll(async () => {
    await browser?.close();
    demo?.kill('SIGTERM');
    collect?.kill('SIGTERM');
    await new Promise((r) => (collect && collect.exitCode === null ? collect.once('exit', r) : r(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("shows the session appear, stalled while silent, then Debbie's comment, then the intervention", async () => {
    await page.goto(`${origin}/`);
    await page.waitForSelector('#search');
    expect(await page.$$eval('.sessions .row[data-session]', (els) => els.length)).toBe(0);

    demo = spawn(
      process.execPath,
      [bin, 'demo', '--url', origin, '--scenario', 'continuation-stall', '--speed', String(SPEED), '--out-dir', dir, '--format', 'json'],
      { cwd: dir, stdio: 'ignore' },
    );
    // the session appears in the list while the demo runs
    const row = await page.waitForSelector('.sessions .row[data-session]', { timeout: 20_000 });
    const sid = (await row.getAttribute('data-session'))!;
    await page.click(`.sessions .row[data-session="${sid}"] .c-id`);
    await page.waitForSelector('body[data-session-ready]');

    // Record, in the page, each change of what it shows: stalled note, stall comments, interventions.
    await page.evaluate(() => {
      const w = window as unknown as { __seen: string[]; __start: { open: number; interventions: number } };
      const counts = () => {
        const items = [...document.querySelectorAll('#comments .cpat')].map((e) => e.textContent ?? '');
        return { open: items.filter((t) => t === 'continuation_stall (open)').length, interventions: items.filter((t) => t.startsWith('intervention')).length };
      };
      w.__start = counts();
      w.__seen = [];
      let last = { ...w.__start, stalled: false };
      const look = () => {
        const now = { ...counts(), stalled: !!document.getElementById('stalled') };
        if (now.stalled && !last.stalled) w.__seen.push('stalled');
        if (now.open > last.open) w.__seen.push('comment');
        if (now.interventions > last.interventions) w.__seen.push('intervention');
        last = now;
      };
      new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const start = await page.evaluate(() => (window as unknown as { __start: { open: number; interventions: number } }).__start);
    // the page is watching before Debbie said anything about this session
    expect(start).toEqual({ open: 0, interventions: 0 });

    // silent: the console says stalled before any comment exists
    await page.waitForSelector('#stalled', { timeout: 20_000 });
    expect(await page.$$eval('#comments .cpat', (els) => els.length)).toBe(0);
    await page.screenshot({ path: join(artifacts, 'demo-live-stalled.png') });
    // then Debbie's comment, then the intervention that unsticks the agent
    await page.waitForFunction(() => /intervention \(continuation_stall\)/.test(document.getElementById('comments')?.textContent ?? ''), undefined, {
      timeout: 30_000,
    });
    await page.screenshot({ path: join(artifacts, 'demo-live-intervention.png') });
    const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
    expect(seen.slice(0, 3)).toEqual(['stalled', 'comment', 'intervention']);
    expect(consoleErrors).toEqual([]);
  }, 60_000);
});
