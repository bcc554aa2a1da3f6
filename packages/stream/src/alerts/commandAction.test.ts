import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEvent } from '@debbie/model';
import { LogStreamer } from '../LogStreamer.js';
import { commandAction } from './commandAction.js';

const node = process.execPath;
// Saves {env: the alert variables, stdin} to a new file in the directory given as argv[1].
const SAVE_STDIN =
  "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(require('path').join(process.argv[1],Date.now()+'-'+process.pid+'.json'),JSON.stringify({alert:process.env.DEBBIE_ALERT,suppressed:process.env.DEBBIE_ALERT_SUPPRESSED,stdin:s})))";

const event = (summary = 'tool failed') => createEvent({ source: 'tool', level: 'ERROR', event_summary: summary });

describe('commandAction', () => {
  it('runs the command with the event as JSON on stdin and the alert in its environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debbie-alert-'));
    const streamer = new LogStreamer();
    streamer.addAlert({ name: 'save', condition: { sources: ['tool'] }, action: commandAction({ command: node, args: ['-e', SAVE_STDIN, dir] }) });
    const e = event();
    streamer.write(e);
    await streamer.forceFlush();
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    const saved = JSON.parse(readFileSync(join(dir, files[0]!), 'utf8'));
    expect(saved).toMatchObject({ alert: 'save', suppressed: '0' });
    expect(saved.stdin.endsWith('\n')).toBe(true);
    expect(JSON.parse(saved.stdin)).toEqual(JSON.parse(JSON.stringify(e)));
    expect(streamer.stats().alerts[0]).toMatchObject({ fired: 1, failed: 0 });
  });

  it('a flood starts at most one process per cooldown, however many events match', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debbie-alert-'));
    const streamer = new LogStreamer();
    streamer.addAlert({ name: 'flood', condition: {}, cooldownMs: 60_000, action: commandAction({ command: node, args: ['-e', SAVE_STDIN, dir] }) });
    for (let i = 0; i < 5000; i += 1) streamer.write(event());
    await streamer.forceFlush();
    expect(readdirSync(dir)).toHaveLength(1);
    expect(streamer.stats().alerts[0]).toMatchObject({ matched: 5000, fired: 1, suppressed: 4999 });
  });

  it('refuses firings beyond maxConcurrent running processes and counts them', async () => {
    const streamer = new LogStreamer();
    const action = commandAction({ command: node, args: ['-e', 'setTimeout(()=>{},300)'], maxConcurrent: 1 });
    streamer.addAlert({ name: 'one', condition: {}, cooldownMs: 0, action });
    streamer.addAlert({ name: 'two', condition: {}, cooldownMs: 0, action });
    streamer.write(event());
    await streamer.forceFlush();
    const [one, two] = streamer.stats().alerts;
    expect(one).toMatchObject({ fired: 1, failed: 0 });
    expect(two).toMatchObject({ fired: 1, failed: 1 });
    expect(two?.lastError).toMatch(/1 already running \(maxConcurrent 1\); firing skipped/);
  });

  it('reports a non-zero exit with stderr, a timeout, and a missing program as failures', async () => {
    const streamer = new LogStreamer();
    streamer.addAlert({ name: 'exit', condition: {}, action: commandAction({ command: node, args: ['-e', "console.error('no disk');process.exit(3)"] }) });
    streamer.addAlert({ name: 'hang', condition: {}, action: commandAction({ command: node, args: ['-e', 'setInterval(()=>{},1000)'], timeoutMs: 200 }) });
    streamer.addAlert({ name: 'missing', condition: {}, action: commandAction({ command: '/nonexistent/debbie-notify' }) });
    streamer.write(event());
    await streamer.forceFlush();
    const [exit, hang, missing] = streamer.stats().alerts;
    expect(exit?.lastError).toBe(`command ${node} exited with 3: no disk`);
    expect(hang?.lastError).toBe(`command ${node} killed by SIGKILL (timeout 200 ms)`);
    expect(missing?.lastError).toMatch(/command \/nonexistent\/debbie-notify: spawn \/nonexistent\/debbie-notify ENOENT/);
    expect([exit, hang, missing].map((a) => a?.failed)).toEqual([1, 1, 1]);
  });
});
