export { LogSource, LOG_SOURCES, isLogSource } from './LogSource.js';
export {
  LogLevel,
  LOG_LEVELS,
  levelRank,
  isLogLevel,
  parseLogLevel,
  levelToSeverityNumber,
  severityNumberToLevel,
} from './LogLevel.js';
export { DEBBIE_EVENT_FIELDS } from './DebbieEvent.js';
export type { DebbieEvent, DebbieEventField, EventKind } from './DebbieEvent.js';
export { createEvent } from './createEvent.js';
export type { DebbieEventInit } from './createEvent.js';
export { parseDebbieEvent } from './validateEvent.js';
export { DebbieError } from './errors.js';
export { DEBBIE_ERROR_CODES, isDebbieErrorCode } from './errors.js';
export type { DebbieErrorCode } from './errors.js';
export { newEventId, isValidTraceId, isValidSpanId } from './ids.js';
export {
  isoFromEpochMicros,
  isoFromEpochMillis,
  isoFromHrTime,
  isoFromUnixNanos,
  epochMicros,
  hrTimeFromEpochMicros,
  normalizeTimestamp,
} from './time.js';
export { ATTR, PROMOTED_DETAILS, PROMOTED_METRICS, MAX_JSON_ATTRIBUTE_CHARS } from './attributes.js';
export { encodeEventAttributes, jsonAttribute } from './encodeAttributes.js';
export { eventFromSpanParts, eventsFromSpanParts, eventFromLogParts, inferSource } from './decodeAttributes.js';
export type { SpanParts, SpanEventParts, LogParts } from './decodeAttributes.js';
export {
  eventFromReadableSpan,
  eventsFromReadableSpan,
  eventFromReadableLogRecord,
  eventToLogRecord,
  eventToSpanAttributes,
  spanNameFor,
} from './otel.js';
export type { ReadableSpanLike, ReadableLogRecordLike, DebbieLogRecord } from './otel.js';
export { matchesFilter, parseFilter, filterToSearchParams, filterFromSearchParams } from './filter.js';
export type { EventFilter, FilterInput } from './filter.js';
export { REDACTED, isSecretKey, redactString, redactValue, redactEvent } from './redact.js';
export { formatDebbieLine, displayTimestamp } from './format.js';
export type { EventSink } from './EventSink.js';
export type { EventReader, SessionListOptions, SessionSummary, QueryOptions, TimelineEntry, SessionTimeline, SpanNode } from './EventReader.js';
export { SPAN_START_TAG, isSpanStart, sinkAcceptsSpanStarts, spanStartEvent } from './spanStart.js';
export { systemClock } from './Clock.js';
export type { Clock } from './Clock.js';
export { convertForeignEvent, learnSessions, SESSION_INFERRED } from './foreign/convertForeignEvent.js';
export type { ForeignOptions } from './foreign/convertForeignEvent.js';
export { TraceSessionIndex } from './foreign/TraceSessionIndex.js';
export type { SessionRelabel, TraceSessionIndexOptions } from './foreign/TraceSessionIndex.js';
export { SESSION_KEYS } from './foreign/sessionKeys.js';
export { normalizeErrorMessage } from './foreign/errorCause.js';
export type { ErrorCause } from './foreign/errorCause.js';
export type { SpanType } from './foreign/spanType.js';
export { DEFAULT_STALL_MS, isStall } from './stall.js';
