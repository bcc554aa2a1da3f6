import { resolve } from 'node:path';
import { DebbieError } from '@debbie/model';
import { createDestination, EXPORT_FORMATS, exportEvents, type ExportProgress } from '@debbie/exporters';
import type { Command, CommandIO, ParsedValues } from '../Command.js';
import { FILTER_OPTIONS, filterFromValues, openReader, READER_OPTIONS } from '../readerOptions.js';

/** Events per page read from the store while exporting: the bound on events in memory. */
const PAGE = 5_000;
/** Progress is printed at most this often (ms), and only for exports that outlast it. */
const PROGRESS_EVERY_MS = 1_000;

const str = (v: ParsedValues[string]): string | undefined => (typeof v === 'string' ? v : undefined);

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export stored events as JSON, JSONL, CSV or Parquet, or send them to Elasticsearch or Splunk.',
  usage: `(--session ID | --all) [filters] --format ${EXPORT_FORMATS.join('|')} [--out FILE] [--url URL --token T --index NAME] [--store PATH | --from-url URL]`,
  description: [
    'Columns and field mappings are documented in docs/export-formats.md.',
    'Events are read page by page and streamed, so memory stays flat however large the export.',
    'json, jsonl and csv go to stdout without --out; parquet needs --out.',
    'For elasticsearch and splunk, --url is the DESTINATION (the cluster or HEC base URL); read from a',
    'running collector with --from-url. --token is an Elasticsearch API key (base64 "id:key") or',
    '"user:password", or a Splunk HEC token; DEBBIE_EXPORT_TOKEN is used when --token is absent.',
    'Events the server refuses for good are written with their reason to --dead-letter (default',
    'debbie-export-dead-letter.jsonl) and the command exits 1.',
    '',
    'Examples:',
    '  debbie export --session 3f2c… --format csv --out session.csv',
    '  debbie export --all --min-level WARNING --format parquet --out warnings.parquet',
    '  debbie export --session 3f2c… --format elasticsearch --url https://es:9200 --token $ES_API_KEY --index logs-debbie-default',
    '  debbie export --all --format splunk --url https://splunk:8088 --token $HEC_TOKEN --index debbie --ack',
  ].join('\n'),
  options: {
    session: { type: 'string', value: 'ID', description: 'export this session (see `debbie sessions`)' },
    all: { type: 'boolean', description: 'export every stored event (with the filters)' },
    ...FILTER_OPTIONS,
    format: { type: 'string', value: 'F', description: `output format: ${EXPORT_FORMATS.join(', ')} (required)` },
    out: { type: 'string', short: 'o', value: 'FILE', description: 'output file (json, jsonl, csv: default stdout; parquet: required)' },
    url: { type: 'string', value: 'URL', description: 'destination base URL for elasticsearch or splunk (not the collector: see --from-url)' },
    token: { type: 'string', value: 'T', description: 'Elasticsearch API key or user:password, or Splunk HEC token (default $DEBBIE_EXPORT_TOKEN)' },
    index: { type: 'string', value: 'NAME', description: 'Elasticsearch index or data stream (default logs-debbie-default); Splunk index (default: the token\'s)' },
    'dead-letter': { type: 'string', value: 'FILE', description: 'where refused events go, with reasons (default debbie-export-dead-letter.jsonl)' },
    ack: { type: 'boolean', description: 'splunk: wait for indexer acknowledgment of each batch' },
    quiet: { type: 'boolean', short: 'q', description: 'no progress or summary on stderr' },
    store: READER_OPTIONS.store!,
    'from-url': { type: 'string', value: 'URL', description: 'read from a running `debbie collect` query API instead of --store' },
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
    const token = str(values.token) ?? (io.env.DEBBIE_EXPORT_TOKEN || undefined);
    const deadLetterPath = remote ? resolvePath(io, str(values['dead-letter']) ?? 'debbie-export-dead-letter.jsonl') : undefined;
    // Checks the format's options (and URL, index name) before anything is read.
    const destination = createDestination({
      format,
      ...(out ? { output: resolvePath(io, out) } : format === 'parquet' || remote ? {} : { output: { stream: io.stdout, name: 'stdout' } }),
      ...(str(values.url) ? { url: str(values.url)! } : {}),
      ...(token ? { token } : {}),
      ...(str(values.index) ? { index: str(values.index)! } : {}),
      ...(deadLetterPath ? { deadLetterPath } : {}),
      ...(values.ack === true ? { ack: true } : {}),
    });
    // The collector source is --from-url here, since --url names the destination.
    const reader = await openReader({ store: values.store, url: values['from-url'] }, io).catch((error: unknown) => {
      // The shared helper's hints name --url, which is --from-url in this command.
      if (error instanceof DebbieError) throw new DebbieError(error.code, error.message.replaceAll('--url', '--from-url'));
      throw error;
    });
    const quiet = values.quiet === true;
    try {
      const total = quiet ? undefined : await reader.countEvents(filter);
      const progress = progressPrinter(io, total, quiet);
      let summary;
      try {
        summary = await exportEvents(reader.streamEvents(filter, { batchSize: PAGE }), destination, { onProgress: progress });
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

function resolvePath(io: CommandIO, path: string): string {
  return resolve(io.cwd, path);
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
