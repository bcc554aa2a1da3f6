import {
  convertForeignEvent,
  DebbieError,
  learnSessions,
  isSpanStart,
  redactEvent,
  sinkAcceptsSpanStarts,
  TraceSessionIndex,
  type DebbieEvent,
  type EventSink,
  type ForeignOptions,
} from '@debbie/model';
import { GroupCommitter, type CommitTarget, type EncodedEventBatch } from './GroupCommitter.js';

/**
 * A store the pipeline commits to (the DuckDB EventStore fits): committed writes, flush, shutdown,
 * and optionally moving a trace's events to the session a later span named.
 */
export type PipelineStore = CommitTarget &
  Pick<EventSink, 'forceFlush' | 'shutdown'> & {
    relabelSession?: (traceId: string, from: string, to: string) => Promise<number>;
  };

/** A best-effort sink (stream, exporter, configured handlers): fed every event, never waited for. */
export interface OptionalSink {
  name: string;
  sink: EventSink;
  /** The sink's own count of events it dropped (queue full, destination down), for the stop line. */
  dropped?: () => number;
}

/** Builds the commentary; `emit` feeds the comments it makes back into the pipeline's sinks (and returns them as stored). */
export type CommentaryFactory = (emit: (event: DebbieEvent) => DebbieEvent | undefined) => EventSink;

export interface PipelineOptions {
  /** Where events must be committed before a request is acknowledged. Optional (e.g. an SDK printing to the console). */
  store?: PipelineStore | undefined;
  /** Best-effort sinks; a bare EventSink is named "sink N". */
  sinks?: readonly (OptionalSink | EventSink)[];
  /** Debbie's commentary: sees each event once, unless it already went through a commentary. */
  commentary?: CommentaryFactory | undefined;
  /** Attribute names that carry the session (debbie.yaml `debbie_config.sessions.keys`), read first by the foreign conversion. */
  sessionKeys?: readonly string[] | undefined;
  /** Mask secrets (the one redaction on the write path). Default true; tests of raw data may turn it off. */
  redact?: boolean;
  /** Events waiting for the store before batches are refused (503) and unwaited writes dropped. Default 100,000. */
  maxPendingEvents?: number;
  /** How long a batch over maxPendingEvents waits for room before it is refused. Default 1,000 ms. */
  maxWaitMs?: number;
  /** Every sink, store and commentary failure, at most once a second per place (all are counted in stats). */
  onError?: ((error: Error, where: string) => void) | undefined;
}

/** Options of one batch handed to the pipeline. */
export interface BatchOptions {
  /** The sender's own pipeline already ran commentary on these events: do not comment again. */
  commentaryDone?: boolean;
}

/** The one set of counters: the collector's stop line, /api/stats and ingest's summary print these. */
export interface PipelineStats {
  /** Events that entered the pipeline (comments not included). */
  received: number;
  /** Comments and interventions the commentary made (fed into the same sinks). */
  comments: number;
  /** Events not given to the commentary because a commentary had already seen them. */
  commentary_skipped: number;
  /** Events dropped because redaction threw (never passed on unredacted). */
  redaction_errors: number;
  /** Events (and comments) committed to the store. */
  stored: number;
  /** Events waiting for the store. */
  store_pending: number;
  /** Events nobody waited for (SDK, file ingest, comments) lost in a failed store commit. */
  store_failed: number;
  /** Events not waited for (SDK, comments) dropped because the store was over maxPendingEvents or failing. */
  store_dropped: number;
  /** Events of batches answered "unavailable" (503): refused before acceptance, or their commit failed. The sender retries them. */
  refused: number;
  /** The latest store error, if the store is failing now or failed last. */
  store_error: string | null;
  /** Throws from sinks and the commentary (the event still reached the others). */
  sink_errors: number;
  /** Traces whose stored events moved from the inferred session to the one a later span named. */
  session_relabels: number;
  /** Events the best-effort sinks dropped, by sink. */
  sinks_dropped: Record<string, number>;
}

/** Why a batch was not accepted: the caller answers 503 (or waits) and retries after `retryAfterSeconds`. */
export class PipelineUnavailableError extends DebbieError {
  readonly retryAfterSeconds: number;
  constructor(code: 'collector_overloaded' | 'store_write_failed', message: string, retryAfterSeconds = 1) {
    super(code, message);
    this.name = 'PipelineUnavailableError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

const COMMENT_SOURCES = new Set(['debbie_comment', 'debbie']);

/**
 * Debbie's one event pipeline, used by `collect`, `ingest`, `demo`, the SDK processors and MCP:
 * foreign conversion → redaction (exactly once) → the store (group commits; acknowledged means
 * committed), the best-effort sinks, and the commentary (once per event; its comments come back
 * through the same sinks). One error policy: every sink failure is counted and reported.
 */
export class Pipeline implements EventSink {
  private readonly store: PipelineStore | undefined;
  private readonly committer: GroupCommitter | undefined;
  private readonly sinks: OptionalSink[];
  private commentary: EventSink | undefined;
  private readonly foreign: ForeignOptions;
  private relabels: Promise<void> = Promise.resolve();
  private readonly redact: boolean;
  private readonly maxPending: number;
  private readonly maxWaitMs: number;
  private readonly onError: ((error: Error, where: string) => void) | undefined;
  private readonly lastReported = new Map<string, number>();
  private readonly counts = {
    received: 0,
    comments: 0,
    commentary_skipped: 0,
    redaction_errors: 0,
    store_failed: 0,
    store_dropped: 0,
    refused: 0,
    sink_errors: 0,
    session_relabels: 0,
  };
  private shutdownOnce: Promise<void> | undefined;

  constructor(options: PipelineOptions) {
    this.store = options.store;
    this.committer = options.store
      ? new GroupCommitter(options.store, {
          onFailure: (e, unwaited) => {
            this.counts.store_failed += unwaited;
            this.report(e, 'store');
          },
        })
      : undefined;
    this.sinks = (options.sinks ?? []).map((s, i) => ('sink' in s && 'name' in s ? s : { name: `sink ${i + 1}`, sink: s as EventSink }));
    // Spans end children first: a trace's session is often named by the last span to arrive, and
    // what was stored under the trace's inferred session moves then.
    const traces = new TraceSessionIndex({ onRelabel: ({ traceId, from, to }) => this.relabel(traceId, from, to) });
    this.foreign = { traces, sessionKeys: options.sessionKeys ?? [] };
    this.redact = options.redact ?? true;
    this.maxPending = options.maxPendingEvents ?? 100_000;
    if (!(this.maxPending > 0)) throw new DebbieError('invalid_option', `maxPendingEvents must be positive (got ${this.maxPending})`);
    this.maxWaitMs = options.maxWaitMs ?? 1000;
    this.onError = options.onError;
    this.commentary = options.commentary?.((event) => this.comment(event));
  }

  /** Sets the commentary after construction (the SDK builds its logger first); once only. */
  attachCommentary(factory: CommentaryFactory): void {
    if (this.commentary) throw new DebbieError('invalid_option', 'this pipeline already has a commentary');
    this.commentary = factory((event) => this.comment(event));
  }

  /** Adds a best-effort sink (e.g. the stream once its server is up). */
  addSink(sink: OptionalSink): void {
    this.sinks.push(sink);
  }

  /**
   * Takes one event without waiting (the SDK path): returns the event as the sinks got it
   * (converted and redacted), or undefined when redaction failed. The store commit is not awaited:
   * a failure or an overflow is counted (store_failed, store_dropped), never thrown.
   */
  submit(event: DebbieEvent, options: BatchOptions = {}): DebbieEvent | undefined {
    if (isSpanStart(event)) return this.toLive(event);
    this.counts.received += 1;
    const clean = this.clean(event);
    if (!clean) return undefined;
    this.toStoreUnwaited(clean);
    this.fanOut(clean);
    this.toCommentary(clean, options);
    return clean;
  }

  /**
   * True when the store is the only thing that needs the events (no commentary, no sinks) and it
   * takes encoded batches: a sender may then clean (cleanEvent) and encode events off the main
   * thread and hand the result to writeEncoded.
   */
  get acceptsEncoded(): boolean {
    return typeof this.store?.appendEncoded === 'function' && !this.commentary && this.sinks.length === 0;
  }

  /** How events are cleaned here, for a sender that cleans them itself with cleanEvent (see acceptsEncoded). */
  get cleaning(): { redact: boolean; sessionKeys: readonly string[] } {
    return { redact: this.redact, sessionKeys: this.foreign.sessionKeys ?? [] };
  }

  /**
   * Takes events a sender already cleaned with cleanEvent (this pipeline's `cleaning`) and encoded
   * for the store, without waiting, as `write` does: counted as received; a store over
   * maxPendingEvents or failing drops them (store_dropped). Only when acceptsEncoded.
   */
  writeEncoded(batch: EncodedEventBatch): void {
    this.counts.received += batch.count;
    const c = this.committer;
    if (!c) return;
    if (c.load >= this.maxPending || c.failing) {
      this.counts.store_dropped += batch.count;
      return;
    }
    c.pushEncoded(batch);
  }

  /**
   * A trace names its session (what converting one of its events elsewhere learned): later events
   * of the trace that name none take it, and what was stored under the trace's inferred session moves.
   */
  noteTraceSession(traceId: string, sessionId: string): void {
    this.foreign.traces?.named(traceId, sessionId);
  }

  /** EventSink: `submit` without the result. */
  write(event: DebbieEvent): void {
    this.submit(event);
  }

  /**
   * Takes a batch and resolves once its events are committed to the store (at once without a
   * store): what a receiver awaits before answering 2xx. Throws PipelineUnavailableError, having
   * accepted nothing, when the store is over maxPendingEvents or failing; rejects with the same
   * error when the commit fails (the events reached the other sinks, not the store).
   */
  async writeBatch(batch: readonly DebbieEvent[], options: BatchOptions = {}): Promise<void> {
    let events = batch;
    if (batch.some(isSpanStart)) {
      events = batch.filter((e) => !isSpanStart(e));
      for (const e of batch) if (isSpanStart(e)) this.toLive(e);
    }
    await this.roomFor(events.length);
    this.checkAvailable(events.length);
    this.counts.received += events.length;
    const clean: DebbieEvent[] = [];
    learnSessions(events, this.foreign); // a batch's keyless spans get the session its parent names at once
    for (const event of events) {
      const c = this.clean(event);
      if (c) clean.push(c);
    }
    const committed = this.committer?.add(clean);
    for (const c of clean) {
      this.fanOut(c);
      this.toCommentary(c, options);
    }
    if (!committed) return;
    try {
      await committed;
    } catch (error) {
      this.counts.refused += clean.length;
      throw new PipelineUnavailableError('store_write_failed', `the store could not write: ${(error as Error).message}`);
    }
  }

  /** Waits up to maxWaitMs while the store is behind (the request's body is already held, within the receiver's budget). */
  private async roomFor(size: number): Promise<void> {
    const c = this.committer;
    if (!c) return;
    const until = Date.now() + this.maxWaitMs;
    while (!c.failing && c.load > 0 && c.load + size > this.maxPending && Date.now() < until) {
      await Promise.race([c.settled(), new Promise((resolve) => setTimeout(resolve, Math.max(1, until - Date.now())))]);
    }
  }

  /**
   * Throws PipelineUnavailableError when a batch of `size` events would be refused now: the store
   * is failing, or over maxPendingEvents (a batch larger than the bound is taken when nothing waits).
   */
  checkAvailable(size = 0): void {
    const c = this.committer;
    if (!c) return;
    if (c.failing) {
      this.counts.refused += size;
      throw new PipelineUnavailableError('store_write_failed', `the store is failing: ${c.lastError?.message}`);
    }
    if (c.load > 0 && c.load + size > this.maxPending) {
      this.counts.refused += size;
      // 1–3 s, so senders refused together do not all come back in the same instant.
      throw new PipelineUnavailableError(
        'collector_overloaded',
        `the store is behind: ${c.load} events waiting (limit ${this.maxPending})`,
        1 + Math.floor(Math.random() * 3),
      );
    }
  }

  /**
   * Resolves when the store has room again (at most half of maxPendingEvents waiting), for senders
   * that can wait (file ingest) instead of being refused; rejects with PipelineUnavailableError
   * when the store's latest commit failed, so the sender stops and says so.
   */
  async ready(): Promise<void> {
    const c = this.committer;
    if (!c) return;
    while (c.load > this.maxPending / 2) await new Promise<void>((resolve) => setTimeout(resolve, 5));
    if (c.lastError) throw new PipelineUnavailableError('store_write_failed', `the store could not write: ${c.lastError.message}`);
  }

  /** A comment or intervention the commentary made: to the store and sinks, never back to the commentary. */
  comment(event: DebbieEvent): DebbieEvent | undefined {
    this.counts.comments += 1;
    const clean = this.clean(event, false);
    if (!clean) return undefined;
    this.toStoreUnwaited(clean);
    this.fanOut(clean);
    return clean;
  }

  stats(): PipelineStats {
    const sinks_dropped: Record<string, number> = {};
    for (const s of this.sinks) if (s.dropped) sinks_dropped[s.name] = s.dropped();
    const c = this.committer;
    return {
      ...this.counts,
      stored: c?.counts.committed ?? 0,
      store_pending: c?.load ?? 0,
      store_error: c?.lastError?.message ?? null,
      sinks_dropped,
    };
  }

  /** Events lost anywhere nobody was told (unwaited store failures and drops, redaction, best-effort sinks): non-zero means a non-zero exit. */
  lost(): number {
    const s = this.stats();
    return s.store_failed + s.store_dropped + s.redaction_errors + Object.values(s.sinks_dropped).reduce((a, b) => a + b, 0);
  }

  /** Flushes the commentary first (its last comments reach the sinks), then the store, then the sinks. */
  async forceFlush(): Promise<void> {
    if (this.commentary) await this.commentary.forceFlush().catch((e: unknown) => this.failed(e, 'commentary'));
    await this.committer?.idle();
    await this.relabels;
    await this.store?.forceFlush().catch((e: unknown) => this.failed(e, 'store'));
    await Promise.all(this.sinks.map((s) => s.sink.forceFlush().catch((e: unknown) => this.failed(e, s.name))));
  }

  /** Stops the commentary (its last comments are kept), commits what waits, shuts sinks and store down. Once. */
  shutdown(): Promise<void> {
    this.shutdownOnce ??= (async () => {
      if (this.commentary) await this.commentary.shutdown().catch((e: unknown) => this.failed(e, 'commentary'));
      await this.committer?.idle();
      await this.relabels;
      await Promise.all(this.sinks.map((s) => s.sink.shutdown().catch((e: unknown) => this.failed(e, s.name))));
      await this.store?.shutdown().catch((e: unknown) => this.failed(e, 'store'));
    })();
    return this.shutdownOnce;
  }

  /** The entrance: foreign conversion, then the one redaction. */
  private clean(event: DebbieEvent, convert = true): DebbieEvent | undefined {
    try {
      return cleanEvent(event, convert ? this.foreign : undefined, this.redact);
    } catch (error) {
      this.counts.redaction_errors += 1;
      this.report(error as Error, 'redaction');
      return undefined;
    }
  }

  /** Moves the trace's stored events once everything handed to the store before is committed. */
  private relabel(traceId: string, from: string, to: string): void {
    this.counts.session_relabels += 1;
    const targets = [this.store, ...this.sinks.map((s) => s.sink as EventSink & Partial<Pick<PipelineStore, 'relabelSession'>>)];
    this.relabels = this.relabels.then(async () => {
      await this.committer?.idle();
      for (const t of targets) {
        if (typeof t?.relabelSession === 'function') await t.relabelSession(traceId, from, to).catch((e: unknown) => this.failed(e, 'relabel'));
      }
    });
  }

  private toStoreUnwaited(event: DebbieEvent): void {
    const c = this.committer;
    if (!c) return;
    if (c.load >= this.maxPending || c.failing) {
      this.counts.store_dropped += 1;
      return;
    }
    c.push(event);
  }

  private toCommentary(event: DebbieEvent, options: BatchOptions): void {
    if (!this.commentary) return;
    if (options.commentaryDone || COMMENT_SOURCES.has(event.source)) {
      this.counts.commentary_skipped += 1;
      return;
    }
    this.writeTo(this.commentary, event, 'commentary');
  }

  /** True when a sink takes span-start events: the SDK reports span starts only then. */
  get acceptsSpanStarts(): boolean {
    return this.sinks.some((s) => sinkAcceptsSpanStarts(s.sink));
  }

  /**
   * A span-start ("pending span") event is for live views only (the sinks that accept them): the
   * store and the commentary see each span once, when it ends. Not counted as received.
   */
  private toLive(event: DebbieEvent): DebbieEvent | undefined {
    const clean = this.clean(event);
    if (!clean) return undefined;
    for (const s of this.sinks) if (sinkAcceptsSpanStarts(s.sink)) this.writeTo(s.sink, clean, s.name);
    return clean;
  }

  private fanOut(event: DebbieEvent): void {
    for (const s of this.sinks) this.writeTo(s.sink, event, s.name);
  }

  private writeTo(sink: EventSink, event: DebbieEvent, where: string): void {
    try {
      sink.write(event);
    } catch (error) {
      this.failed(error, where);
    }
  }

  private failed(error: unknown, where: string): void {
    this.counts.sink_errors += 1;
    this.report(error instanceof Error ? error : new Error(String(error)), where);
  }

  /** Reports at most once a second per place, so a failing sink cannot flood the log. */
  private report(error: Error, where: string): void {
    if (!this.onError) return;
    const now = Date.now();
    if (now - (this.lastReported.get(where) ?? 0) < 1000) return;
    this.lastReported.set(where, now);
    try {
      this.onError(error, where);
    } catch {
      // a throwing reporter must not break the write path
    }
  }
}

/**
 * The pipeline's entrance for one event: foreign conversion (when `foreign` is given), then the
 * one redaction on the write path. Pipeline uses it for every event; an ingest worker that
 * encodes events for writeEncoded uses it too (with the pipeline's `cleaning`), so each event is
 * still redacted once, here, whichever thread runs it. Throws when redaction fails.
 */
export function cleanEvent(event: DebbieEvent, foreign: ForeignOptions | undefined, redact: boolean): DebbieEvent {
  const converted = foreign ? convertForeignEvent(event, foreign) : event;
  return redact ? redactEvent(converted) : converted;
}

/** Builds the pipeline (see Pipeline). */
export function createPipeline(options: PipelineOptions = {}): Pipeline {
  return new Pipeline(options);
}

/** The header (and its value) a sender sets when its own pipeline already ran commentary on the events it posts. */
export const COMMENTARY_DONE_HEADER = 'x-debbie-commentary';
export const COMMENTARY_DONE_VALUE = 'done';
