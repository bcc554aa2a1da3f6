import { RemoteEventSink } from '@debbie/collector';
import { DebbieError, type DebbieEvent } from '@debbie/model';
import { createPipeline } from '@debbie/pipeline';
import { openStore } from '@debbie/store';
import type { CommandIO, ParsedValues } from './Command.js';
import { collectorToken, collectorUrl, storeLocation } from './flags.js';

/**
 * Records an event (a python_exec run) where the session lives: the collector (--url) or the
 * store file, opened for writing briefly. A store held by a running collector cannot take it:
 * say so on stderr rather than lose it silently.
 */
export async function recordEvent(event: DebbieEvent, values: ParsedValues, io: CommandIO, command: string): Promise<void> {
  try {
    const url = collectorUrl(values);
    if (url) {
      const sink = new RemoteEventSink({ url, token: collectorToken(values, io) });
      sink.write(event);
      await sink.shutdown();
      if (sink.stats.sent === 0) throw new DebbieError('not_recorded', 'the collector did not accept it');
      return;
    }
    // Through the one pipeline (redaction), committed before we say nothing went wrong.
    const pipeline = createPipeline({ store: await openStore(storeLocation(values, io)) });
    try {
      await pipeline.writeBatch([event]);
    } finally {
      await pipeline.shutdown();
    }
  } catch (error) {
    io.stderr.write(`debbie ${command}: the ${event.source} event of this run was not recorded: ${(error as Error).message}\n`);
  }
}
