import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startProgress } from './progress.js';

function io(tty: boolean) {
  const stderr = Object.assign(new PassThrough(), { isTTY: tty });
  const chunks: string[] = [];
  stderr.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { io: { stdout: new PassThrough(), stderr, env: {}, cwd: '/' }, text: () => chunks.join('') };
}

describe('startProgress', () => {
  afterEach(() => vi.useRealTimers());

  it('shows nothing for work under a second, then one line a second on a terminal, cleared at the end', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const t = io(true);
    let n = 0;
    const quick = startProgress(t.io, 'events', () => `${n} events`);
    vi.advanceTimersByTime(900);
    quick.stop();
    await new Promise((r) => setImmediate(r));
    expect(t.text()).toBe('');
    const slow = startProgress(t.io, 'events', () => `${n} events`);
    n = 5000;
    vi.advanceTimersByTime(2100);
    slow.stop();
    await new Promise((r) => setImmediate(r));
    expect(t.text()).toBe('\r\x1b[Kdebbie events: 5000 events (1 s)\r\x1b[Kdebbie events: 5000 events (2 s)\r\x1b[K');
  });

  it('stays silent when stderr is not a terminal (pipes, CI logs)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const t = io(false);
    const p = startProgress(t.io, 'analyze', () => 'reading');
    vi.advanceTimersByTime(5000);
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(t.text()).toBe('');
  });
});
