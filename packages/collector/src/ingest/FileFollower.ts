import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { EventSink } from '@debbie/model';
import { refuseBinary } from './binaryInput.js';
import { fileIdentityNow, firstBytes } from './fileIdentity.js';
import { LineIngester, type IngestStats } from './LineIngester.js';
import { LineSplitter } from './LineSplitter.js';
import { JsonLinesParser, type RecordParser } from './recordParsers.js';

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
  /** Read a file that looks binary as raw lines instead of refusing it. */
  allowBinary?: boolean;
}

/** Counters of a follower: the ingest counters plus what happened to the file. */
export interface FollowStats extends IngestStats {
  rotations: number;
  /** Truncations seen: the size fell below the read position, or the bytes already read changed (truncated and refilled). */
  truncations: number;
}

/** Bytes compared at the start of the file, and just before the read position, to notice a rewritten file. */
const HEAD_BYTES = 4096;
const TAIL_BYTES = 256;

const hash = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * Follows a growing log file like `tail -F`: reads what is appended, notices rotation (the path
 * now names another inode: the old file is read to its end first, then the new one from the start)
 * and truncation: the size fell below the read position, or — truncated and refilled past the old
 * position within one poll, as `copytruncate` and `> file` followed by fast writes do — the first
 * bytes or the bytes just before the position are no longer the ones read. Either way the file is
 * read again from its start, so nothing of the new content is lost; ids made from each record's
 * content and place (see LineIngester) keep a re-read record from being stored twice.
 */
export class FileFollower {
  private readonly path: string;
  private readonly options: FileFollowerOptions;
  private readonly ingester: LineIngester;
  private readonly splitter: LineSplitter;
  private fh: FileHandle | undefined;
  private ino = -1;
  private position = 0;
  /** Hash of the first `headLength` bytes as read. */
  private headHash = '';
  private headLength = 0;
  private keyFinal = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private lastData = Date.now();
  private counters = { rotations: 0, truncations: 0 };

  constructor(path: string, options: FileFollowerOptions) {
    this.path = path;
    this.options = options;
    this.ingester = new LineIngester({ parser: options.parser, sink: options.sink, file: path, sessionId: options.sessionId });
    this.splitter = new LineSplitter((line, info) => this.ingester.push(line, info), {
      maxLineBytes: 1024 * 1024,
      onLongLine: options.parser instanceof JsonLinesParser ? (offset, head) => this.ingester.longLine(offset, head)! : undefined,
    });
  }

  get stats(): FollowStats {
    return { ...this.ingester.stats, ...this.counters };
  }

  /** Reads what is there (unless fromEnd) and starts polling. Throws `binary_input` for a binary file. */
  async start(): Promise<void> {
    await this.reopen(this.options.fromEnd ?? false);
    // Raw lines before the first timed record are dated by the file, not by the wall clock.
    if (this.fh) this.ingester.setClock(Math.floor((await this.fh.stat()).mtimeMs) * 1000);
    if (this.fh && !this.options.allowBinary) {
      try {
        refuseBinary(await firstBytes(this.fh, 64 * 1024), this.path);
      } catch (error) {
        await this.fh.close();
        this.fh = undefined;
        throw error;
      }
    }
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
    this.ingester.end();
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
    this.restart(atEnd ? s.size : 0);
    if (atEnd && s.size > 0) await this.remember(undefined, s.size);
  }

  /** Reads from `offset` on, as if the file had never been read before it. */
  private restart(offset: number): void {
    this.position = offset;
    this.headHash = '';
    this.headLength = 0;
    this.tailHash = '';
    this.keyFinal = false;
    this.splitter.reset(offset);
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
      this.ingester.flush();
      await this.reopen(false);
      this.counters.rotations += 1;
    } else if (current && (current.size < this.position || (await this.rewritten()))) {
      this.counters.truncations += 1;
      this.ingester.flush();
      this.restart(0);
    }
    const got = await this.drain(this.options.readChunkBytes ?? 1024 * 1024);
    const now = Date.now();
    if (got > 0) this.lastData = now;
    else if (now - this.lastData >= (this.options.idleFlushMs ?? 1000) && this.ingester.hasPending) this.ingester.end();
  }

  /** Whether the bytes already read are no longer in the file (truncated and refilled). */
  private async rewritten(): Promise<boolean> {
    if (!this.fh || this.position === 0) return false;
    if (this.headLength > 0) {
      const head = await this.readAt(0, this.headLength);
      if (head.length < this.headLength || hash(head) !== this.headHash) return true;
    }
    if (this.tailHash === '') return false;
    const tailLength = Math.min(TAIL_BYTES, this.position);
    const tail = await this.readAt(this.position - tailLength, tailLength);
    return tail.length < tailLength || hash(tail) !== this.tailHash;
  }

  private tailHash = '';

  private async readAt(at: number, length: number): Promise<Buffer> {
    const buf = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.fh!.read(buf, got, length - got, at + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  }

  /** Reads from the position to the end (or up to `limit` bytes). */
  private async drain(limit = Number.POSITIVE_INFINITY): Promise<number> {
    if (!this.fh) return 0;
    const buf = Buffer.alloc(Math.min(limit, 256 * 1024));
    let total = 0;
    while (total < limit) {
      const { bytesRead } = await this.fh.read(buf, 0, Math.min(buf.length, limit - total), this.position);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      if (!this.keyFinal) {
        // What is pushed now was read already: the identity read now covers it (see fileIdentity).
        const id = await fileIdentityNow(this.fh);
        this.ingester.fileKey = id.key;
        this.keyFinal = id.final;
      }
      const end = this.position + bytesRead;
      await this.remember(chunk, end);
      this.position = end;
      total += bytesRead;
      this.splitter.push(chunk);
    }
    return total;
  }

  /** Keeps the fingerprints of what has been read up to `end`: the first bytes and the bytes just before `end`. */
  private async remember(chunk: Buffer | undefined, end: number): Promise<void> {
    const start = chunk ? end - chunk.length : end;
    if (this.headLength < HEAD_BYTES && this.headLength < end) {
      // From the chunk itself when it starts the file (the bytes as read, not as they may be now).
      const head = chunk && start === 0 ? chunk.subarray(0, HEAD_BYTES) : await this.readAt(0, Math.min(HEAD_BYTES, end));
      this.headLength = head.length;
      this.headHash = hash(head);
    }
    const tail =
      chunk && chunk.length >= TAIL_BYTES
        ? chunk.subarray(chunk.length - TAIL_BYTES)
        : await this.readAt(Math.max(0, end - TAIL_BYTES), Math.min(TAIL_BYTES, end));
    this.tailHash = hash(tail);
  }
}
