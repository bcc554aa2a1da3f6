import { describe, expect, it } from 'vitest';
import type { SpanNode } from '@debbie/model';
import { buildSpanTree } from './spanTree.js';
import { eventAt } from './testEvents.js';

/** The tree as nested event ids, easy to compare. */
function shape(nodes: SpanNode[]): unknown[] {
  return nodes.map((n) => (n.children.length ? { [n.event.event_id]: shape(n.children) } : n.event.event_id));
}

describe('buildSpanTree', () => {
  it('nests spans by parent_id and point events under the span they were emitted in', () => {
    const turn = eventAt(0, { event_id: 'turn', kind: 'span', span_id: 'aaaa000000000001', duration_ms: 900 });
    const ai = eventAt(10, { event_id: 'ai', kind: 'span', span_id: 'aaaa000000000002', parent_id: 'turn', duration_ms: 300 });
    const chunk = eventAt(20, { event_id: 'chunk', parent_id: 'ai' });
    const tool = eventAt(400, { event_id: 'tool', kind: 'span', span_id: 'aaaa000000000003', parent_id: 'turn', duration_ms: 100 });
    const done = eventAt(950, { event_id: 'done', parent_id: 'turn' });
    expect(shape(buildSpanTree([turn, ai, chunk, tool, done]))).toEqual([{ turn: [{ ai: ['chunk'] }, 'tool', 'done'] }]);
  });

  it('falls back to parent_span_id → span_id when parent_id names no event', () => {
    const root = eventAt(0, { event_id: 'custom-root-id', kind: 'span', span_id: 'bbbb000000000001', duration_ms: 50 });
    const child = eventAt(5, {
      event_id: 'child',
      kind: 'span',
      span_id: 'bbbb000000000002',
      parent_id: 'missing',
      parent_span_id: 'bbbb000000000001',
      duration_ms: 5,
    });
    // An OTel-style link: parent_id holds the parent's span id, not its event id.
    const byParentSpan = eventAt(6, { event_id: 'c2', kind: 'span', span_id: 'bbbb000000000003', parent_id: 'bbbb000000000001', duration_ms: 1 });
    // A log record carrying only the id of the span it was emitted in.
    const log = eventAt(7, { event_id: 'log', span_id: 'bbbb000000000002' });
    expect(shape(buildSpanTree([root, child, byParentSpan, log]))).toEqual([{ 'custom-root-id': [{ child: ['log'] }, 'c2'] }]);
  });

  it('makes orphans roots and keeps roots and children in time order', () => {
    const a = eventAt(0, { event_id: 'a', parent_id: 'not-stored' });
    const b = eventAt(1, { event_id: 'b' });
    const c = eventAt(2, { event_id: 'c', parent_id: 'b' });
    const d = eventAt(3, { event_id: 'd', parent_id: 'b' });
    expect(shape(buildSpanTree([a, b, c, d]))).toEqual(['a', { b: ['c', 'd'] }]);
  });

  it('breaks a parent cycle instead of losing its events', () => {
    const x = eventAt(0, { event_id: 'x', parent_id: 'y' });
    const y = eventAt(1, { event_id: 'y', parent_id: 'x' });
    const self = eventAt(2, { event_id: 's', parent_id: 's' });
    const roots = buildSpanTree([x, y, self]);
    const count = (nodes: SpanNode[]): number => nodes.reduce((n, node) => n + 1 + count(node.children), 0);
    expect(count(roots)).toBe(3);
    expect(roots.map((r) => r.event.event_id)).toContain('s');
  });
});
