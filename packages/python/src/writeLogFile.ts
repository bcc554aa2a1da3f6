import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { DebbieEvent } from '@debbie/model';

/** Events for a script: an array, any iterable, or pages from `EventReader.streamEvents`. */
export type LogInput = Iterable<DebbieEvent> | AsyncIterable<DebbieEvent | readonly DebbieEvent[]>;

export interface LogFileStats {
  written: number;
  /** Events past `maxEvents`, not written. */
  dropped: number;
  /** Events that could not be serialized (a BigInt, a cycle), skipped one by one. */
  invalid: number;
}

const FLUSH_CHARS = 1 << 20;

/**
 * Writes events as JSONL (one DebbieEvent a line), at most `maxEvents`, honouring the stream's
 * backpressure so a large session never sits in memory twice.
 */
export async function writeLogFile(path: string, logs: LogInput | undefined, maxEvents: number): Promise<LogFileStats> {
  const out = createWriteStream(path, { encoding: 'utf8', mode: 0o644 });
  const stats: LogFileStats = { written: 0, dropped: 0, invalid: 0 };
  let pending = '';
  const flush = async () => {
    if (!pending) return;
    const ok = out.write(pending);
    pending = '';
    if (!ok) await once(out, 'drain');
  };
  const add = async (event: DebbieEvent) => {
    if (stats.written >= maxEvents) {
      stats.dropped += 1;
      return;
    }
    let line: string;
    try {
      line = JSON.stringify(withoutNulls(event));
    } catch {
      stats.invalid += 1;
      return;
    }
    pending += `${line}\n`;
    stats.written += 1;
    if (pending.length >= FLUSH_CHARS) await flush();
  };
  try {
    if (logs !== undefined) {
      if (Symbol.asyncIterator in logs) {
        for await (const item of logs) {
          if (Array.isArray(item)) for (const e of item as readonly DebbieEvent[]) await add(e);
          else await add(item as DebbieEvent);
        }
      } else {
        for (const e of logs) await add(e);
      }
    }
    await flush();
  } finally {
    out.end();
    await once(out, 'close');
  }
  return stats;
}

/**
 * The event without its null fields: about half the bytes of a typical event, so half the JSON
 * the interpreter parses (the prelude reads a missing field as None).
 */
function withoutNulls(event: DebbieEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in event) {
    const value = (event as unknown as Record<string, unknown>)[key];
    if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}
