import { DebbieError } from '@debbie/model';
import type { EventDestination } from './EventDestination.js';
import type { OutputTarget } from './FileOutput.js';
import { CsvDestination } from './csv/CsvDestination.js';
import { ElasticsearchDestination } from './elasticsearch/ElasticsearchDestination.js';
import type { ElasticsearchAuth } from './elasticsearch/ElasticsearchBulkClient.js';
import { JsonDestination } from './json/JsonDestination.js';
import { ParquetDestination } from './parquet/ParquetDestination.js';
import { SplunkHecDestination } from './splunk/SplunkHecDestination.js';

import { EXPORT_FORMATS, type ExportFormat } from './formats.js';

export { EXPORT_FORMATS, type ExportFormat };

export interface DestinationSpec {
  format: string;
  /** File formats: a path, or a stream (stdout) for json/jsonl/csv. */
  output?: OutputTarget;
  /** Elasticsearch / Splunk: the server's base URL. */
  url?: string;
  /**
   * Elasticsearch: an API key (base64 "id:key") or "user:password" for basic auth.
   * Splunk: the HEC token.
   */
  token?: string;
  /** Elasticsearch index or data stream; Splunk index. */
  index?: string;
  /** Refused events go here (Elasticsearch, Splunk). */
  deadLetterPath?: string;
  /** Splunk: wait for indexer acknowledgment. */
  ack?: boolean;
}

/** Builds the destination for a format name, checking that the options it needs are there. */
export function createDestination(spec: DestinationSpec): EventDestination {
  const format = spec.format as ExportFormat;
  const needFile = (): OutputTarget => {
    if (!spec.output) throw new DebbieError('invalid_option', `--format ${format} needs --out FILE`, '--out');
    return spec.output;
  };
  const needUrl = (): string => {
    if (!spec.url)
      throw new DebbieError('invalid_option', `--format ${format} needs --url (the ${format === 'splunk' ? 'HEC' : 'Elasticsearch'} base URL)`, '--url');
    return spec.url;
  };
  switch (format) {
    case 'json':
    case 'jsonl':
      return new JsonDestination({ output: needFile(), format });
    case 'csv':
      return new CsvDestination({ output: needFile() });
    case 'parquet': {
      const out = needFile();
      if (typeof out !== 'string') throw new DebbieError('invalid_option', 'Parquet cannot be written to stdout: give --out FILE', '--out');
      return new ParquetDestination({ path: out });
    }
    case 'elasticsearch': {
      let auth: ElasticsearchAuth | undefined;
      if (spec.token) {
        const colon = spec.token.indexOf(':');
        auth = colon > 0 ? { username: spec.token.slice(0, colon), password: spec.token.slice(colon + 1) } : { apiKey: spec.token };
      }
      return new ElasticsearchDestination({
        url: needUrl(),
        ...(auth ? { auth } : {}),
        ...(spec.index ? { index: spec.index } : {}),
        ...(spec.deadLetterPath ? { deadLetterPath: spec.deadLetterPath } : {}),
      });
    }
    case 'splunk':
      if (!spec.token) throw new DebbieError('invalid_option', '--format splunk needs --to-token (a HEC token)', '--to-token');
      return new SplunkHecDestination({
        url: needUrl(),
        token: spec.token,
        ...(spec.index ? { index: spec.index } : {}),
        ...(spec.deadLetterPath ? { deadLetterPath: spec.deadLetterPath } : {}),
        ...(spec.ack ? { ack: true } : {}),
      });
    default:
      throw new DebbieError('invalid_option', `unknown format "${spec.format}"; expected one of ${EXPORT_FORMATS.join(', ')}`, '--format');
  }
}
