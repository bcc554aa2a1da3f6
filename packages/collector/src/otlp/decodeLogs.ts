import type { Attributes } from '@opentelemetry/api';
import { forEachJsonItem, type JsonRequestNames } from './forEachJsonItem.js';
import { newBatch, reject, type OtlpBatch } from './OtlpBatch.js';
import {
  attributesFromJson,
  attributesFromProto,
  hexFromBytes,
  hexFromJsonId,
  microsFromNanos,
  spanIdProblem,
  traceIdProblem,
  valueFromJson,
  valueFromProto,
  type LongLike,
  type ProtoAnyValue,
  type ProtoKeyValue,
} from './otlpValues.js';
import { logToEvent } from './spanToEvents.js';

/** ExportLogsServiceRequest as protobufjs decodes it (fields read here). */
export interface ProtoLogsRequest {
  resourceLogs?: {
    resource?: { attributes?: ProtoKeyValue[] } | null;
    scopeLogs?: { logRecords?: ProtoLogRecord[] }[];
  }[];
}

interface ProtoLogRecord {
  timeUnixNano?: LongLike | number;
  observedTimeUnixNano?: LongLike | number;
  severityNumber?: number;
  severityText?: string;
  body?: ProtoAnyValue | null;
  attributes?: ProtoKeyValue[];
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  eventName?: string;
}

/** Optional ids on a log record: empty is fine, present must be valid. */
function idsProblem(traceId: string | undefined, spanId: string | undefined): string | undefined {
  if (traceId === undefined) return 'traceId is not hex';
  if (spanId === undefined) return 'spanId is not hex';
  if (traceId && traceIdProblem(traceId)) return traceIdProblem(traceId);
  if (spanId && spanIdProblem(spanId)) return spanIdProblem(spanId);
  return undefined;
}

/** Time of a record: time_unix_nano, else observed time (0 means unknown), else now. */
function recordMicros(time: unknown, observed: unknown): number {
  const t = microsFromNanos(time);
  if (t) return t;
  const o = microsFromNanos(observed);
  return o || Date.now() * 1000;
}

/** A decoded protobuf logs export request → DebbieEvents; a record with bad ids is rejected alone. */
export function decodeProtoLogs(req: ProtoLogsRequest): OtlpBatch {
  const batch = newBatch();
  const rlList = req.resourceLogs ?? [];
  for (let r = 0; r < rlList.length; r++) {
    const rl = rlList[r]!;
    const resource = attributesFromProto(rl.resource?.attributes) as Attributes;
    const slList = rl.scopeLogs ?? [];
    for (let s = 0; s < slList.length; s++) {
      const records = slList[s]!.logRecords ?? [];
      for (let i = 0; i < records.length; i++) {
        const rec = records[i]!;
        const traceId = hexFromBytes(rec.traceId);
        const spanId = hexFromBytes(rec.spanId);
        const problem = idsProblem(traceId, spanId);
        if (problem) {
          reject(batch, `resourceLogs[${r}].scopeLogs[${s}].logRecords[${i}]`, problem);
          continue;
        }
        batch.events.push(
          logToEvent(
            {
              timeMicros: recordMicros(rec.timeUnixNano, rec.observedTimeUnixNano),
              severityNumber: rec.severityNumber || undefined,
              severityText: rec.severityText || undefined,
              body: valueFromProto(rec.body),
              attributes: attributesFromProto(rec.attributes) as Attributes,
              resource,
              traceId: traceId || undefined,
              spanId: spanId || undefined,
            },
            rec.eventName || undefined,
          ),
        );
        batch.accepted += 1;
      }
    }
  }
  return batch;
}

const SEVERITY_NAMES: Record<string, number> = { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

function severityNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v || undefined;
  if (typeof v === 'string') {
    const m = /^SEVERITY_NUMBER_([A-Z]+)(\d?)$/.exec(v);
    if (m && SEVERITY_NAMES[m[1]!] !== undefined) return SEVERITY_NAMES[m[1]!]! + (m[2] ? Number(m[2]) - 1 : 0);
  }
  return undefined;
}

const JSON_LOGS: JsonRequestNames = {
  resources: ['resourceLogs', 'resource_logs'],
  scopes: ['scopeLogs', 'scope_logs'],
  items: ['logRecords', 'log_records'],
  itemNoun: 'log record',
};

/** An OTLP/JSON logs export request → DebbieEvents; structural errors throw MalformedOtlpError. */
export function decodeJsonLogs(body: unknown): OtlpBatch {
  const batch = newBatch();
  forEachJsonItem(body, JSON_LOGS, batch, (o, resource, where) => {
    const traceId = hexFromJsonId(o.traceId ?? o.trace_id);
    const spanId = hexFromJsonId(o.spanId ?? o.span_id);
    const problem = idsProblem(traceId, spanId);
    if (problem) {
      reject(batch, where, problem);
      return;
    }
    const eventName = o.eventName ?? o.event_name;
    const sevText = o.severityText ?? o.severity_text;
    batch.events.push(
      logToEvent(
        {
          timeMicros: recordMicros(o.timeUnixNano ?? o.time_unix_nano, o.observedTimeUnixNano ?? o.observed_time_unix_nano),
          severityNumber: severityNumber(o.severityNumber ?? o.severity_number),
          severityText: typeof sevText === 'string' && sevText ? sevText : undefined,
          body: valueFromJson(o.body),
          attributes: attributesFromJson(o.attributes) as Attributes,
          resource,
          traceId: traceId || undefined,
          spanId: spanId || undefined,
        },
        typeof eventName === 'string' && eventName ? eventName : undefined,
      ),
    );
    batch.accepted += 1;
  });
  return batch;
}
