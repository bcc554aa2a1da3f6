import { open, stat, type FileHandle } from 'node:fs/promises';
import type { EventSink } from '@debbie/model';
import type { RecordParser } from './recordParsers.js';
import { LineIngester, type IngestStats } from './LineIngester.js';
import { LineSplitter } from './LineSplitter.js';

export interface FileFollowerOptions {
  parser: RecordParser;
  sink: EventSink;
  /** How often the file is checked for growth, rotation or truncation. Default 250 ms. */
  pollMs?: number;
  /** A multi-line record waiting this long with no new line is emitted. Default 1,000 ms. */
  idleFlushMs?: number;
  /** Start at the end of the file (only new lines) instead of the beginning. Default false. */
  fromEnd?: boolean;
  /** Bytes read per check, so one huge append cannot block the loop. Default 1 MiB. */
  readChunkBytes?: number;
  /** The session of records that name none (`--session`). */
  sessionId?: string | undefined;
}

/** Counters of a follower: the ingest counters plus what happened to the file. */
export interface FollowStats extends IngestStats {
  rotations: number;
  truncations: number;
}

/**
 * Follows a growing log file like `tail -F`: reads what is appended, notices rotation (the path
 * now names another inode: the old file is read to its end first, then the new one from the start)
 * and truncation (size below the read position: read again from the start).
 */
export class FileFollower {
  private readonly path: string;
  private readonly options: FileFollowerOptions;
  private readonly ingester: LineIngester;
  private readonly splitter: LineSplitter;
  private fh: FileHandle | undefined;
  private ino = -1;
  private position = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private lastData = Date.now();
  private counters = { rotations: 0, truncations: 0 };

  constructor(path: string, options: FileFollowerOptions) {
    this.path = path;
    this.options = options;
    this.ingester = new LineIngester({ parser: options.parser, sink: options.sink, file: path, sessionId: options.sessionId });
    this.splitter = new LineSplitter((line) => this.ingester.push(line));
  }

  get stats(): FollowStats {
    return { ...this.ingester.stats, ...this.counters };
  }

  /** Reads what is there (unless fromEnd) and starts polling. */
  async start(): Promise<void> {
    await this.reopen(this.options.fromEnd ?? false);
    await this.tick();
    this.timer = setInterval(() => {
      this.ticking = this.ticking.then(() => this.tick()).catch(() => undefined);
    }, this.options.pollMs ?? 250);
    this.timer.unref?.();
  }

  /** One check, awaitable (tests call it instead of waiting for the timer). */
  async poll(): Promise<void> {
    this.ticking = this.ticking.then(() => this.tick());
    await this.ticking;
  }

  /** Stops following; what was read is flushed (a last line without newline included). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking.catch(() => undefined);
    await this.tick().catch(() => undefined); // a last look: rotation or truncation since the last poll
    await this.drain();
    this.splitter.end();
    this.ingester.flush();
    await this.fh?.close();
    this.fh = undefined;
  }

  private async reopen(atEnd: boolean): Promise<void> {
    await this.fh?.close().catch(() => undefined);
    this.fh = undefined;
    try {
      this.fh = await open(this.path, 'r');
    } catch {
      return; // not there (yet): rotation in progress
    }
    const s = await this.fh.stat();
    this.ino = s.ino;
    this.position = atEnd ? s.size : 0;
    this.splitter.reset();
  }

  private async tick(): Promise<void> {
    let current: { ino: number; size: number } | undefined;
    try {
      current = await stat(this.path);
    } catch {
      current = undefined; // rotated away, new file not created yet
    }
    if (!this.fh) {
      if (current) {
        await this.reopen(false);
        this.counters.rotations += 1;
      }
    } else if (current && current.ino !== this.ino) {
      await this.drain(); // the rest of the rotated file first
      this.splitter.end();
      await this.reopen(false);
      this.counters.rotations += 1;
    } else if (current && current.size < this.position) {
      this.counters.truncations += 1;
      this.position = 0;
      this.splitter.reset();
    }
    const got = await this.drain(this.options.readChunkBytes ?? 1024 * 1024);
    const now = Date.now();
    if (got > 0) this.lastData = now;
    else if (now - this.lastData >= (this.options.idleFlushMs ?? 1000) && this.ingester.hasPending) this.ingester.flush();
  }

  /** Reads from the position to the end (or up to `limit` bytes). */
  private async drain(limit = Number.POSITIVE_INFINITY): Promise<number> {
    if (!this.fh) return 0;
    const buf = Buffer.alloc(Math.min(limit, 256 * 1024));
    let total = 0;
    while (total < limit) {
      const { bytesRead } = await this.fh.read(buf, 0, Math.min(buf.length, limit - total), this.position);
      if (bytesRead === 0) break;
      this.position += bytesRead;
      total += bytesRead;
      this.splitter.push(buf.subarray(0, bytesRead));
    }
    return total;
  }
}
