import type { EventSink } from '@debbie/model';
import type { EncodedEventBatch } from '@debbie/pipeline';
import type { LineIngester } from '../LineIngester.js';
import type { LineSplitter } from '../LineSplitter.js';
import type { EncodedEvents } from '@debbie/store/encode';
import type { JsonLinesChunkResult } from './encodeJsonLines.js';
import type { JsonLinesPool } from './JsonLinesPool.js';

/** A sink that takes events cleaned and encoded off the main thread (the Pipeline, when the store is its only taker). */
export interface EncodedEventSink extends EventSink {
  readonly acceptsEncoded: boolean;
  readonly cleaning: { redact: boolean; sessionKeys: readonly string[] };
  writeEncoded(batch: EncodedEventBatch): void;
  noteTraceSession(traceId: string, sessionId: string): void;
}

/** The sink as an EncodedEventSink, when it is one that accepts encoded batches now. */
export function encodedSinkOf(sink: EventSink): EncodedEventSink | undefined {
  const s = sink as Partial<EncodedEventSink>;
  return typeof s.writeEncoded === 'function' && typeof s.noteTraceSession === 'function' && s.acceptsEncoded === true && s.cleaning
    ? (sink as EncodedEventSink)
    : undefined;
}

/** Bytes of whole lines handed to a worker at once. */
export const TASK_BYTES = 1024 * 1024;
/** Chunks in flight per worker: with TASK_BYTES, what the pool holds at most (plus the pipeline's own bound). */
const IN_FLIGHT_PER_WORKER = 2;
/**
 * Encoded events gathered from chunks before they go to the pipeline at once: the store commits
 * what waits in one transaction, and DuckDB writes large ones for less. ~12 MB of rows; small
 * enough that a failing store stops a large file early.
 */
export const ENCODED_BUNDLE_EVENTS = 16_384;

export interface ParallelReadOptions {
  ingester: LineIngester;
  sink: EncodedEventSink;
  pool: JsonLinesPool;
  /** A line longer than this is read by the main thread's LineSplitter (streamed or cut) from there on. */
  maxLineBytes: number;
  /** The line splitter of the serial path (long lines), created only if one is met. */
  serialSplitter: () => LineSplitter;
  /** Backpressure: awaited between chunks (the pipeline's pending bound). */
  ready?: (() => Promise<void>) | undefined;
}

/**
 * Reads a JSON Lines file with a pool of workers: the main thread cuts the bytes at newlines into
 * chunks of ~1 MiB, the workers parse, clean and encode their lines (encodeJsonLines), and the
 * results are applied in file order: the lines a worker handed back go through the ingester as
 * always, the trace sessions its events named reach the pipeline's index, and its encoded events
 * go to the store (writeEncoded: counted, committed, never acknowledged before). Memory: at most
 * 2 chunks per worker in flight, and the pipeline's own pending bound (ready). A line longer
 * than maxLineBytes switches the rest of the file to the serial splitter (it streams or cuts it).
 */
export async function readJsonLinesInParallel(chunks: AsyncIterable<Buffer>, o: ParallelReadOptions): Promise<void> {
  const inFlight: Promise<JsonLinesChunkResult>[] = [];
  const maxInFlight = Math.max(1, o.pool.size) * IN_FLIGHT_PER_WORKER;
  let nextLine = 1;
  let nextOffset = 0;
  let lines: Buffer[] = []; // whole lines not yet handed out
  let linesBytes = 0;
  let carry: Buffer[] = []; // the start of a line whose newline has not come yet
  let carryBytes = 0;
  let splitter: LineSplitter | undefined;
  // Each chunk's encoding stays a batch of its own: the store leaves out a repeated id within one
  // encoding, and across batches of one commit (appendEncoded), so merging two would hide a repeat.
  let bundle: EncodedEvents[] = [];
  let bundleCount = 0;

  const apply = (r: JsonLinesChunkResult): void => {
    let stepLines = 0;
    for (const step of r.steps) {
      if (step.clock !== undefined) o.ingester.timedElsewhere(r.firstMicros!, step.clock);
      if (step.kind === 'named') o.sink.noteTraceSession(step.traceId, step.sessionId);
      else {
        stepLines += 1;
        o.ingester.pushAt(step.text, step.line, step.offset);
      }
    }
    o.ingester.countedElsewhere(r.lines - stepLines, r.events, r.lastLine);
    if (r.endClock !== undefined) o.ingester.timedElsewhere(r.firstMicros!, r.endClock);
    if (r.encoded.count > 0) {
      bundle.push(r.encoded);
      bundleCount += r.encoded.count;
      if (bundleCount >= ENCODED_BUNDLE_EVENTS) handOver();
    }
  };
  const handOver = (): void => {
    // Handed over in one turn, so the pipeline's group commit takes them as one commit.
    for (const encoded of bundle) o.sink.writeEncoded(encoded);
    bundle = [];
    bundleCount = 0;
  };
  const drainTo = async (max: number): Promise<void> => {
    while (inFlight.length > max) {
      apply(await inFlight.shift()!);
      await o.ready?.();
    }
  };
  const handOut = async (final: boolean): Promise<void> => {
    if (linesBytes === 0) return;
    const bytes = lines.length === 1 ? lines[0]! : Buffer.concat(lines, linesBytes);
    lines = [];
    linesBytes = 0;
    let count = 0;
    for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) count += 1;
    if (final && bytes[bytes.length - 1] !== 0x0a) count += 1; // the last line has no newline
    inFlight.push(o.pool.run(bytes, nextLine, nextOffset));
    nextLine += count;
    nextOffset += bytes.length;
    await drainTo(maxInFlight - 1);
  };
  /** A line over the limit: everything before it is read by the pool, the rest by the serial splitter. */
  const goSerial = async (): Promise<void> => {
    await handOut(false);
    await drainTo(0);
    handOver();
    o.ingester.countedElsewhere(0, 0, nextLine - 1);
    splitter = o.serialSplitter();
    splitter.reset(nextOffset);
    for (const b of carry) splitter.push(b);
    carry = [];
    carryBytes = 0;
  };

  for await (const chunk of chunks) {
    if (splitter) {
      splitter.push(chunk);
      await o.ready?.();
      continue;
    }
    const last = chunk.lastIndexOf(0x0a);
    const first = last < 0 ? -1 : chunk.indexOf(0x0a);
    if (last < 0 || carryBytes + first > o.maxLineBytes) {
      carry.push(chunk);
      carryBytes += chunk.length;
      if (carryBytes > o.maxLineBytes) await goSerial();
      continue;
    }
    for (const b of carry) lines.push(b);
    linesBytes += carryBytes;
    lines.push(chunk.subarray(0, last + 1));
    linesBytes += last + 1;
    carry = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
    carryBytes = chunk.length - last - 1;
    if (linesBytes >= TASK_BYTES) await handOut(false);
  }
  if (splitter) {
    splitter.end();
    return;
  }
  for (const b of carry) lines.push(b);
  linesBytes += carryBytes;
  await handOut(true);
  await drainTo(0);
  handOver();
}
