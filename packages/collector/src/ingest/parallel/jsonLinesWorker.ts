import { parentPort, workerData } from 'node:worker_threads';
import { encodeJsonLines, type JsonLinesFileContext } from './encodeJsonLines.js';

/** A chunk of whole lines for a worker: its bytes and where they start in the file. */
export interface JsonLinesTask {
  id: number;
  bytes: Uint8Array;
  firstLine: number;
  firstOffset: number;
}

// The worker thread of JsonLinesPool: one file's context (workerData), then chunks in, results out.
const ctx = workerData as JsonLinesFileContext;
parentPort!.on('message', (task: JsonLinesTask) => {
  try {
    parentPort!.postMessage({ id: task.id, result: encodeJsonLines(task.bytes, task.firstLine, task.firstOffset, ctx) });
  } catch (error) {
    parentPort!.postMessage({ id: task.id, error: (error as Error).message });
  }
});
