import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createEvent, isoFromEpochMillis, type DebbieEvent, type DebbieEventInit } from '@debbie/model';
import { buildTimelineData, renderTimelineHtml } from '@debbie/report';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const T0 = Date.parse('2025-05-29T10:15:00Z');

/**
 * A session like AIWhisperer's: turns by agents p and e (agent span → model call → tool calls
 * with point logs), a stall after a tool (the continuation issue), Debbie comments, errors,
 * and a hostile summary that tries to close the script element.
 */
function session(): DebbieEvent[] {
  const out: DebbieEvent[] = [];
  let n = 0;
  const add = (ms: number, init: Omit<DebbieEventInit, 'timestamp'>) => {
    const e = createEvent({ session_id: 'abc123', event_id: `ev${String(++n).padStart(4, '0')}`, ...init, timestamp: isoFromEpochMillis(T0 + ms) });
    out.push(e);
    return e;
  };
  let t = 0;
  const tools = ['list_rfcs', 'read_file', 'search_code', 'write_file'];
  for (let turn = 0; turn < 12; turn++) {
    const agent = turn % 3 === 2 ? 'e' : 'p';
    const corr = `turn-${turn}`;
    add(t, {
      source: 'websocket',
      event_summary: `sendUserMessage #${turn}`,
      action: 'send_user_message',
      correlation_id: corr,
      details: { rpc_method: 'sendUserMessage' },
    });
    const span = add(t + 5, {
      source: 'agent',
      event_summary: `agent ${agent} turn ${turn}`,
      duration_ms: 2600,
      agent_id: agent,
      correlation_id: corr,
      component: 'agent_loop',
    });
    add(t + 10, {
      source: 'ai_service',
      event_summary: 'chat openai/gpt-4o',
      duration_ms: 900 + turn * 20,
      agent_id: agent,
      correlation_id: corr,
      parent_id: span.event_id,
      details: { model: 'openai/gpt-4o' },
      performance_metrics: { input_tokens: 1200, output_tokens: 90 },
    });
    for (let k = 0; k < 3; k++) {
      const name = tools[(turn + k) % tools.length]!;
      const tool = add(t + 950 + turn * 20 + k * 500, {
        source: 'tool',
        event_summary: `execute_tool ${name}`,
        duration_ms: name === 'read_file' ? 450 : 120,
        agent_id: agent,
        correlation_id: corr,
        parent_id: span.event_id,
        details: { tool_name: name },
      });
      add(t + 960 + turn * 20 + k * 500, {
        source: 'tool',
        event_summary: `${name}: 3 results`,
        agent_id: agent,
        correlation_id: corr,
        parent_id: tool.event_id,
        level: turn === 7 && k === 1 ? 'ERROR' : 'INFO',
      });
    }
    add(t + 2620, { source: 'session', event_summary: `CONTINUATION DECISION: ${turn === 5 ? 'False' : 'True'}`, agent_id: agent, correlation_id: corr });
    t += turn === 5 ? 48_000 : 3_000; // turn 5 ends in a 45 s stall
    if (turn === 5)
      add(t - 20_000, {
        source: 'debbie_comment',
        event_summary: 'Detected stall pattern: agent p waiting after list_rfcs',
        details: { pattern: 'tool_execution_stall', confidence: 0.92 },
      });
  }
  add(t, { source: 'server', level: 'CRITICAL', event_summary: 'x</script><script>window.pwned=1</script><!-- boom', details: { note: '</SCRIPT>' } });
  add(t + 100, { source: 'debbie_comment', event_summary: 'Error burst in tool results', details: { pattern: 'error_pattern', confidence: 0.8 } });
  return out;
}

describe('HTML timeline in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  const events = session();
  const consoleErrors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debbie-timeline-'));
    const file = join(dir, 'session_abc123.html');
    writeFileSync(file, renderTimelineHtml(buildTimelineData(events, { gapThresholdMs: 30_000 })));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    const url = pathToFileURL(file).href;
    // the page must make no request at all beyond loading itself: fail every other one
    await page.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="1"]');
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads with no console errors and makes no network request', async () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  });

  it('draws one lane per source with the session’s event counts, and every event as a mark', async () => {
    const perSource = new Map<string, number>();
    for (const e of events) perSource.set(e.source, (perSource.get(e.source) ?? 0) + 1);
    const lanes = await page.$$eval('.lane-label', (els) =>
      els.map((el) => [(el as HTMLElement).dataset.lane!, Number((el as HTMLElement).dataset.count)] as const),
    );
    expect(new Map(lanes)).toEqual(perSource);
    // the tool lane nests each tool's log line under its span; other lanes are flat
    const rows: number[] = await page.evaluate(() => (window as any).debbieTimeline.rows());
    expect(Object.fromEntries(lanes.map(([name], i) => [name, rows[i]]))).toEqual({
      session: 1,
      agent: 1,
      ai_service: 1,
      tool: 2,
      websocket: 1,
      server: 1,
      debbie_comment: 1,
    });
    const view = await page.evaluate(() => (window as any).debbieTimeline.view());
    expect(view.inView).toBe(events.length);
    expect(view.marks + view.merged).toBe(events.length);
    expect(await page.evaluate(() => (window as any).debbieTimeline.comments())).toBe(2);
    expect(await page.evaluate(() => (window as any).debbieTimeline.stalls)).toBe(1);
  });

  it('switches to one lane per agent plus one for events without an agent', async () => {
    await page.selectOption('#mode', 'agent');
    const lanes = await page.$$eval('.lane-label', (els) => els.map((el) => (el as HTMLElement).dataset.lane));
    expect(lanes).toEqual(['agent e', 'agent p', '(no agent)']);
    // nesting inside an agent's lane: agent span → model and tool spans → tool logs
    expect(await page.evaluate(() => (window as any).debbieTimeline.rows())).toEqual([3, 3, 1]);
    const counts = await page.$$eval('.lane-label', (els) => els.map((el) => Number((el as HTMLElement).dataset.count)));
    expect(counts).toEqual([
      events.filter((e) => e.agent_id === 'e').length,
      events.filter((e) => e.agent_id === 'p').length,
      events.filter((e) => e.agent_id === null).length,
    ]);
    await page.selectOption('#mode', 'source');
    await page.waitForFunction(() => (document.querySelector('.lane-label') as HTMLElement | null)?.dataset.lane === 'session');
  });

  it('shows an event’s details when it is clicked and highlights its correlation group', async () => {
    const target = events.find((e) => e.source === 'tool' && e.details.tool_name === 'read_file')!;
    // Let the redraw of the mode switch reach the screen (two frames) before asking where the mark is.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const pos = await page.evaluate((id) => (window as any).debbieTimeline.positionOf(id), target.event_id);
    expect(pos).not.toBeNull();
    await page.mouse.click(pos.x, pos.y);
    await page.waitForFunction((id) => (window as any).debbieTimeline.selected() === id, target.event_id, { timeout: 5000 }).catch(() => undefined);
    expect(await page.evaluate(() => (window as any).debbieTimeline.selected())).toBe(target.event_id);
    expect(await page.evaluate(() => (window as any).debbieTimeline.highlighted())).toBe(target.correlation_id);
    const text = await page.textContent('#details');
    expect(text).toContain(target.event_id);
    expect(text).toContain('execute_tool read_file');
    expect(text).toContain('"tool_name": "read_file"');
    expect(text).toContain(`${target.correlation_id} (${events.filter((e) => e.correlation_id === target.correlation_id).length} events highlighted)`);
  });

  it('shows a tooltip with the summary when hovering an event', async () => {
    const target = events.find((e) => e.source === 'ai_service')!;
    const pos = await page.evaluate((id) => (window as any).debbieTimeline.positionOf(id), target.event_id);
    await page.mouse.move(pos.x, pos.y);
    await page.waitForSelector('#tip', { state: 'visible' });
    expect(await page.textContent('#tip')).toContain(target.event_summary);
  });

  it('shows hostile event text as text in the details pane', async () => {
    const evil = events.find((e) => e.level === 'CRITICAL')!;
    const pos = await page.evaluate((id) => (window as any).debbieTimeline.positionOf(id), evil.event_id);
    await page.mouse.click(pos.x, pos.y);
    expect(await page.textContent('#details h3')).toBe(evil.event_summary);
    expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
  });

  it('hides what a filter excludes: a source, a level, a text', async () => {
    const tools = events.filter((e) => e.source === 'tool');
    await page.uncheck('#sources input[value="tool"]');
    await page.waitForFunction((n) => (window as any).debbieTimeline.shownCount() === n, events.length - tools.length);
    await page.evaluate(() => new Promise(requestAnimationFrame));
    const drawn: string[] = await page.evaluate(() => (window as any).debbieTimeline.drawnIds());
    const toolIds = new Set(tools.map((e) => e.event_id));
    expect(drawn.filter((id) => toolIds.has(id))).toEqual([]);
    expect(drawn.length).toBeGreaterThan(0);
    await page.check('#sources input[value="tool"]');

    await page.uncheck('#levels input[value="INFO"]');
    await page.waitForFunction((n) => (window as any).debbieTimeline.shownCount() === n, events.filter((e) => e.level !== 'INFO').length);
    await page.check('#levels input[value="INFO"]');

    await page.fill('#search', 'read_file');
    const matching = events.filter(
      (e) => JSON.stringify([e.event_summary, e.component, e.action, e.details]).toLowerCase().includes('read_file') || e.event_id === 'read_file',
    );
    await page.waitForFunction((n) => (window as any).debbieTimeline.shownCount() === n, matching.length);
    expect(await page.textContent('#status')).toBe(`${matching.length} of ${events.length} events shown`);
    await page.fill('#search', 'turn-7');
    await page.waitForFunction((n) => (window as any).debbieTimeline.shownCount() === n, events.filter((e) => e.correlation_id === 'turn-7').length);
    await page.fill('#search', '');
    await page.waitForFunction((n) => (window as any).debbieTimeline.shownCount() === n, events.length);
  });

  it('aggregates marks that share a pixel when zoomed out, and never hides an error that way', async () => {
    const many: DebbieEvent[] = [];
    for (let i = 0; i < 20_000; i++) {
      many.push(
        createEvent({
          session_id: 'big',
          event_id: `b${i}`,
          timestamp: isoFromEpochMillis(T0 + i * 10),
          source: i % 2 ? 'tool' : 'websocket',
          event_summary: `event ${i}`,
          duration_ms: i % 2 ? 5 : null,
          level: i === 12_345 ? 'ERROR' : 'INFO',
        }),
      );
    }
    const file = join(dir, 'big.html');
    writeFileSync(file, renderTimelineHtml(buildTimelineData(many)));
    const big = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    const errors: string[] = [];
    big.on('pageerror', (e) => errors.push(String(e)));
    await big.goto(pathToFileURL(file).href);
    await big.waitForSelector('body[data-ready="1"]');
    const view = await big.evaluate(() => (window as any).debbieTimeline.view());
    expect(view.inView).toBe(20_000);
    expect(view.marks + view.merged).toBe(20_000);
    expect(view.marks).toBeLessThan(5_000);
    expect(await big.evaluate(() => (window as any).debbieTimeline.drawnIds().includes('b12345'))).toBe(true);
    expect(errors).toEqual([]);
    await big.close();
  });

  it('zooms in on the wheel and back out with Reset, and writes a screenshot', async () => {
    const box = (await page.locator('#canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.1, box.y + 20);
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -400);
    await page.waitForFunction((n) => (window as any).debbieTimeline.view().inView < n, events.length);
    await page.click('#reset');
    await page.waitForFunction((n) => (window as any).debbieTimeline.view().inView === n, events.length);
    // brushing a range of the overview zooms the chart to it
    const ov = (await page.locator('#overview').boundingBox())!;
    await page.mouse.move(ov.x + ov.width * 0.05, ov.y + ov.height / 2);
    await page.mouse.down();
    await page.mouse.move(ov.x + ov.width * 0.2, ov.y + ov.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction((n) => (window as any).debbieTimeline.view().inView < n, events.length);
    await page.click('#reset');
    await page.waitForFunction((n) => (window as any).debbieTimeline.view().inView === n, events.length);
    // Reset clears the brush too
    expect(await page.$eval('#overview .brush .selection', (el) => getComputedStyle(el).display)).toBe('none');
    const target = events.find((e) => e.source === 'ai_service')!;
    const pos = await page.evaluate((id) => (window as any).debbieTimeline.positionOf(id), target.event_id);
    await page.mouse.click(pos.x, pos.y);
    mkdirSync(join(repoRoot, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-artifacts', 'timeline.png') });
    expect(consoleErrors).toEqual([]);
  });
});
