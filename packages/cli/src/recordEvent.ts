import { resolve } from 'node:path';
import { RemoteEventSink } from '@debbie/collector';
import { DebbieError, type DebbieEvent } from '@debbie/model';
import { DEFAULT_STORE_PATH, openStore } from '@debbie/store';
import type { CommandIO, ParsedValues } from './Command.js';

/**
 * Records an event (a python_exec run) where the session lives: the collector (--url) or the
 * store file, opened for writing briefly. A store held by a running collector cannot take it:
 * say so on stderr rather than lose it silently.
 */
export async function recordEvent(event: DebbieEvent, values: ParsedValues, io: CommandIO, command: string): Promise<void> {
  try {
    if (typeof values.url === 'string') {
      const sink = new RemoteEventSink({ url: values.url, token: io.env.DEBBIE_TOKEN || undefined });
      sink.write(event);
      await sink.shutdown();
      if (sink.stats.sent === 0) throw new DebbieError('not_recorded', 'the collector did not accept it');
      return;
    }
    const store = await openStore(resolve(io.cwd, typeof values.store === 'string' ? values.store : DEFAULT_STORE_PATH));
    try {
      await store.append([event]);
    } finally {
      await store.close();
    }
  } catch (error) {
    io.stderr.write(`debbie ${command}: the ${event.source} event of this run was not recorded: ${(error as Error).message}\n`);
  }
}
