"""trace_request: one correlation id followed end to end, across every source.

Lists the events sharing the correlation id in time order, with each one's offset from the
first, and sums time and counts per source. Without a `correlation_id` parameter it traces the
correlation of the first error that has one, else the correlation with the most events.

Params:
  correlation_id (default: picked as above): the request to follow
  max_steps (default 500): steps listed in full; the rest are counted
"""
from collections import Counter

try:
    import pandas as pd
except ImportError:
    pd = None

MAX_STEPS = int(params.get("max_steps", 500))
cid = params.get("correlation_id")
if not cid:
    first_error = next((l for l in logs if l.is_error and l.correlation_id), None)
    if first_error is not None:
        cid = first_error.correlation_id
    else:
        counted = Counter(l.correlation_id for l in logs if l.correlation_id)
        cid = max(counted, key=lambda k: (counted[k], k)) if counted else None

events = [l for l in logs if cid is not None and l.correlation_id == cid]
start = events[0].timestamp if events else None
end = max(l.end_time for l in events) if events else None


def ms(a, b):
    return round((b - a).total_seconds() * 1000, 3)


steps = [{
    "offset_ms": ms(start, l.timestamp), "source": str(l.source), "agent_id": l.agent_id, "action": l.action,
    "component": l.component, "summary": l.event_summary, "duration_ms": l.duration_ms, "level": str(l.level),
    "event_id": l.event_id, "parent_id": l.parent_id,
} for l in events]

if pd is not None and steps:
    frame = pd.DataFrame(steps)
    per_source = frame.groupby("source", sort=False).agg(events=("event_id", "size"), span_ms=("duration_ms", "sum"))
    by_source = {str(k): {"events": int(r.events), "span_ms": round(float(r.span_ms), 3)} for k, r in per_source.iterrows()}
    error_count = int(frame["level"].isin(["ERROR", "CRITICAL"]).sum())
else:
    by_source = {}
    for s in steps:
        entry = by_source.setdefault(s["source"], {"events": 0, "span_ms": 0.0})
        entry["events"] += 1
        entry["span_ms"] += s["duration_ms"] or 0.0
    for entry in by_source.values():
        entry["span_ms"] = round(entry["span_ms"], 3)
    error_count = sum(1 for s in steps if s["level"] in ("ERROR", "CRITICAL"))

# The path the request took: each change of source is a hop.
path = []
for s in steps:
    if not path or path[-1] != s["source"]:
        path.append(s["source"])

ids = {s["event_id"] for s in steps}
depth = {}
for s in steps:  # in time order, so a parent (which starts first) is seen before its children
    depth[s["event_id"]] = depth.get(s["parent_id"], -1) + 1 if s["parent_id"] in ids else 0

result = {
    "correlation_id": cid,
    "event_count": len(steps),
    "start": start.isoformat() if start else None,
    "end": end.isoformat() if end else None,
    "duration_ms": ms(start, end) if events else 0.0,
    "sources": list(dict.fromkeys(s["source"] for s in steps)),
    "by_source": by_source,
    "hops": max(len(path) - 1, 0),
    "path": path,
    "max_depth": max(depth.values()) if depth else 0,
    "error_count": error_count,
    "steps": steps[:MAX_STEPS],
    "steps_omitted": max(len(steps) - MAX_STEPS, 0),
    "engine": "pandas" if pd is not None else "stdlib",
}

if cid is None:
    print("No event carries a correlation id: nothing to trace.")
else:
    print(f"Request {cid}: {len(steps)} events over {result['duration_ms']:.0f} ms, path {' → '.join(path)}")
    for s in steps[:MAX_STEPS]:
        indent = "  " * depth.get(s["event_id"], 0)
        dur = f" ({s['duration_ms']:.0f} ms)" if s["duration_ms"] is not None else ""
        print(f"+{s['offset_ms']:>9.1f} ms {indent}[{s['source']}] {s['level']} {s['action']}: {s['summary'][:100]}{dur}")
    if result["steps_omitted"]:
        print(f"… {result['steps_omitted']} more steps")
