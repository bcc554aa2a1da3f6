import type { Attributes } from '@opentelemetry/api';
import protobuf from 'protobufjs';
import { MalformedOtlpError, newBatch, type OtlpBatch } from './OtlpBatch.js';
import { lenEnd, readResource, WIRE_LEN } from './otlpWire.js';

/*
 * The envelope shared by the OTLP hot paths (fastTraceDecoder, fastLogsDecoder): an export request
 * is repeated resource groups (field 1), each a Resource (field 1) and repeated scope groups
 * (field 2), each holding repeated items (field 2): spans or log records. Only the item differs.
 */

/** Decodes one item at [r.pos, end) and appends its events to the batch, or rejects it alone as `where`. */
export type WireItemReader = (r: protobuf.Reader, end: number, resource: Attributes, batch: OtlpBatch, where: string) => void;

/** The names of one kind of export request, as they appear in error messages and item paths. */
export interface ExportRequestNames {
  /** e.g. 'ExportTraceServiceRequest'. */
  request: string;
  /** e.g. 'resourceSpans'. */
  resources: string;
  /** e.g. 'scopeSpans'. */
  scopes: string;
  /** e.g. 'spans'. */
  items: string;
}

/**
 * Reads a protobuf export request in one pass, handing each item to `readItem` with its resource
 * and its path (e.g. `resourceSpans[0].scopeSpans[1].spans[2]`). Throws MalformedOtlpError for a
 * truncated or corrupt body; what `readItem` rejects is rejected alone.
 */
export function readExportRequest(body: Uint8Array, names: ExportRequestNames, readItem: WireItemReader): OtlpBatch {
  const batch = newBatch();
  const r = protobuf.Reader.create(body);
  try {
    let ri = 0;
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag !== ((1 << 3) | WIRE_LEN)) {
        r.skipType(tag & 7);
        continue;
      }
      const groupEnd = lenEnd(r, r.len);
      // The resource may come after the items on the wire: find both, then decode items with it.
      let resource: Attributes = {};
      const scopes: [number, number][] = [];
      while (r.pos < groupEnd) {
        const t = r.uint32();
        if (t === ((1 << 3) | WIRE_LEN)) {
          const e = lenEnd(r, groupEnd);
          resource = readResource(r, e);
          r.pos = e;
        } else if (t === ((2 << 3) | WIRE_LEN)) {
          const e = lenEnd(r, groupEnd);
          scopes.push([r.pos, e]);
          r.pos = e;
        } else r.skipType(t & 7);
      }
      for (let si = 0; si < scopes.length; si++) {
        const [s, e] = scopes[si]!;
        const path = `${names.resources}[${ri}].${names.scopes}[${si}].${names.items}[`;
        r.pos = s;
        let i = 0;
        while (r.pos < e) {
          const t = r.uint32();
          if (t === ((2 << 3) | WIRE_LEN)) {
            const itemEnd = lenEnd(r, e);
            readItem(r, itemEnd, resource, batch, `${path}${i++}]`);
            r.pos = itemEnd;
          } else r.skipType(t & 7);
        }
      }
      r.pos = groupEnd;
      ri += 1;
    }
  } catch (error) {
    if (error instanceof MalformedOtlpError) throw error;
    throw new MalformedOtlpError(`${names.request} is not valid protobuf: ${(error as Error).message}`);
  }
  return batch;
}
