import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DebbieError, type EventFilter } from '@debbie/model';
import type { ExportProgress, ExportSummary } from '@debbie/exporters';
// The format names alone: the exporters (Parquet writer, HTTP clients, OpenTelemetry) load only
// when events pass through JavaScript, not for a store's own Parquet COPY.
import { EXPORT_FORMATS } from '@debbie/exporters/formats';
import type { Command, CommandIO, ParsedValues } from '../Command.js';
import { FILTER_FLAGS, filterFromValues, formatFlag, READER_FLAGS, resolvePath, SESSION_FLAG, str } from '../flags.js';
import { openReader } from '../readerOptions.js';
import { resolveSession } from '../resolveSession.js';

/** A store that writes Parquet itself (the DuckDB store, with its own COPY): no row passes through JavaScript. */
interface ParquetCopier {
  exportParquet(filter: EventFilter, path: string): Promise<number>;
}
const copiesParquet = (reader: object): reader is ParquetCopier => typeof (reader as Partial<ParquetCopier>).exportParquet === 'function';

/** Events per page read from the store while exporting: the bound on events in memory. */
const PAGE = 5_000;
/** Progress is printed at most this often (ms), and only for exports that outlast it. */
const PROGRESS_EVERY_MS = 1_000;

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export stored events as JSON, JSONL, CSV or Parquet, or send them to Elasticsearch or Splunk.',
  usage: `(--session ID | --all) [filters] --format ${EXPORT_FORMATS.join('|')} [--out FILE] [--to URL --to-token T --index NAME] [--store PATH | --url URL]`,
  description: [
    'Columns and field mappings are documented in docs/export-formats.md.',
    'Events are read page by page and streamed, so memory stays flat however large the export.',
    'json, jsonl and csv go to stdout without --out; parquet needs --out.',
    'For elasticsearch and splunk, --to is the destination (the cluster or HEC base URL) and --to-token',
    'an Elasticsearch API key (base64 "id:key") or "user:password", or a Splunk HEC token',
    '(default $DEBBIE_EXPORT_TOKEN). --url and --token name a running collector to read from, as in',
    'every command. (The old spelling, --url/--token for the destination without --to, still works.)',
    'Events the server refuses for good are written with their reason to --dead-letter (default',
    'debbie-export-dead-letter.jsonl) and the command exits 1.',
    '',
    'Examples (on the store `debbie demo` writes; the last two need the destination running):',
    '  debbie export --session b7d9a88c --format csv --out exports/session.csv',
    '  debbie export --all --min-level WARNING --format parquet --out warnings.parquet',
    '  debbie export --session b7d9a88c --format elasticsearch --to https://es:9200 --to-token $ES_API_KEY --index logs-debbie-default',
    '  debbie export --all --format splunk --to https://splunk:8088 --to-token $HEC_TOKEN --index debbie --ack',
  ].join('\n'),
  options: {
    session: SESSION_FLAG,
    all: { type: 'boolean', description: 'export every stored event (with the filters)' },
    ...FILTER_FLAGS,
    format: formatFlag(EXPORT_FORMATS, undefined),
    out: { type: 'string', short: 'o', value: 'FILE', description: 'output file (json, jsonl, csv: default stdout; parquet: required)' },
    to: { type: 'string', value: 'URL', description: 'destination base URL for elasticsearch or splunk' },
    'to-token': { type: 'string', value: 'T', description: 'Elasticsearch API key or user:password, or Splunk HEC token (default $DEBBIE_EXPORT_TOKEN)' },
    index: {
      type: 'string',
      value: 'NAME',
      description: "Elasticsearch index or data stream (default logs-debbie-default); Splunk index (default: the token's)",
    },
    'dead-letter': { type: 'string', value: 'FILE', description: 'where refused events go, with reasons (default debbie-export-dead-letter.jsonl)' },
    ack: { type: 'boolean', description: 'splunk: wait for indexer acknowledgment of each batch' },
    quiet: { type: 'boolean', short: 'q', description: 'no progress or summary on stderr' },
    ...READER_FLAGS,
    'from-url': { type: 'string', value: 'URL', description: 'old spelling of --url (deprecated)' },
  },
  async run(values, _positionals, io) {
    const session = str(values.session);
    if (!session && values.all !== true) throw new DebbieError('missing_option', 'give --session ID (list them with `debbie sessions`) or --all');
    if (session && values.all === true) throw new DebbieError('invalid_option', '--session and --all exclude each other');
    const format = str(values.format);
    if (!format) throw new DebbieError('missing_option', `give --format (${EXPORT_FORMATS.join(', ')})`, '--format');
    const filter = filterFromValues(values);
    const out = str(values.out);
    const remote = format === 'elasticsearch' || format === 'splunk';
    const { source, to, toToken } = exportEnds(values, remote, io);
    const token = toToken ?? (io.env.DEBBIE_EXPORT_TOKEN || undefined);
    if (remote && !to)
      throw new DebbieError('missing_option', `--format ${format} needs --to URL (the ${format === 'splunk' ? 'HEC' : 'Elasticsearch'} base URL)`, '--to');
    if (format === 'splunk' && !token)
      throw new DebbieError('missing_option', '--format splunk needs --to-token (a HEC token) or $DEBBIE_EXPORT_TOKEN', '--to-token');
    const deadLetterPath = remote ? resolvePath(io, str(values['dead-letter']) ?? 'debbie-export-dead-letter.jsonl') : undefined;
    // Parquet to a file may be copied by the store itself (checked once it is open); a Parquet
    // destination needs nothing but the file, so there is nothing to check first.
    const mayCopy = format === 'parquet' && out !== undefined;
    const exporters = mayCopy ? undefined : await import('@debbie/exporters');
    const destinationSpec = {
      format,
      ...(out ? { output: resolvePath(io, out) } : format === 'parquet' || remote ? {} : { output: { stream: io.stdout, name: 'stdout' } }),
      ...(to ? { url: to } : {}),
      ...(token ? { token } : {}),
      ...(str(values.index) ? { index: str(values.index)! } : {}),
      ...(deadLetterPath ? { deadLetterPath } : {}),
      ...(values.ack === true ? { ack: true } : {}),
    };
    // Checks the format's options (and URL, index name) before anything is read.
    const destination = exporters?.createDestination(destinationSpec);
    const reader = await openReader(source, io);
    const quiet = values.quiet === true;
    try {
      if (filter.sessionId) filter.sessionId = (await resolveSession(reader, filter.sessionId)).session_id;
      // Every format treats --out alike: its folder is created (as analyze and timeline do).
      if (out) await mkdir(dirname(resolvePath(io, out)), { recursive: true });
      let summary: ExportSummary;
      try {
        if (mayCopy && copiesParquet(reader)) {
          const target = resolvePath(io, out);
          const written = await reader.exportParquet(filter, target);
          summary = { written, rejected: 0, bytes: (await stat(target)).size, target };
        } else {
          const { createDestination, exportEvents } = exporters ?? (await import('@debbie/exporters'));
          const total = quiet ? undefined : await reader.countEvents(filter);
          const progress = progressPrinter(io, total, quiet);
          summary = await exportEvents(reader.streamEvents(filter, { batchSize: PAGE }), destination ?? createDestination(destinationSpec), {
            onProgress: progress,
          });
        }
      } catch (error) {
        // Our reader went away (`| head`): stop quietly, as `debbie events` does.
        if (!out && !remote && /EPIPE|ERR_STREAM_DESTROYED/.test((error as Error).message)) return 0;
        throw error;
      }
      if (!quiet) {
        if (summary.written === 0 && summary.rejected === 0) {
          io.stderr.write(`No events matched${session ? ` in session "${session}"` : ''}; ${summary.target} holds an empty export.\n`);
        } else {
          io.stderr.write(`Exported ${summary.written} events to ${summary.target} (${formatBytes(summary.bytes)}).\n`);
        }
      }
      if (summary.resent) {
        io.stderr.write(
          `${summary.resent} events were sent again after a failure ${summary.target} may have indexed them anyway; those copies carry the field debbie_resend (remove them with \`dedup event_id\`).\n`,
        );
      }
      if (summary.rejected > 0) {
        io.stderr.write(`${summary.rejected} events were refused by ${summary.target}; they are in ${deadLetterPath ?? 'the output'} with the reasons.\n`);
        return 1;
      }
      return 0;
    } finally {
      await reader.close();
    }
  },
};

/**
 * Where export reads from (`--store`, or `--url`/`--token` of a collector, as everywhere) and where
 * it sends (`--to`, `--to-token`). The old spellings keep working with a note on stderr:
 * `--from-url` for --url, and --url/--token naming the destination when --to is absent.
 */
function exportEnds(values: ParsedValues, remote: boolean, io: CommandIO): { source: ParsedValues; to?: string; toToken?: string } {
  const note = (text: string) => io.stderr.write(`debbie export: ${text}\n`);
  const source: ParsedValues = { store: values.store, url: values.url, token: values.token };
  let to = str(values.to);
  let toToken = str(values['to-token']);
  if (remote && !to && str(values.url)) {
    note(`--url names the collector to read from; use --to ${str(values.url)} for the destination (and --to-token for its token)`);
    to = str(values.url);
    toToken ??= str(values.token);
    source.url = undefined;
    source.token = undefined;
  }
  const fromUrl = str(values['from-url']);
  if (fromUrl) {
    note('--from-url is deprecated: use --url');
    source.url = fromUrl;
  }
  return { source, ...(to ? { to } : {}), ...(toToken ? { toToken } : {}) };
}

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} bytes`;
}

/** Progress on stderr, at most once a second, only once an export has run that long. */
function progressPrinter(io: CommandIO, total: number | undefined, quiet: boolean): ((p: ExportProgress) => void) | undefined {
  if (quiet) return undefined;
  let last = 0;
  return ({ read, elapsedMs }) => {
    if (elapsedMs - last < PROGRESS_EVERY_MS) return;
    last = elapsedMs;
    const rate = Math.round(read / (elapsedMs / 1000));
    const of = total ? ` of ${total} (${Math.floor((read / total) * 100)}%)` : '';
    io.stderr.write(`exported ${read}${of} events, ${rate}/s\n`);
  };
}
