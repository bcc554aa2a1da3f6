import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { open, type FileHandle } from 'node:fs/promises';
import { DebbieError, type EventSink } from '@debbie/model';
import { chooseParser, type ChosenParser, type IngestFormat } from './detectFormat.js';
import { LineIngester, type IngestStats } from './LineIngester.js';
import { LineSplitter } from './LineSplitter.js';
import { LoggerSourceMap, type LoggerSourceRule } from './loggerSources.js';
import { JsonLinesParser } from './recordParsers.js';
import { refuseBinary } from './binaryInput.js';
import { fileIdentity, firstBytes } from './fileIdentity.js';
import { JsonLinesPool } from './parallel/JsonLinesPool.js';
import { encodedSinkOf, readJsonLinesInParallel, type EncodedEventSink } from './parallel/readJsonLinesInParallel.js';
import { runNameOf } from './recordParsers.js';

export interface IngestOptions {
  /** Where events go (the pipeline). */
  sink: EventSink;
  /** Default 'auto': detected from the first lines. */
  format?: IngestFormat;
  /** A Python `%(...)s` format string for python-log files (default: AIWhisperer's formats and Python's, detected). */
  logFormat?: string | undefined;
  /** Logger name → source rules, before the defaults. */
  loggerSources?: readonly LoggerSourceRule[];
  /** The session for records that name none (`--session`); an agent run gets it instead of its own id. */
  sessionId?: string | undefined;
  /** Read a file that looks binary as raw lines instead of refusing it. */
  allowBinary?: boolean;
  /** Cap of a text line (longer ones: one event, cut and tagged). Default 1 MiB. */
  maxLineBytes?: number;
  /** Cap of one JSON value that is not an OTLP request (OTLP requests stream item by item). Default 64 MiB. */
  maxJsonValueBytes?: number;
  /** Awaited between reads: the sink's backpressure (the pipeline or collector is behind), so ingest waits instead of dropping. */
  ready?: () => Promise<void>;
  /**
   * Worker threads that parse, clean and encode a JSON Lines file's events for the store while the
   * main thread reads and writes (only when the sink is a pipeline whose store is the only taker:
   * see Pipeline.acceptsEncoded). Default: DEBBIE_INGEST_WORKERS, else for files of
   * PARALLEL_MIN_BYTES or more one per core but one (the main thread and DuckDB's writer keep
   * that one), at most MAX_WORKERS; 0 reads on the main thread only.
   */
  workers?: number | undefined;
}

/** Files smaller than this are read on the main thread (starting workers costs more than they save). */
export const PARALLEL_MIN_BYTES = 8 * 1024 * 1024;
/** Most ingest workers by default. */
const MAX_WORKERS = 4;
/** Bytes read at once. */
const READ_BYTES = 256 * 1024;

/** How many workers read a file of `size` bytes (see IngestOptions.workers). */
function workerCount(option: number | undefined, size: number): number {
  const env = process.env.DEBBIE_INGEST_WORKERS;
  const given = option ?? (env !== undefined && env !== '' ? Number(env) : undefined);
  if (given !== undefined) return Number.isInteger(given) && given > 0 ? given : 0;
  return size >= PARALLEL_MIN_BYTES ? Math.min(MAX_WORKERS, availableParallelism() - 1) : 0;
}

/** What ingesting one file did. */
export interface FileIngestResult extends IngestStats {
  file: string;
  /** The format read; an agent run format when the JSON held OpenHands or SWE-agent runs. */
  format: ChosenParser['format'];
  logFormat?: string | undefined;
}

const SAMPLE_BYTES = 64 * 1024;

/** The first lines of a file, for format detection. */
export async function sampleLines(path: string, maxLines = 50): Promise<string[]> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SAMPLE_BYTES, 0);
    const lines = new TextDecoder().decode(buf.subarray(0, bytesRead)).split('\n');
    // The last line may be cut; keep it when it is the only one (a long JSON line still shows its first character).
    if (bytesRead === SAMPLE_BYTES && lines.length > 1) lines.pop();
    return lines.slice(0, maxLines);
  } finally {
    await fh.close();
  }
}

/** Chooses the parser for a file (format `auto` looks at its first lines). */
export async function parserForFile(path: string, options: Pick<IngestOptions, 'format' | 'logFormat' | 'loggerSources'>): Promise<ChosenParser> {
  return chooseParser(options.format ?? 'auto', await sampleLines(path), new LoggerSourceMap(options.loggerSources ?? []), options.logFormat);
}

/**
 * Ingests a log file into the sink: JSONL of DebbieEvents, OTLP/JSON (one document or one per line,
 * any size: OTLP requests are decoded item by item), agent runs (OpenHands, SWE-agent), Python
 * logging lines or Debbie lines. Unparseable lines become raw events and are counted; lines over
 * their format's limit are kept cut, tagged and listed in `limitErrors`.
 * Throws DebbieError `file_not_found` / `not_a_file` for a path it cannot read, `binary_input` for a
 * binary file (unless `allowBinary`).
 */
export async function ingestFile(path: string, options: IngestOptions): Promise<FileIngestResult> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
    const s = await fh.stat();
    if (!s.isFile()) {
      await fh.close();
      throw new DebbieError('not_a_file', 'is not a regular file', path);
    }
  } catch (error) {
    if (error instanceof DebbieError) throw error;
    throw new DebbieError('file_not_found', `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, path);
  }
  let fileKey: string;
  let mtimeMicros: number;
  let size: number;
  try {
    const st = await fh.stat();
    mtimeMicros = Math.floor(st.mtimeMs) * 1000;
    size = st.size;
    if (!options.allowBinary) refuseBinary(await firstBytes(fh, SAMPLE_BYTES), path);
    fileKey = await fileIdentity(fh);
  } finally {
    await fh.close();
  }
  const chosen = await parserForFile(path, options);
  const maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
  const ingester = new LineIngester({
    parser: chosen.parser,
    sink: options.sink,
    file: path,
    fileKey,
    sessionId: options.sessionId,
    clockStartMicros: mtimeMicros,
    maxLineChars: maxLineBytes,
    maxJsonValueBytes: options.maxJsonValueBytes,
  });
  const read = () => createReadStream(path, { highWaterMark: READ_BYTES }) as AsyncIterable<Buffer>;
  if (chosen.parser instanceof JsonLinesParser && (await jsonLayout(read())) === 'document') {
    // One JSON document over many lines (a pretty-printed OTLP request, an agent run): streamed whole.
    const doc = ingester.documentStream();
    for await (const chunk of read()) {
      doc.push(chunk);
      await options.ready?.();
    }
    doc.end();
    ingester.end();
  } else {
    const newSplitter = () =>
      new LineSplitter((line, info) => ingester.push(line, info), {
        maxLineBytes,
        onLongLine: chosen.parser instanceof JsonLinesParser ? (offset, head) => ingester.longLine(offset, head)! : undefined,
      });
    const workers = workerCount(options.workers, size);
    const sink =
      workers > 0 && maxLineBytes >= READ_BYTES && chosen.parser instanceof JsonLinesParser && chosen.parser.only === undefined
        ? encodedSinkOf(options.sink)
        : undefined;
    if (sink) {
      const pool = newPool(workers, path, fileKey, options.sessionId, sink);
      try {
        await readJsonLinesInParallel(read(), { ingester, sink, pool, maxLineBytes, serialSplitter: newSplitter, ready: options.ready });
      } finally {
        await pool.close();
      }
    } else {
      const splitter = newSplitter();
      for await (const chunk of read()) {
        splitter.push(chunk);
        await options.ready?.();
      }
      splitter.end();
    }
    ingester.end();
  }
  const seen = chosen.parser instanceof JsonLinesParser ? chosen.parser.seen : new Set<string>();
  const format = [...seen].find((f) => f !== 'otlp-json') ?? (seen.has('otlp-json') && chosen.format === 'jsonl' ? 'otlp-json' : chosen.format);
  return { file: path, format: format as FileIngestResult['format'], logFormat: chosen.logFormat, ...ingester.stats };
}

function newPool(size: number, file: string, fileKey: string, sessionId: string | undefined, sink: EncodedEventSink): JsonLinesPool {
  const { redact, sessionKeys } = sink.cleaning;
  return new JsonLinesPool(size, { file, fileKey, sessionId, runName: runNameOf(file), redact, sessionKeys: [...sessionKeys] });
}

/**
 * Whether a JSON file is one value spread over lines ("document": a newline comes while the first
 * value is still open) or JSON Lines. Reads only up to the first newline outside a string.
 */
export async function jsonLayout(chunks: AsyncIterable<Buffer>): Promise<'document' | 'lines'> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let started = false; // blank lines before the first value say nothing
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (!started) {
        if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0xef || c === 0xbb || c === 0xbf) continue; // whitespace, BOM
        started = true;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 0x5c) escaped = true;
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x7b || c === 0x5b) depth += 1;
      else if (c === 0x7d || c === 0x5d) depth -= 1;
      else if (c === 0x0a) return depth > 0 ? 'document' : 'lines'; // leaving the loop closes the stream
    }
  }
  return 'lines';
}
