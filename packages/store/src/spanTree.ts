import type { DebbieEvent, SpanNode } from '@debbie/model';

/**
 * Links events (already in time order) into a parent/child forest: `parent_id` names the parent's
 * event_id (or, from OTel, its span id); failing that `parent_span_id` names its span_id, and a
 * log record with neither resolved hangs under the span it was emitted in (`span_id`).
 * Events whose parent is not among them (orphans) and links that would form a cycle become roots.
 * Children keep the input (time) order.
 */
export function buildSpanTree(events: readonly DebbieEvent[]): SpanNode[] {
  const nodes = events.map((event) => ({ event, children: [] as SpanNode[] }));
  const byEventId = new Map<string, SpanNode>();
  const bySpanId = new Map<string, SpanNode>();
  for (const node of nodes) {
    if (!byEventId.has(node.event.event_id)) byEventId.set(node.event.event_id, node);
    // Only spans own a span id: a log record carries the id of the span it was emitted in.
    if (node.event.kind === 'span' && node.event.span_id && !bySpanId.has(node.event.span_id)) {
      bySpanId.set(node.event.span_id, node);
    }
  }
  const parentOf = new Map<SpanNode, SpanNode>();
  for (const node of nodes) {
    const e = node.event;
    const candidates = [
      e.parent_id ? byEventId.get(e.parent_id) : undefined,
      e.parent_id ? bySpanId.get(e.parent_id) : undefined,
      e.parent_span_id ? bySpanId.get(e.parent_span_id) : undefined,
      e.kind === 'log' && e.span_id ? bySpanId.get(e.span_id) : undefined,
    ];
    const parent = candidates.find((c) => c !== undefined && c !== node);
    if (parent) parentOf.set(node, parent);
  }
  breakCycles(nodes, parentOf);
  const roots: SpanNode[] = [];
  for (const node of nodes) {
    const parent = parentOf.get(node);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** Removes the parent link of one node in every cycle, so each cycle gets a root. */
function breakCycles(nodes: readonly SpanNode[], parentOf: Map<SpanNode, SpanNode>): void {
  const state = new Map<SpanNode, 'visiting' | 'done'>();
  for (const start of nodes) {
    if (state.has(start)) continue;
    const path: SpanNode[] = [];
    let node: SpanNode | undefined = start;
    while (node && !state.has(node)) {
      state.set(node, 'visiting');
      path.push(node);
      node = parentOf.get(node);
    }
    if (node && state.get(node) === 'visiting') parentOf.delete(node); // node closes a cycle
    for (const n of path) state.set(n, 'done');
  }
}

/** Depth of every event in the forest (0 at a root), by event object. */
export function depthsOf(roots: readonly SpanNode[]): Map<DebbieEvent, number> {
  const depths = new Map<DebbieEvent, number>();
  const stack: [SpanNode, number][] = roots.map((r) => [r, 0]);
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    depths.set(node.event, depth);
    for (const child of node.children) stack.push([child, depth + 1]);
  }
  return depths;
}
