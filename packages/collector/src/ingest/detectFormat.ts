import { DebbieError, type LogSource } from '@debbie/model';
import { compileLogFormat, PRESET_LOG_FORMATS } from './pythonLogFormat.js';
import { DebbieLineParser, JsonLinesParser, PythonLogParser, type RecordParser } from './recordParsers.js';
import type { LoggerSourceMap } from './loggerSources.js';

export const INGEST_FORMATS = ['auto', 'jsonl', 'otlp-json', 'python-log', 'debbie-line', 'openhands', 'swe-agent'] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];

/** The parser chosen for a file, and why. */
export interface ChosenParser {
  format: Exclude<IngestFormat, 'auto'>;
  parser: RecordParser;
  /** The Python format string, for python-log. */
  logFormat?: string;
}

function pythonParser(format: string, sources: LoggerSourceMap): RecordParser {
  const defaultSource: LogSource = format === PRESET_LOG_FORMATS['aiwhisperer-agent'] ? 'agent' : 'server';
  return new PythonLogParser(compileLogFormat(format), sources, defaultSource);
}

/**
 * Picks the parser for a file from its first lines: JSON → jsonl (a whole JSON document is
 * otlp-json, handled by the caller); else the line format (Debbie's, or a Python preset, or the
 * given `logFormat`) that matches the most sample lines.
 */
export function chooseParser(format: IngestFormat, sample: string[], sources: LoggerSourceMap, logFormat?: string): ChosenParser {
  if (format === 'jsonl' || format === 'otlp-json') return { format, parser: new JsonLinesParser() };
  if (format === 'openhands' || format === 'swe-agent') return { format, parser: new JsonLinesParser(format) };
  if (format === 'debbie-line') return { format, parser: new DebbieLineParser() };
  if (format === 'python-log') {
    if (logFormat) return { format, parser: pythonParser(logFormat, sources), logFormat };
    return { format, ...bestPython(sample, sources) };
  }
  const lines = sample.filter((l) => l.trim() !== '');
  const debbie = new DebbieLineParser();
  const debbieHits = lines.filter((l) => debbie.isStart(l)).length;
  // JSON: the first line opens an object or array (a Debbie line or a Flask "[2025-06-10 …] INFO" line starts with "[" too).
  if (lines.length > 0 && looksLikeJson(lines[0]!) && !debbie.isStart(lines[0]!)) return { format: 'jsonl', parser: new JsonLinesParser() };
  if (logFormat) return { format: 'python-log', parser: pythonParser(logFormat, sources), logFormat };
  const python = bestPython(lines, sources);
  if (debbieHits > 0 && debbieHits >= python.hits) return { format: 'debbie-line', parser: debbie };
  if (python.hits === 0 && lines.length > 0 && lines.some(looksLikeJson)) return { format: 'jsonl', parser: new JsonLinesParser() };
  return { format: 'python-log', parser: python.parser, logFormat: python.logFormat };
}

/**
 * Whether a line starts JSON: it parses, or it opens an object with a key or an array of values (the
 * first line of a pretty-printed document, or a line longer than the sample). "[2025-06-10 …" does not.
 */
export function looksLikeJson(line: string): boolean {
  const t = line.trim().replace(/^\ufeff/, '');
  if (t === '{' || t === '[') return true;
  if (!/^[{[]/.test(t)) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return /^\{\s*("|\}|$)/.test(t) || /^\[\s*([{["\]]|-?\d+(\.\d+)?([eE][+-]?\d+)?\s*[,\]]|true\b|false\b|null\b|$)/.test(t);
  }
}

function bestPython(lines: string[], sources: LoggerSourceMap): { parser: RecordParser; logFormat: string; hits: number } {
  let best: { parser: RecordParser; logFormat: string; hits: number } | undefined;
  for (const logFormat of Object.values(PRESET_LOG_FORMATS)) {
    const parser = pythonParser(logFormat, sources);
    const hits = lines.filter((l) => parser.isStart(l)).length;
    if (!best || hits > best.hits) best = { parser, logFormat, hits };
  }
  if (!best) throw new DebbieError('no_format', 'no log format to try');
  return best;
}
