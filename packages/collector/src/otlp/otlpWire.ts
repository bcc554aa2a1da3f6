import type { Attributes } from '@opentelemetry/api';
import type protobuf from 'protobufjs';
import { int64Value } from './otlpValues.js';

/*
 * Wire-level readers for the OTLP hot paths (fastTraceDecoder, fastLogsDecoder): they build the
 * plain values the converter needs straight from protobufjs's Reader, without message objects.
 * Field numbers and wire types follow otlpDescriptor.ts (the OTLP specification); a field with an
 * unexpected wire type is skipped, as protobuf does with unknown fields.
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function hex(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += HEX[buf[i]!];
  return s;
}

/** The latest id read into it: its bytes and hex string (see hexOf). */
export interface IdMemo {
  bytes: Uint8Array;
  length: number;
  text: string;
}

export function newIdMemo(): IdMemo {
  return { bytes: new Uint8Array(16), length: -1, text: '' };
}

/**
 * The hex string of an id of at most 16 bytes, reusing the memo's string when the bytes are the
 * memo's: spans of one trace come together, so most trace (and parent) ids repeat the previous
 * span's, and the same string object then also keeps its hash for the trace → session look-up.
 */
export function hexOf(buf: Uint8Array, start: number, end: number, memo: IdMemo): string {
  const n = end - start;
  if (n > 16) return hex(buf, start, end);
  if (n === memo.length) {
    let i = 0;
    while (i < n && buf[start + i] === memo.bytes[i]) i++;
    if (i === n) return memo.text;
  }
  memo.bytes.set(buf.subarray(start, end));
  memo.length = n;
  memo.text = hex(buf, start, end);
  return memo.text;
}

/**
 * A length-delimited string. Short ASCII strings (attribute keys, ids, names) are built in JS,
 * which beats crossing into the native UTF-8 decoder for each; anything else goes there.
 */
export function readString(r: protobuf.Reader, parentEnd: number): string {
  const end = lenEnd(r, parentEnd);
  const buf = r.buf;
  const start = r.pos;
  if (end - start <= 32) {
    let s = '';
    let i = start;
    for (; i < end; i++) {
      const c = buf[i]!;
      if (c >= 0x80) break;
      s += String.fromCharCode(c);
    }
    if (i === end) {
      r.pos = end;
      return s;
    }
  }
  r.pos = end;
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
}

/** Slots of the attribute-key cache (a power of two): bounded whatever keys senders send. */
const KEY_CACHE_SLOTS = 1024;
const MAX_CACHED_KEY = 64;
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_CACHE_SLOTS).fill(undefined);

/**
 * An attribute key. The same few dozen keys come in every span, so an ASCII key is looked up by a
 * hash of its bytes in a small cache and the string made for it before is returned, instead of
 * building it again (and V8 interning it again as a property name). Anything else: readString.
 */
export function readKey(r: protobuf.Reader, parentEnd: number): string {
  const buf = r.buf;
  const len = r.uint32();
  const start = r.pos;
  const end = start + len;
  if (end > parentEnd) throw new RangeError(`field length ${len} runs past its message (offset ${start})`);
  if (len === 0 || len > MAX_CACHED_KEY) {
    r.pos = end;
    return len === 0 ? '' : Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('utf8');
  }
  let h = len;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x80) {
      r.pos = end;
      return Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('utf8');
    }
    h = (Math.imul(h, 31) + c) | 0;
  }
  r.pos = end;
  const slot = h & (KEY_CACHE_SLOTS - 1);
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === len) {
    let i = 0;
    while (i < len && cached.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return cached;
  }
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  keyCache[slot] = s;
  return s;
}

/** Why an id of `len` bytes at buf[start..] is invalid (wrong length, all zero), or undefined. */
export function idProblem(buf: Uint8Array, start: number, end: number, want: number, field: string): string | undefined {
  if (end - start !== want) return `${field} must be ${want} bytes, got ${end - start}`;
  for (let i = start; i < end; i++) if (buf[i] !== 0) return undefined;
  return `${field} is all zeroes`;
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;

/** End offset of a length-delimited field, checked against its parent's end. */
export function lenEnd(r: protobuf.Reader, parentEnd: number): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > parentEnd) throw new RangeError(`field length ${len} runs past its message (offset ${r.pos})`);
  return end;
}

/** Epoch µs from a fixed64 of Unix nanoseconds, read in place (exact: see microsFromNanos). */
export function fixed64Micros(r: protobuf.Reader): number {
  const b = r.buf;
  const p = r.pos;
  if (p + 8 > r.len) throw new RangeError(`fixed64 runs past the end (offset ${p})`);
  const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  const hi = (b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24)) >>> 0;
  r.pos = p + 8;
  return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
}

export function readAnyValue(r: protobuf.Reader, end: number, depth: number): unknown {
  let value: unknown;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_LEN) value = readString(r, end);
    else if (field === 2 && wire === WIRE_VARINT) value = r.bool();
    else if (field === 3 && wire === WIRE_VARINT) value = int64Value(r.int64());
    else if (field === 4 && wire === WIRE_FIXED64) value = r.double();
    else if ((field === 5 || field === 6) && wire === WIRE_LEN) {
      const e = lenEnd(r, end);
      if (depth > 16) {
        r.pos = e;
        value = undefined;
        continue;
      }
      const out: unknown[] = [];
      const obj: Record<string, unknown> = {};
      while (r.pos < e) {
        const t = r.uint32();
        if (t >>> 3 === 1 && (t & 7) === WIRE_LEN) {
          const ie = lenEnd(r, e);
          if (field === 5) out.push(readAnyValue(r, ie, depth + 1));
          else readKeyValue(r, ie, obj, depth + 1);
          r.pos = ie;
        } else r.skipType(t & 7);
      }
      value = field === 5 ? out : obj;
    } else if (field === 7 && wire === WIRE_LEN) value = Buffer.from(r.bytes()).toString('base64');
    else r.skipType(wire);
  }
  return value;
}

export function readKeyValue(r: protobuf.Reader, end: number, into: Record<string, unknown>, depth: number): void {
  let key = '';
  let value: unknown;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) key = readKey(r, end);
    else if (tag === ((2 << 3) | WIRE_LEN)) {
      const e = lenEnd(r, end);
      value = readAnyValue(r, e, depth);
      r.pos = e;
    } else r.skipType(tag & 7);
  }
  if (value !== undefined) into[key] = value;
}

/** Reads repeated KeyValue entries (field `fieldNo`) of the message ending at `end`… one at a time, by the caller. */
export function readAttributeEntry(r: protobuf.Reader, end: number, into: Record<string, unknown>): void {
  const e = lenEnd(r, end);
  readKeyValue(r, e, into, 0);
  r.pos = e;
}

export function readResource(r: protobuf.Reader, end: number): Attributes {
  const attrs: Record<string, unknown> = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | WIRE_LEN)) readAttributeEntry(r, end, attrs);
    else r.skipType(tag & 7);
  }
  return attrs as Attributes;
}
