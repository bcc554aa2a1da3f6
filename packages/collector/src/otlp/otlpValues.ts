/**
 * Converting OTLP values (as protobufjs decodes them, or as OTLP/JSON carries them) into
 * plain JavaScript: attribute values, ids, timestamps.
 */

/** A 64-bit integer as protobufjs gives it: a Long-like object or a number. */
export interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

/** Unix nanoseconds (Long, number, or the decimal string OTLP/JSON uses) → epoch microseconds, exactly. */
export function microsFromNanos(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value / 1000) : undefined;
  if (typeof value === 'string') {
    if (!/^\d{1,20}$/.test(value)) return undefined;
    return value.length <= 3 ? 0 : Number(value.slice(0, -3));
  }
  if (typeof value === 'object' && 'low' in value && 'high' in value) {
    const { low, high } = value as LongLike;
    const lo = low >>> 0;
    const hi = high >>> 0;
    // ns = hi·2^32 + lo = 1000·(hi·4294967) + (hi·296 + lo): both parts stay exact in a double.
    return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
  }
  return undefined;
}

/** An int64 (Long, number or decimal string) → a number when it is safe, else its decimal string. */
export function int64Value(value: unknown): number | string {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (value && typeof value === 'object' && 'low' in value) {
    const { low, high, unsigned } = value as LongLike;
    const big = (BigInt(unsigned ? high >>> 0 : high) << 32n) | BigInt(low >>> 0);
    const n = Number(big);
    return Number.isSafeInteger(n) ? n : big.toString();
  }
  return String(value);
}

/** Bytes → lowercase hex (protobufjs gives a Buffer in Node, a Uint8Array elsewhere). */
export function hexFromBytes(bytes: Uint8Array | undefined | null): string {
  if (!bytes || bytes.length === 0) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX = /^[0-9a-fA-F]*$/;

/** OTLP/JSON id (case-insensitive hex) → lowercase hex, or undefined when it is not hex. */
export function hexFromJsonId(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value !== 'string' || !HEX.test(value)) return undefined;
  return value.toLowerCase();
}

/** Checks a hex trace id (16 bytes, not all zero). Returns what is wrong, or undefined. */
export function traceIdProblem(hex: string | undefined): string | undefined {
  if (hex === undefined) return 'traceId is not hex';
  if (hex.length !== 32) return `traceId must be 16 bytes, got ${hex.length / 2}`;
  if (/^0+$/.test(hex)) return 'traceId is all zeroes';
  return undefined;
}

/** Checks a hex span id (8 bytes, not all zero). */
export function spanIdProblem(hex: string | undefined, field = 'spanId'): string | undefined {
  if (hex === undefined) return `${field} is not hex`;
  if (hex.length !== 16) return `${field} must be 8 bytes, got ${hex.length / 2}`;
  if (/^0+$/.test(hex)) return `${field} is all zeroes`;
  return undefined;
}

/** A decoded protobuf AnyValue → a plain value (maps become objects, bytes base64). */
export function valueFromProto(v: ProtoAnyValue | null | undefined, depth = 0): unknown {
  if (!v || depth > 16) return undefined;
  switch (v.value) {
    case 'stringValue':
      return v.stringValue;
    case 'boolValue':
      return v.boolValue;
    case 'intValue':
      return int64Value(v.intValue);
    case 'doubleValue':
      return v.doubleValue;
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map((x) => valueFromProto(x, depth + 1));
    case 'kvlistValue':
      return attributesFromProto(v.kvlistValue?.values, depth + 1);
    case 'bytesValue':
      return v.bytesValue ? Buffer.from(v.bytesValue).toString('base64') : '';
    default:
      return undefined;
  }
}

/** Repeated KeyValue (protobuf) → a plain object. */
export function attributesFromProto(list: readonly ProtoKeyValue[] | null | undefined, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!list) return out;
  for (const kv of list) {
    const value = valueFromProto(kv.value, depth);
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

/** An OTLP/JSON AnyValue → a plain value. */
export function valueFromJson(v: unknown, depth = 0): unknown {
  if (!v || typeof v !== 'object' || depth > 16) return undefined;
  const o = v as Record<string, unknown>;
  if ('stringValue' in o || 'string_value' in o) return String(o.stringValue ?? o.string_value ?? '');
  if ('boolValue' in o || 'bool_value' in o) return Boolean(o.boolValue ?? o.bool_value);
  if ('intValue' in o || 'int_value' in o) return int64Value(o.intValue ?? o.int_value);
  if ('doubleValue' in o || 'double_value' in o) {
    const d = o.doubleValue ?? o.double_value;
    return typeof d === 'number' ? d : Number(d);
  }
  const arr = (o.arrayValue ?? o.array_value) as { values?: unknown[] } | undefined;
  if (arr !== undefined) return (Array.isArray(arr?.values) ? arr.values : []).map((x) => valueFromJson(x, depth + 1));
  const kvl = (o.kvlistValue ?? o.kvlist_value) as { values?: unknown } | undefined;
  if (kvl !== undefined) return attributesFromJson(kvl?.values, depth + 1);
  if ('bytesValue' in o || 'bytes_value' in o) return String(o.bytesValue ?? o.bytes_value ?? '');
  return undefined;
}

/** OTLP/JSON attributes (array of {key, value}) → a plain object; entries that are not pairs are skipped. */
export function attributesFromJson(list: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!kv || typeof kv !== 'object' || typeof (kv as { key?: unknown }).key !== 'string') continue;
    const value = valueFromJson((kv as { value?: unknown }).value, depth);
    if (value !== undefined) out[(kv as { key: string }).key] = value;
  }
  return out;
}

/** The shapes protobufjs decodes OTLP into (only the fields read here). */
export interface ProtoAnyValue {
  /** The oneof virtual field: which member is set. */
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: LongLike | number;
  doubleValue?: number;
  arrayValue?: { values?: ProtoAnyValue[] } | null;
  kvlistValue?: { values?: ProtoKeyValue[] } | null;
  bytesValue?: Uint8Array;
}

export interface ProtoKeyValue {
  key: string;
  value?: ProtoAnyValue | null;
}
