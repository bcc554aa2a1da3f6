import { context as otelContext, trace, SpanStatusCode, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import {
  ATTR,
  createEvent,
  eventToLogRecord,
  eventToSpanAttributes,
  hrTimeFromEpochMicros,
  isoFromEpochMicros,
  spanNameFor,
  systemClock,
  type Clock,
  type DebbieEvent,
  type EventSink,
  type LogLevel,
  type LogSource,
} from '@debbie/model';
import { createPipeline, Pipeline } from '@debbie/pipeline';
import { DEBBIE_DIRECT_KEY, getDebbieContext, withDebbieContext, type DebbieContext } from './context.js';
import { DebbieSpan } from './DebbieSpan.js';

/** What `log()` takes: the seed's log() arguments, snake_case like the event. */
export interface LogInit {
  source: LogSource;
  message: string;
  level?: LogLevel;
  component?: string;
  action?: string;
  details?: Record<string, unknown>;
  tags?: string[];
  performance_metrics?: Record<string, number>;
  state_before?: unknown;
  state_after?: unknown;
  stack_trace?: string;
  context_snapshot?: Record<string, unknown>;
  duration_ms?: number;
  session_id?: string;
  agent_id?: string;
  correlation_id?: string;
  /** Epoch microseconds; default: the logger's clock. */
  timestamp?: number;
}

/** What `comment()` takes: one of Debbie's insights. */
export interface CommentInit {
  comment: string;
  level?: LogLevel;
  /** pattern, confidence, recommendations, … */
  context?: Record<string, unknown>;
  component?: string;
  session_id?: string;
  agent_id?: string;
  correlation_id?: string;
}

/** What `span()` / `startSpan()` take. */
export interface SpanInit extends Omit<LogInit, 'message' | 'duration_ms' | 'timestamp'> {
  /** The human-readable summary (default: the span name). */
  message?: string;
  /** The OTel span name (default: GenAI-style, e.g. `execute_tool list_rfcs`). */
  name?: string;
}

export interface DebbieLoggerOptions {
  tracer: Tracer;
  /** The OTel logger that exporters (OTLP, …) read from; omit when only sinks need events. */
  otelLogger?: Logger | undefined;
  /** The one pipeline, which receives every event the logger creates (the span processor delivers spans); a bare sink is put behind one. */
  sink: EventSink;
  /** Default: wall-clock time. */
  clock?: Clock;
}

/**
 * Debbie's logger: point events (`log`, `comment`) and operations with a duration (`span`),
 * tagged with the session, agent and correlation ids of the active context.
 *
 * @example
 * await logger.withContext({ sessionId, agentId: 'p' }, () =>
 *   logger.span({ source: 'tool', details: { tool_name: 'list_rfcs' } }, async () => listRfcs()));
 */
export class DebbieLogger {
  readonly clock: Clock;
  private readonly tracer: Tracer;
  private readonly otelLogger: Logger | undefined;
  private readonly sink: Pipeline;

  constructor(options: DebbieLoggerOptions) {
    this.tracer = options.tracer;
    this.otelLogger = options.otelLogger;
    this.sink = options.sink instanceof Pipeline ? options.sink : createPipeline({ sinks: [options.sink] });
    this.clock = options.clock ?? systemClock;
  }

  /** Epoch microseconds on this logger's clock. */
  now(): number {
    return this.clock.now();
  }

  /** Records a point event; returns it (after redaction). */
  log(init: LogInit, ctx: Context = otelContext.active()): DebbieEvent {
    const ids = getDebbieContext(ctx);
    const activeSpan = trace.getSpan(ctx)?.spanContext();
    const event = createEvent({
      timestamp: isoFromEpochMicros(init.timestamp ?? this.clock.now()),
      level: init.level ?? 'INFO',
      source: init.source,
      component: init.component ?? init.source,
      action: init.action ?? '',
      event_summary: init.message,
      details: init.details ?? {},
      tags: init.tags ?? [],
      performance_metrics: init.performance_metrics ?? null,
      state_before: init.state_before ?? null,
      state_after: init.state_after ?? null,
      stack_trace: init.stack_trace ?? null,
      context_snapshot: init.context_snapshot ?? null,
      duration_ms: init.duration_ms ?? null,
      kind: 'log',
      session_id: init.session_id ?? ids.sessionId ?? null,
      agent_id: init.agent_id ?? ids.agentId ?? null,
      correlation_id: init.correlation_id ?? ids.correlationId ?? null,
      parent_id: activeSpan?.spanId ?? null,
      trace_id: activeSpan?.traceId ?? null,
      span_id: activeSpan?.spanId ?? null,
    });
    return this.emitEvent(event, ctx);
  }

  /** Records one of Debbie's insights as a `debbie_comment` event. */
  comment(init: CommentInit, ctx: Context = otelContext.active()): DebbieEvent {
    return this.log(
      {
        source: 'debbie_comment',
        level: init.level ?? 'INFO',
        component: init.component ?? 'debugging',
        action: 'comment',
        message: init.comment,
        details: init.context ?? {},
        ...(init.session_id !== undefined ? { session_id: init.session_id } : {}),
        ...(init.agent_id !== undefined ? { agent_id: init.agent_id } : {}),
        ...(init.correlation_id !== undefined ? { correlation_id: init.correlation_id } : {}),
      },
      ctx,
    );
  }

  /**
   * Delivers a complete event: through the pipeline (converted, redacted once, to the sinks), and
   * as the pipeline passed it on to the OTel log pipeline when one is configured.
   */
  emitEvent(event: DebbieEvent, ctx: Context = otelContext.active()): DebbieEvent {
    const clean = this.sink.submit(event);
    if (!clean) return event; // redaction failed: counted by the pipeline, sent nowhere
    this.toOtelLogs(clean, ctx);
    return clean;
  }

  /** @internal An event the pipeline already took (a comment) to the OTel log pipeline, if any. */
  toOtelLogs(clean: DebbieEvent, ctx: Context = otelContext.active()): void {
    if (!this.otelLogger) return;
    const record = eventToLogRecord(clean);
    record.context = (record.context ?? ctx).setValue(DEBBIE_DIRECT_KEY, true);
    this.otelLogger.emit(record);
  }

  /** Starts a span; end it with `span.end()`. Prefer `span()`, which ends it for you. */
  startSpan(init: SpanInit, ctx: Context = otelContext.active()): DebbieSpan {
    const ids = getDebbieContext(ctx);
    const draft = createEvent({
      source: init.source,
      event_summary: init.message ?? '',
      level: init.level ?? 'INFO',
      component: init.component ?? init.source,
      action: init.action ?? '',
      details: { ...(init.details ?? {}) },
      tags: init.tags ?? [],
      performance_metrics: init.performance_metrics ? { ...init.performance_metrics } : null,
      state_before: init.state_before ?? null,
      state_after: init.state_after ?? null,
      stack_trace: init.stack_trace ?? null,
      context_snapshot: init.context_snapshot ?? null,
      session_id: init.session_id ?? ids.sessionId ?? null,
      agent_id: init.agent_id ?? ids.agentId ?? null,
      correlation_id: init.correlation_id ?? ids.correlationId ?? null,
      kind: 'span',
    });
    const name = init.name ?? spanNameFor(draft);
    if (!draft.event_summary) draft.event_summary = name;
    // What a span-start event needs to say what is running; the rest is set when it ends.
    const otelSpan: Span = this.tracer.startSpan(
      name,
      {
        startTime: hrTimeFromEpochMicros(this.clock.now()),
        attributes: {
          [ATTR.SOURCE]: draft.source,
          [ATTR.COMPONENT]: draft.component,
          [ATTR.ACTION]: draft.action,
          [ATTR.SUMMARY]: draft.event_summary,
          ...(draft.session_id ? { [ATTR.SESSION_ID]: draft.session_id } : {}),
          ...(draft.agent_id ? { [ATTR.AGENT_ID]: draft.agent_id } : {}),
          ...(draft.correlation_id ? { [ATTR.CORRELATION_ID]: draft.correlation_id } : {}),
        },
      },
      ctx,
    );
    const spanCtx = trace.setSpan(
      withDebbieContext(
        {
          ...(draft.session_id ? { sessionId: draft.session_id } : {}),
          ...(draft.agent_id ? { agentId: draft.agent_id } : {}),
          ...(draft.correlation_id ? { correlationId: draft.correlation_id } : {}),
        },
        ctx,
      ),
      otelSpan,
    );
    return new DebbieSpan(this, otelSpan, draft, spanCtx);
  }

  /** Runs `fn` inside a span that ends (on this logger's clock) when `fn` settles; a throw is recorded as an error and rethrown. */
  async span<T>(init: SpanInit, fn: (span: DebbieSpan) => Promise<T> | T, ctx: Context = otelContext.active()): Promise<T> {
    const span = this.startSpan(init, ctx);
    try {
      const result = await otelContext.with(span.context, () => fn(span));
      return result;
    } catch (error) {
      span.recordError(error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Runs `fn` with session/agent/correlation ids that follow its async code. */
  withContext<T>(ids: DebbieContext, fn: () => T, ctx: Context = otelContext.active()): T {
    return otelContext.with(withDebbieContext(ids, ctx), fn);
  }

  /** @internal Called by DebbieSpan.end(). */
  finishSpan(span: Span, draft: DebbieEvent): void {
    draft.event_id = span.spanContext().spanId;
    span.setAttributes(eventToSpanAttributes(draft));
    if (draft.level === 'ERROR' || draft.level === 'CRITICAL') span.setStatus({ code: SpanStatusCode.ERROR, message: draft.event_summary });
    span.end(hrTimeFromEpochMicros(this.clock.now()));
  }
}
