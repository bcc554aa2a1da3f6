import { existsSync } from 'node:fs';
import { DebbieError, type EventReader } from '@debbie/model';
import { openStore } from '@debbie/store';
import type { CommandIO, ParsedValues } from './Command.js';
import { collectorToken, collectorUrl, isStoreUrl, storeLocation } from './flags.js';

/**
 * Opens the reader the flags name: a running collector for `--url`, else the store at `--store`
 * (relative to the working directory), read-only. Close it when done.
 */
export async function openReader(values: ParsedValues, io: CommandIO): Promise<EventReader> {
  const url = collectorUrl(values);
  if (url) {
    const token = collectorToken(values, io);
    // Loaded only here: the collector (gRPC, protobuf, OpenTelemetry) costs every store query ~50 ms of start-up.
    const { QueryClient } = await import('@debbie/collector');
    return new QueryClient({ url, ...(token ? { token } : {}) });
  }
  const location = storeLocation(values, io);
  if (!isStoreUrl(location) && !existsSync(location)) {
    throw new DebbieError(
      'store_missing',
      `no store at ${location}; run \`debbie demo\` to create one, or pass --store PATH (or --url of a running collector)`,
      '--store',
    );
  }
  return openStore(location, { readOnly: true });
}

/** Writes to a stream, waiting when it asks us to (large outputs piped to `head`, files). */
export async function writeOut(io: CommandIO, text: string): Promise<void> {
  if (!io.stdout.write(text)) {
    await new Promise<void>((done) => {
      const finish = () => {
        io.stdout.off('drain', finish);
        io.stdout.off('error', finish);
        io.stdout.off('close', finish);
        done();
      };
      io.stdout.once('drain', finish);
      io.stdout.once('error', finish);
      io.stdout.once('close', finish);
    });
  }
}
