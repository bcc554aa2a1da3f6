"""analyze_performance: time spent per tool, per AI model and per operation; the slowest spans.

Works on spans (events with duration_ms): tool executions grouped by details.tool_name, AI calls
by details.model, every span by "source:action". For each group: count, total, average, p50 and
p95 (linear interpolation, as pandas and numpy compute it) and maximum. Lists the slowest spans
and the tools whose average is over `slow_ms`.

Params:
  slow_ms (default 1000): a span or a tool average slower than this is reported as slow
  top (default 10): how many of the slowest spans to list
"""
try:
    import pandas as pd
except ImportError:
    pd = None

SLOW_MS = float(params.get("slow_ms", 1000))
TOP = int(params.get("top", 10))

rows = []
for log in logs:
    if log.duration_ms is None:
        continue
    rows.append({
        "event_id": log.event_id,
        "timestamp": log.timestamp,
        "source": str(log.source),
        "operation": f"{log.source}:{log.action}",
        "tool": log.details.get("tool_name") if log.source == LogSource.TOOL else None,
        "model": log.details.get("model") if log.source == LogSource.AI_SERVICE else None,
        "name": log.details.get("tool_name") or log.details.get("model") or log.details.get("rpc_method") or log.action or log.component,
        "duration_ms": float(log.duration_ms),
    })


def r3(x):
    return round(float(x), 3)


def group_stats_stdlib(key):
    groups = {}
    for row in rows:
        if row[key] is not None:
            groups.setdefault(row[key], []).append(row["duration_ms"])
    return {
        str(k): {"count": len(v), "total_ms": r3(sum(v)), "avg_ms": r3(sum(v) / len(v)),
                 "p50_ms": r3(percentile(v, 50)), "p95_ms": r3(percentile(v, 95)), "max_ms": r3(max(v))}
        for k, v in groups.items()
    }


def group_stats_pandas(frame, key):
    sub = frame[frame[key].notna()]
    if sub.empty:
        return {}
    g = sub.groupby(key)["duration_ms"]
    table = pd.DataFrame({"count": g.count(), "total_ms": g.sum(), "avg_ms": g.mean(),
                          "p50_ms": g.quantile(0.5), "p95_ms": g.quantile(0.95), "max_ms": g.max()})
    return {
        str(k): {"count": int(r["count"]), "total_ms": r3(r["total_ms"]), "avg_ms": r3(r["avg_ms"]),
                 "p50_ms": r3(r["p50_ms"]), "p95_ms": r3(r["p95_ms"]), "max_ms": r3(r["max_ms"])}
        for k, r in table.iterrows()
    }


if pd is not None and rows:
    frame = pd.DataFrame(rows)
    tools = group_stats_pandas(frame, "tool")
    models = group_stats_pandas(frame, "model")
    operations = group_stats_pandas(frame, "operation")
    ranked = frame.sort_values(["duration_ms", "timestamp"], ascending=[False, True]).head(TOP)
    slowest = [{"event_id": r.event_id, "source": r.source, "name": r.name, "duration_ms": r3(r.duration_ms)}
               for r in ranked.itertuples()]
    slow_count = int((frame["duration_ms"] > SLOW_MS).sum())
    total_span_ms = r3(frame["duration_ms"].sum())
else:
    tools = group_stats_stdlib("tool")
    models = group_stats_stdlib("model")
    operations = group_stats_stdlib("operation")
    ranked = sorted(rows, key=lambda r: (-r["duration_ms"], r["timestamp"]))[:TOP]
    slowest = [{"event_id": r["event_id"], "source": r["source"], "name": r["name"], "duration_ms": r3(r["duration_ms"])}
               for r in ranked]
    slow_count = sum(1 for r in rows if r["duration_ms"] > SLOW_MS)
    total_span_ms = r3(sum(r["duration_ms"] for r in rows))

slow_tools = sorted((name for name, s in tools.items() if s["avg_ms"] > SLOW_MS), key=lambda n: -tools[n]["avg_ms"])

result = {
    "span_count": len(rows),
    "total_span_ms": total_span_ms,
    "tools": tools,
    "models": models,
    "operations": operations,
    "slowest": slowest,
    "slow_count": slow_count,
    "slow_tools": slow_tools,
    "slow_ms": SLOW_MS,
    "engine": "pandas" if pd is not None else "stdlib",
}

print(f"Performance over {len(rows)} spans ({result['engine']})")
print("\nTool performance (slowest average first):")
print_table([{"tool": k, **v} for k, v in sorted(tools.items(), key=lambda kv: -kv[1]["avg_ms"])],
            ["tool", "count", "avg_ms", "p95_ms", "max_ms", "total_ms"])
print("\nAI models:")
print_table([{"model": k, **v} for k, v in sorted(models.items(), key=lambda kv: -kv[1]["total_ms"])],
            ["model", "count", "avg_ms", "p95_ms", "max_ms", "total_ms"])
print(f"\nSlowest {len(slowest)} spans:")
print_table(slowest, ["duration_ms", "source", "name", "event_id"])
if slow_tools:
    print(f"\n⚠️ Slow tools (average over {SLOW_MS:.0f} ms): {', '.join(slow_tools)}")
