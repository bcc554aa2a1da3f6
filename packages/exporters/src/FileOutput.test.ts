import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileOutput } from './FileOutput.js';

describe('FileOutput', () => {
  it('waits for drain thousands of times without piling up listeners (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    // A slow reader with a tiny buffer: every write has to wait for 'drain'.
    const slow = new Writable({ highWaterMark: 16, write: (_chunk, _enc, done) => setImmediate(done) });
    const out = new FileOutput({ stream: slow, name: 'slow' });
    for (let i = 0; i < 2000; i++) await out.write('x'.repeat(64));
    await out.close();
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(out.bytes).toBe(2000 * 64);
    expect(slow.listenerCount('error')).toBe(1); // FileOutput's own watcher only
    expect(slow.listenerCount('drain')).toBe(0);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
