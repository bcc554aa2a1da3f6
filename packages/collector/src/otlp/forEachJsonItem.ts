import type { Attributes } from '@opentelemetry/api';
import { MalformedOtlpError, reject, type OtlpBatch } from './OtlpBatch.js';
import { attributesFromJson } from './otlpValues.js';

/*
 * The envelope shared by OTLP/JSON trace and logs requests: resource groups, each a resource and
 * scope groups, each holding items (spans or log records). Keys are lowerCamelCase; the
 * snake_case spelling is accepted too.
 */

/** One level of the envelope: its lowerCamelCase key (also used in paths) and its snake_case key. */
export type JsonKey = readonly [camel: string, snake: string];

/** The keys of one kind of export request, and what its items are called in messages. */
export interface JsonRequestNames {
  /** e.g. ['resourceSpans', 'resource_spans']. */
  resources: JsonKey;
  /** e.g. ['scopeSpans', 'scope_spans']. */
  scopes: JsonKey;
  /** e.g. ['spans', 'spans']. */
  items: JsonKey;
  /** e.g. 'span', as in "span must be an object". */
  itemNoun: string;
}

/**
 * Calls `visit` for each item object of an OTLP/JSON export request, with its resource's
 * attributes and its path (e.g. `resourceSpans[0].scopeSpans[1].spans[2]`). An item that is not an
 * object is rejected alone; a wrong envelope throws MalformedOtlpError.
 */
export function forEachJsonItem(
  body: unknown,
  names: JsonRequestNames,
  batch: OtlpBatch,
  visit: (item: Record<string, unknown>, resource: Attributes, where: string) => void,
): void {
  const [resourcesKey] = names.resources;
  const [scopesKey] = names.scopes;
  const [itemsKey] = names.items;
  const req = objectAt(body, 'request');
  const groups = arrayField(req, names.resources, 'request');
  for (let r = 0; r < groups.length; r++) {
    const group = objectAt(groups[r], `${resourcesKey}[${r}]`);
    const resource = attributesFromJson((group.resource as Record<string, unknown> | undefined)?.attributes) as Attributes;
    const scopes = arrayField(group, names.scopes, `${resourcesKey}[${r}]`);
    for (let s = 0; s < scopes.length; s++) {
      const scope = objectAt(scopes[s], `${resourcesKey}[${r}].${scopesKey}[${s}]`);
      const items = arrayField(scope, names.items, `${resourcesKey}[${r}].${scopesKey}[${s}]`);
      for (let i = 0; i < items.length; i++) {
        const where = `${resourcesKey}[${r}].${scopesKey}[${s}].${itemsKey}[${i}]`;
        const item = items[i];
        if (!item || typeof item !== 'object' || Array.isArray(item)) {
          reject(batch, where, `${names.itemNoun} must be an object`);
          continue;
        }
        visit(item as Record<string, unknown>, resource, where);
      }
    }
  }
}

function arrayField(o: Record<string, unknown>, [camel, snake]: JsonKey, where: string): unknown[] {
  const v = o[camel] ?? o[snake];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MalformedOtlpError(`${where}.${camel} must be an array`);
  return v;
}

function objectAt(v: unknown, where: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new MalformedOtlpError(`${where} must be an object`);
  return v as Record<string, unknown>;
}
