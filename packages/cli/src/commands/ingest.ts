import {
  FileFollower,
  ingestFile,
  INGEST_FORMATS,
  parseLoggerSourceRule,
  parserForFile,
  RemoteEventSink,
  withContentId,
  type FileIngestResult,
  type IngestFormat,
  type IngestStats,
} from '@debbie/collector';
import { CommentaryProcessor } from '@debbie/commentary';
import { DebbieError, type EventSink } from '@debbie/model';
import { createPipeline, PipelineUnavailableError, type Pipeline } from '@debbie/pipeline';
import { openStore } from '@debbie/store';
import type { Command, CommandIO, ParsedValues } from '../Command.js';
import { loadCliConfig, type CliConfig } from '../configOptions.js';
import {
  collectorToken,
  collectorUrl,
  CONFIG_FLAG,
  formatFlag,
  outputFormat,
  resolvePath,
  sessionValue,
  SESSION_FLAG,
  STORE_FLAG,
  storeLocation,
  str,
  TOKEN_FLAG,
  URL_FLAG,
} from '../flags.js';
import { untilSignal } from '../untilSignal.js';
import { startProgress } from '../progress.js';

function describe(r: { file: string; format: string; logFormat?: string | undefined } & IngestStats): string {
  const fmt = r.logFormat ? `${r.format} "${r.logFormat}"` : r.format;
  const extra = [
    r.unparseable ? `${r.unparseable} unparseable line(s) kept as raw events (tag "unparsed")` : '',
    r.rejected ? `${r.rejected} item(s) rejected` : '',
    r.truncated ? `${r.truncated} line(s) over the size limit, kept cut (tag "truncated")` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${r.file}: ${fmt}, ${r.lines} lines → ${r.events} events${extra ? `; ${extra}` : ''}`;
}

const OUTPUT_FORMATS = ['text', 'json'] as const;

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Read log files (Python logging, JSONL, OTLP JSON, Debbie lines) into the store.',
  usage:
    'FILE... [--input-format auto|jsonl|otlp-json|python-log|debbie-line|openhands|swe-agent] [--session ID] [--follow] [--store PATH | --url URL] [--format text|json]',
  description: [
    'Each line becomes a DebbieEvent; a traceback stays with its log line; AIWhisperer markers',
    '(STREAM FINISHED, EXECUTING TOOL, Tool X completed in Ns, CONTINUATION DECISION) become tool,',
    'ai_service and session events. A line that cannot be parsed is kept as a raw event and counted.',
    '--follow keeps reading as the files grow, across rotation and truncation, until Ctrl-C.',
    'Agent runs are read too: OpenHands output.jsonl records and trajectory JSON, SWE-agent .traj files',
    '(steps, model calls with tokens, tool calls with their observations, the final outcome).',
    '',
    'Examples:',
    '  debbie ingest logs/server.log logs/agent_p.log',
    "  debbie ingest app.log --log-format '%(asctime)s %(levelname)s %(name)s: %(message)s' --logger-source 'myapp.tools.*=tool'",
    '  debbie ingest server.log --follow --url http://127.0.0.1:4318',
    '  debbie ingest output.jsonl run.traj',
  ].join('\n'),
  positionals: true,
  options: {
    'input-format': { type: 'string', value: 'FORMAT', description: `the files' format: ${INGEST_FORMATS.join(', ')} (default auto: detected per file)` },
    'log-format': {
      type: 'string',
      value: 'FMT',
      description: 'A Python logging format string, e.g. "%(asctime)s %(name)s - %(levelname)s - %(message)s", or the name of a formatter in debbie.yaml.',
    },
    'logger-source': { type: 'string', multiple: true, value: 'PATTERN=SOURCE', description: 'Map logger names (glob) to a source, before the defaults.' },
    session: { ...SESSION_FLAG, description: 'the session of lines that name none (and of agent runs, instead of their own id)' },
    'allow-binary': { type: 'boolean', description: 'read a file that looks binary as raw lines (default: refused with an error)' },
    follow: { type: 'boolean', short: 'f', description: 'Keep following the files (rotation and truncation handled) until Ctrl-C.' },
    store: STORE_FLAG,
    url: URL_FLAG,
    token: TOKEN_FLAG,
    'no-commentary': { type: 'boolean', description: "Do not run Debbie's commentary over the ingested events (default: it runs when writing to --store)." },
    config: CONFIG_FLAG,
    format: formatFlag(OUTPUT_FORMATS, 'text', 'how to print the summary'),
    'output-format': { type: 'string', value: 'text|json', description: 'old spelling of --format (deprecated)' },
  },
  async run(values, files, io) {
    if (files.length === 0) throw new DebbieError('no_files', 'name at least one log file to ingest', 'debbie ingest');
    const { format, out } = ingestFormats(values, io);
    if (values.url && values.store) throw new DebbieError('invalid_option', 'give --store or --url, not both', '--url');
    const loggerSources = ((values['logger-source'] as string[] | undefined) ?? []).map(parseLoggerSourceRule);
    const cli = loadCliConfig(values, io);
    const logFormat = formatString(values['log-format'] as string | undefined, cli);
    const sessionId = sessionValue(values);
    const allowBinary = Boolean(values['allow-binary']);
    const { sink, close, ready, stored } = await openSink(values, io, cli);
    const opts = { format, logFormat, loggerSources, sessionId, allowBinary, ready };
    try {
      if (!values.follow) {
        // A file that cannot be read is reported and skipped; the others are still ingested.
        const results: FileIngestResult[] = [];
        let failed = 0;
        let storeError: Error | undefined;
        for (const file of files) {
          try {
            const progress = startProgress(io, 'ingest', () => `reading ${file}`);
            results.push({ ...(await ingestFile(resolvePath(io, file), { sink, ...opts }).finally(() => progress.stop())), file });
          } catch (error) {
            // The store (or collector) cannot write: stop, and say below how much was kept.
            if (error instanceof PipelineUnavailableError) {
              storeError = error;
              break;
            }
            if (!(error instanceof DebbieError)) throw error;
            failed += 1;
            io.stderr.write(`debbie ingest: ${error.message}\n`);
          }
        }
        await sink.forceFlush();
        print(io, out, results);
        // A line kept only in part is a loss: said on stderr (file, line, limit) and in the exit code.
        const cut = reportLimitErrors(io, results);
        const unread = allowBinary ? 0 : reportUnreadFiles(io, results);
        const unstored = reportStored(io, results, stored(), storeError);
        return failed > 0 || cut > 0 || unread > 0 || unstored ? 1 : 0;
      }
      // Listen before saying "following": a signal in between would otherwise kill the process unflushed.
      const signalled = untilSignal();
      const followers: { file: string; follower: FileFollower; format: string; logFormat?: string | undefined }[] = [];
      for (const file of files) {
        const chosen = await parserForFile(resolvePath(io, file), opts).catch((e: NodeJS.ErrnoException) => {
          throw new DebbieError('file_not_found', `cannot read: ${e.code ?? e.message}`, file);
        });
        const follower = new FileFollower(resolvePath(io, file), { parser: chosen.parser, sink, sessionId, allowBinary });
        await follower.start();
        followers.push({ file, follower, format: chosen.format, logFormat: chosen.logFormat });
      }
      io.stderr.write(`debbie ingest: following ${files.length} file(s); Ctrl-C to stop\n`);
      const flusher = setInterval(() => {
        void sink.forceFlush();
      }, 1000);
      await signalled;
      clearInterval(flusher);
      for (const f of followers) await f.follower.stop();
      await sink.forceFlush();
      const followed = followers.map((f) => ({ file: f.file, format: f.format as FileIngestResult['format'], logFormat: f.logFormat, ...f.follower.stats }));
      print(io, out, followed);
      const cut = reportLimitErrors(io, followed);
      return reportStored(io, followed, stored(), undefined) || cut > 0 ? 1 : 0;
    } finally {
      await close();
    }
  },
};

/**
 * --input-format names what the files hold and --format how the summary prints, as --format does
 * everywhere. The old spellings still work, with a note: `--format jsonl` (an input format) and
 * `--output-format json`.
 */
function ingestFormats(values: ParsedValues, io: CommandIO): { format: IngestFormat; out: 'text' | 'json' } {
  let input = str(values['input-format']);
  const given = str(values.format);
  const values2: ParsedValues = { ...values };
  if (given && !(OUTPUT_FORMATS as readonly string[]).includes(given) && (INGEST_FORMATS as readonly string[]).includes(given) && !input) {
    io.stderr.write(`debbie ingest: --format ${given} names the input format: use --input-format ${given} (--format is the output format)\n`);
    input = given;
    delete values2.format;
  }
  const oldOut = str(values['output-format']);
  if (oldOut && !str(values2.format)) {
    io.stderr.write(`debbie ingest: --output-format is deprecated: use --format ${oldOut}\n`);
    values2.format = oldOut;
  }
  const format = (input ?? 'auto') as IngestFormat;
  if (!(INGEST_FORMATS as readonly string[]).includes(format)) {
    throw new DebbieError('invalid_option', `unknown input format "${format}"; expected one of ${INGEST_FORMATS.join(', ')}`, '--input-format');
  }
  return { format, out: outputFormat(values2, OUTPUT_FORMATS, 'text') };
}

/** --log-format: a `%(...)s` string as given, or the name of one of debbie.yaml's formatters. */
function formatString(value: string | undefined, cli: CliConfig): string | undefined {
  if (value === undefined || value.includes('%(')) return value;
  const formatter = cli.config.formatters[value];
  if (!formatter) {
    const names = Object.keys(cli.config.formatters);
    throw new DebbieError(
      'invalid_log_format',
      `"${value}" is neither a %(...)s format string nor a formatter of ${cli.config.source ?? 'the configuration'}${names.length ? ` (formatters: ${names.join(', ')})` : ''}`,
      '--log-format',
    );
  }
  return formatter.format;
}

interface IngestSink {
  sink: EventSink;
  close: () => Promise<void>;
  /** Backpressure: ingest awaits it between reads, so it waits for the store or collector instead of dropping. */
  ready: () => Promise<void>;
  /** What is known stored (committed to the store, or acknowledged by the collector) and the first error, if any. */
  stored: () => StoredCount;
}

/** Events read (handed to the sink), known stored, lost, and the first error. */
interface StoredCount {
  read: number;
  stored: number;
  lost: number;
  error: string | undefined;
}

async function openSink(values: ParsedValues, io: CommandIO, cli: CliConfig): Promise<IngestSink> {
  const url = collectorUrl(values);
  if (url) {
    const sink = new RemoteEventSink({ url, token: collectorToken(values, io) });
    return {
      sink,
      close: () => sink.shutdown(),
      ready: () => sink.ready(),
      stored: () => ({
        read: sink.stats.sent + sink.stats.dropped + sink.stats.rejected,
        stored: sink.stats.sent,
        lost: sink.stats.dropped + sink.stats.rejected,
        error: sink.lastError?.message,
      }),
    };
  }
  // The one pipeline (redaction, store, commentary once), without a listening server.
  const commentaryOn = !values['no-commentary'] && cli.commentary.enabled;
  const pipeline: Pipeline = createPipeline({
    store: await openStore(storeLocation(values, io)),
    sessionKeys: cli.config.debbie_config.sessions.keys,
    commentary: commentaryOn
      ? // A file read once is judged in its own time (a 2025 log gets 2025 comments), a followed one live;
        // comments get ids from their content, so ingesting the same file again adds none twice.
        (onComment) =>
          new CommentaryProcessor({
            time: values.follow ? 'wall' : 'event',
            onComment: (e) => onComment(withContentId(e)),
            config: cli.commentary,
            correlationTimeoutMs: cli.correlationTimeoutMs,
          })
      : undefined,
  });
  return {
    sink: pipeline,
    close: () => pipeline.shutdown(),
    ready: () => pipeline.ready(),
    stored: () => {
      const s = pipeline.stats();
      return { read: s.received, stored: s.stored - s.comments, lost: pipeline.lost(), error: s.store_error ?? undefined };
    },
  };
}

/** Says which files gave nothing but raw lines (the format was not theirs) and how to name it; returns how many. */
function reportUnreadFiles(io: CommandIO, results: FileIngestResult[]): number {
  let unread = 0;
  for (const r of results) {
    if (r.events === 0 || r.unparseable < r.events) continue;
    unread += 1;
    io.stderr.write(
      `debbie ingest: ${r.file}: nothing in it could be read as ${r.format}${r.firstUnparseable ? ` (${r.firstUnparseable})` : ''}; ` +
        `its lines are kept as raw events. Name the format with --input-format (${INGEST_FORMATS.filter((f) => f !== 'auto').join(', ')}), ` +
        `or a text log's with --log-format '%(asctime)s %(levelname)s %(name)s: %(message)s'\n`,
    );
  }
  return unread;
}

/** Prints each line kept only in part (file, line, limit); returns how many there were. */
function reportLimitErrors(io: CommandIO, results: IngestStats[]): number {
  let cut = 0;
  for (const r of results) {
    cut += r.truncated;
    for (const message of r.limitErrors) io.stderr.write(`debbie ingest: ${message}\n`);
    if (r.truncated > r.limitErrors.length) io.stderr.write(`debbie ingest: … and ${r.truncated - r.limitErrors.length} more line(s) over the limit\n`);
  }
  return cut;
}

/**
 * The promise of the summary: every event it reports was stored. Says on stderr how many were
 * not, and why; true when any was not (a non-zero exit).
 */
function reportStored(io: CommandIO, results: readonly IngestStats[], known: StoredCount, stopped: Error | undefined): boolean {
  const reported = Math.max(
    known.read,
    results.reduce((n, r) => n + r.events, 0),
  );
  const missing = Math.max(0, reported - known.stored);
  if (!stopped && known.lost === 0 && missing === 0) return false;
  const why = stopped?.message ?? known.error ?? 'see the errors above';
  io.stderr.write(
    `debbie ingest: ${known.stored} events stored; ${Math.max(missing, known.lost)} of ${reported} read were not stored${stopped ? ' (stopped early)' : ''}: ${why}\n`,
  );
  return true;
}

function print(
  io: CommandIO,
  out: string,
  results: (FileIngestResult | ({ file: string; format: string; logFormat?: string | undefined } & IngestStats))[],
): void {
  if (out === 'json') {
    io.stdout.write(`${JSON.stringify(results)}\n`);
    return;
  }
  for (const r of results) io.stdout.write(`${describe(r)}\n`);
}
