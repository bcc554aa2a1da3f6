import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DebbieError } from '@debbie/model';
import { LogAnalyzer, REPORT_SECTIONS, renderReportHtml, renderReportJson, renderReportMarkdown, type AnalysisReport } from '@debbie/report';
import type { Command, ParsedValues } from '../Command.js';
import { loadCliConfig } from '../configOptions.js';
import { CONFIG_FLAG, FILTER_FLAGS, formatFlag, outputFormat, READER_FLAGS, requireSession, resolvePath, SESSION_FLAG, str } from '../flags.js';
import { openReader, writeOut } from '../readerOptions.js';
import { resolveSession } from '../resolveSession.js';
import { startProgress } from '../progress.js';

const FORMATS = { md: renderReportMarkdown, json: renderReportJson, html: renderReportHtml } as const satisfies Record<string, (r: AnalysisReport) => string>;

function positiveNumber(v: ParsedValues[string], flag: string): number | undefined {
  const s = str(v);
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0) throw new DebbieError('invalid_option', `"${s}" is not a positive number`, flag);
  return n;
}

/** `debbie analyze`: the seed's LogAnalyzer report for one session. */
export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'Analyze a session: performance, errors, patterns and recommendations.',
  usage: '--session ID [--format md|json|html] [--out FILE] [--since TS] [--until TS] [--focus SECTIONS] [--store PATH | --url URL]',
  description: [
    'Reads the session in one streaming pass (bounded memory) and writes a report with four sections:',
    'Performance (p50/p95/max per tool and model, slowest operations, time per source), Errors',
    '(grouped by message template), Patterns (Debbie comments and detector findings) and Recommendations',
    '(each tied to its evidence events). p50/p95 are within ±1% of a true sample value.',
    '',
    'Examples (on the store `debbie demo` writes):',
    '  debbie analyze --session b7d9a88c',
    '  debbie analyze --session b7d9a88c --format html --out reports/report.html',
    '  debbie analyze --session 94988082 --focus performance,errors --since 2025-06-02T21:05:00Z',
  ].join('\n'),
  options: {
    session: { ...SESSION_FLAG, description: `${SESSION_FLAG.description} (required)` },
    format: { ...formatFlag(Object.keys(FORMATS), 'md', 'report format'), short: 'f' },
    out: { type: 'string', short: 'o', value: 'FILE', description: 'Write the report to FILE instead of stdout.' },
    since: FILTER_FLAGS.since!,
    until: FILTER_FLAGS.until!,
    focus: { type: 'string', value: 'SECTIONS', description: `Comma-separated sections to include (default all: ${REPORT_SECTIONS.join(',')}).` },
    'stall-ms': {
      type: 'string',
      value: 'MS',
      description: 'Silence that counts as a stall (default: debbie_config.commentary.thresholds.stall_seconds, 30 s).',
    },
    ...READER_FLAGS,
    config: CONFIG_FLAG,
  },
  async run(values, _positionals, io) {
    const typed = requireSession(values);
    const format = outputFormat(values, Object.keys(FORMATS) as (keyof typeof FORMATS)[], 'md');
    const focus = str(values.focus)
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const stallThresholdMs = positiveNumber(values['stall-ms'], '--stall-ms');
    // The commentary's detectors own the Patterns section: the same replay as the demo's report and MCP's analyze_session.
    const { commentary } = loadCliConfig(values, io);
    const reader = await openReader(values, io);
    try {
      const session = (await resolveSession(reader, typed)).session_id;
      const analyzer = new LogAnalyzer({ reader, commentary, ...(stallThresholdMs ? { stallThresholdMs } : {}) });
      const progress = startProgress(io, 'analyze', () => `reading session ${session.slice(0, 8)}`);
      const report = await analyzer
        .analyze(session, { start: str(values.since) ?? null, end: str(values.until) ?? null }, focus)
        .finally(() => progress.stop());
      const text = FORMATS[format](report);
      const out = str(values.out);
      if (out) {
        const path = resolvePath(io, out);
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, text);
        io.stderr.write(`debbie analyze: ${report.event_count} events analyzed; ${format} report written to ${path}\n`);
      } else {
        await writeOut(io, text.endsWith('\n') ? text : `${text}\n`);
      }
      return 0;
    } finally {
      await reader.close();
    }
  },
};
