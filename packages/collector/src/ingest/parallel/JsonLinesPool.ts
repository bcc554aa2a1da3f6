import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { encodeJsonLines, type JsonLinesChunkResult, type JsonLinesFileContext } from './encodeJsonLines.js';
import type { JsonLinesTask } from './jsonLinesWorker.js';

/** The worker script: the built sibling (from the sources under a test runner, the built file of the package). */
function workerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  const built = here.endsWith('.ts') ? here.replace(/[\\/]src[\\/]/, '/dist/').replace(/\.ts$/, '.js') : here;
  return pathToFileURL(built.replace(/JsonLinesPool\.js$/, 'jsonLinesWorker.js'));
}

interface Slot {
  worker: Worker | undefined;
  inFlight: number;
}

interface Pending {
  slot: Slot;
  task: JsonLinesTask;
  resolve: (result: JsonLinesChunkResult) => void;
  reject: (error: Error) => void;
}

/**
 * Worker threads that read chunks of one JSON Lines file (encodeJsonLines) while the main thread
 * reads the file and writes to the store. A chunk goes to the worker with the fewest in flight;
 * results come back by task id. A worker that fails (or cannot start) is dropped and its chunks
 * are read on the main thread with the same function, so nothing is lost or read twice.
 */
export class JsonLinesPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly ctx: JsonLinesFileContext;
  private nextId = 0;
  /** Chunks a failed worker left, read on the main thread instead. */
  inlineChunks = 0;

  constructor(size: number, ctx: JsonLinesFileContext) {
    this.ctx = ctx;
    const script = workerScript();
    const usable = existsSync(fileURLToPath(script));
    for (let i = 0; i < size; i++) {
      const slot: Slot = { worker: undefined, inFlight: 0 };
      if (usable) {
        const worker = new Worker(script, { workerData: ctx });
        worker.on('message', (m: { id: number; result?: JsonLinesChunkResult; error?: string }) => this.settle(m));
        worker.on('error', () => this.lose(slot));
        worker.on('exit', () => this.lose(slot));
        slot.worker = worker;
      }
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Reads a chunk of whole lines starting at line `firstLine`, byte `firstOffset`. */
  run(bytes: Uint8Array, firstLine: number, firstOffset: number): Promise<JsonLinesChunkResult> {
    const task: JsonLinesTask = { id: this.nextId++, bytes, firstLine, firstOffset };
    const slot = this.slots.filter((s) => s.worker).sort((a, b) => a.inFlight - b.inFlight)[0];
    if (!slot) return Promise.resolve(this.inline(task));
    return new Promise((resolve, reject) => {
      this.pending.set(task.id, { slot, task, resolve, reject });
      slot.inFlight += 1;
      slot.worker!.postMessage(task);
    });
  }

  async close(): Promise<void> {
    const workers = this.slots.map((s) => s.worker).filter((w): w is Worker => w !== undefined);
    for (const s of this.slots) s.worker = undefined;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private settle(m: { id: number; result?: JsonLinesChunkResult; error?: string }): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    p.slot.inFlight -= 1;
    if (m.result) p.resolve(m.result);
    else this.retryInline(p); // the worker threw on this chunk: the main thread reads it (and throws the same, if it must)
  }

  /** A worker died: its chunks are read here. */
  private lose(slot: Slot): void {
    if (!slot.worker) return;
    slot.worker = undefined;
    for (const p of [...this.pending.values()]) {
      if (p.slot !== slot) continue;
      this.pending.delete(p.task.id);
      this.retryInline(p);
    }
  }

  private retryInline(p: Pending): void {
    try {
      p.resolve(this.inline(p.task));
    } catch (error) {
      p.reject(error as Error);
    }
  }

  private inline(task: JsonLinesTask): JsonLinesChunkResult {
    this.inlineChunks += 1;
    return encodeJsonLines(task.bytes, task.firstLine, task.firstOffset, this.ctx);
  }
}
