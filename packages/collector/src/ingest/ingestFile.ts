import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { DebbieError, type EventSink } from '@debbie/model';
import { chooseParser, type ChosenParser, type IngestFormat } from './detectFormat.js';
import { LineIngester, type IngestStats } from './LineIngester.js';
import { LineSplitter } from './LineSplitter.js';
import { LoggerSourceMap, type LoggerSourceRule } from './loggerSources.js';
import { decodeJsonDocument, JsonLinesParser, runNameOf, type JsonDocumentOptions } from './recordParsers.js';
import type { TrajectoryFormat } from './trajectories/agentTrajectory.js';

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
  /** A single JSON document (OTLP/JSON file) larger than this is read line by line instead. Default 64 MiB. */
  maxDocumentBytes?: number;
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
 * Ingests a log file into the sink: JSONL of DebbieEvents, OTLP/JSON (one document or one per line),
 * Python logging lines or Debbie lines. Unparseable lines become raw events and are counted.
 * Throws DebbieError `file_not_found` / `not_a_file` for a path it cannot read.
 */
export async function ingestFile(path: string, options: IngestOptions): Promise<FileIngestResult> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new DebbieError('not_a_file', 'is not a regular file', path);
    size = s.size;
  } catch (error) {
    if (error instanceof DebbieError) throw error;
    throw new DebbieError('file_not_found', `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, path);
  }
  const chosen = await parserForFile(path, options);
  const firstChar = (await sampleLines(path, 5)).join('\n').trimStart()[0];
  const json = chosen.parser instanceof JsonLinesParser;
  const wholeDocument = json && (firstChar === '{' || firstChar === '[') &&
    size <= (options.maxDocumentBytes ?? 64 * 1024 * 1024);
  if (wholeDocument) {
    const only = chosen.format === 'openhands' || chosen.format === 'swe-agent' ? chosen.format : undefined;
    const seen = new Set<TrajectoryFormat>();
    const whole = await tryWholeDocument(path, options.sink, { sessionId: options.sessionId, runName: runNameOf(path), only, seen });
    if (whole) return { file: path, format: [...seen][0] ?? 'otlp-json', ...whole };
  }
  const ingester = new LineIngester({ parser: chosen.parser, sink: options.sink, file: path, sessionId: options.sessionId });
  const splitter = new LineSplitter((line) => ingester.push(line));
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) splitter.push(chunk as Buffer);
  splitter.end();
  ingester.flush();
  const runs = chosen.parser instanceof JsonLinesParser ? [...chosen.parser.trajectories] : [];
  return { file: path, format: runs[0] ?? chosen.format, logFormat: chosen.logFormat, ...ingester.stats };
}

/** A file that is one JSON document spanning several lines (a pretty-printed OTLP request). */
async function tryWholeDocument(path: string, sink: EventSink, opts: JsonDocumentOptions): Promise<IngestStats | undefined> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '').length;
  if (lines <= 1) return undefined; // one line: the line reader handles it the same way
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // not one document: JSON Lines
  }
  const { events, rejected } = decodeJsonDocument(value, path, opts);
  for (const e of events) sink.write(e);
  return { lines, events: events.length, unparseable: 0, rejected, truncated: 0 };
}
