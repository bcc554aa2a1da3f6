import type { Context, Span } from '@opentelemetry/api';
import { hrTimeFromEpochMicros, type DebbieEvent, type LogLevel } from '@debbie/model';
import type { DebbieLogger, LogInit } from './DebbieLogger.js';

/** An operation in progress. Details, metrics and level can change until `end()`. */
export class DebbieSpan {
  private ended = false;

  constructor(
    private readonly logger: DebbieLogger,
    /** The underlying OpenTelemetry span. */
    readonly otelSpan: Span,
    private readonly draft: DebbieEvent,
    /** The context with this span active: pass it to work that should nest under it. */
    readonly context: Context,
  ) {}

  get spanId(): string {
    return this.otelSpan.spanContext().spanId;
  }

  get traceId(): string {
    return this.otelSpan.spanContext().traceId;
  }

  setDetails(details: Record<string, unknown>): this {
    Object.assign(this.draft.details, details);
    return this;
  }

  setMetrics(metrics: Record<string, number>): this {
    this.draft.performance_metrics = { ...(this.draft.performance_metrics ?? {}), ...metrics };
    return this;
  }

  setLevel(level: LogLevel): this {
    this.draft.level = level;
    return this;
  }

  setMessage(message: string): this {
    this.draft.event_summary = message;
    return this;
  }

  /** Ids learned while the operation ran (e.g. the session a startSession request created). */
  setIds(ids: { session_id?: string; agent_id?: string; correlation_id?: string }): this {
    if (ids.session_id !== undefined) this.draft.session_id = ids.session_id;
    if (ids.agent_id !== undefined) this.draft.agent_id = ids.agent_id;
    if (ids.correlation_id !== undefined) this.draft.correlation_id = ids.correlation_id;
    return this;
  }

  setState(before: unknown, after: unknown): this {
    this.draft.state_before = before;
    this.draft.state_after = after;
    return this;
  }

  /** Marks the span failed and keeps the error's stack. */
  recordError(error: unknown): this {
    const err = error instanceof Error ? error : new Error(String(error));
    this.draft.level = 'ERROR';
    this.draft.stack_trace = err.stack ?? `${err.name}: ${err.message}`;
    this.draft.details.error = err.message;
    this.otelSpan.recordException(err, hrTimeFromEpochMicros(this.logger.now()));
    return this;
  }

  /** A point event nested in this span. */
  log(init: LogInit): DebbieEvent {
    return this.logger.log(init, this.context);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.logger.finishSpan(this.otelSpan, this.draft);
  }
}
