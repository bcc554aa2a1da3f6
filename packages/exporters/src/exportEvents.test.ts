import { describe, expect, it } from 'vitest';
import { createEvent, type DebbieEvent } from '@debbie/model';
import type { EventDestination, ExportSummary } from './EventDestination.js';
import { exportEvents, type ExportProgress } from './exportEvents.js';

class MemoryDestination implements EventDestination {
  readonly target = 'memory';
  readonly events: DebbieEvent[] = [];
  closed = 0;
  constructor(private readonly failOnBatch = -1) {}
  async write(events: readonly DebbieEvent[]): Promise<void> {
    if (this.failOnBatch === 0) throw new Error('disk full');
    this.events.push(...events);
  }
  async close(): Promise<ExportSummary> {
    this.closed += 1;
    return { written: this.events.length, rejected: 0, bytes: 0, target: this.target };
  }
}

const page = (n: number, from = 0) => Array.from({ length: n }, (_, i) => createEvent({ source: 'agent', event_summary: `e${from + i}` }));

describe('exportEvents', () => {
  it('streams every page from an async source and reports progress after each', async () => {
    const dest = new MemoryDestination();
    const progress: ExportProgress[] = [];
    async function* source() {
      yield page(3);
      yield [];
      yield page(2, 3);
    }
    const summary = await exportEvents(source(), dest, { onProgress: (p) => progress.push(p) });
    expect(summary.written).toBe(5);
    expect(progress.map((p) => [p.read, p.batches])).toEqual([
      [3, 1],
      [5, 2],
    ]);
    expect(dest.events.map((e) => e.event_summary)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it("closes the destination when the source fails, and rethrows the source's error", async () => {
    const dest = new MemoryDestination();
    async function* source() {
      yield page(2);
      throw new Error('store went away');
    }
    await expect(exportEvents(source(), dest)).rejects.toThrow('store went away');
    expect(dest.closed).toBe(1);
    expect(dest.events).toHaveLength(2);
  });

  it('closes the destination when it fails to write', async () => {
    const dest = new MemoryDestination(0);
    await expect(exportEvents([page(1)], dest)).rejects.toThrow('disk full');
    expect(dest.closed).toBe(1);
  });

  it('stops between pages when aborted', async () => {
    const dest = new MemoryDestination();
    const controller = new AbortController();
    const pages = [page(1), page(1, 1), page(1, 2)];
    await expect(exportEvents(pages, dest, { signal: controller.signal, onProgress: () => controller.abort() })).rejects.toThrow();
    expect(dest.events).toHaveLength(1);
    expect(dest.closed).toBe(1);
  });
});
