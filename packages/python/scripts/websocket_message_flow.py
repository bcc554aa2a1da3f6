"""websocket_message_flow: the JSON-RPC traffic over the WebSocket, per method.

WebSocket events (source websocket) grouped by details.rpc_method: requests (spans, with a
duration) and notifications (point events), average and maximum response time, errors, the
slow responses (over `slow_ms`), responses that ran into the client timeout, and messages per
minute.

Params:
  slow_ms (default 1000): a response slower than this is slow
  timeout_ms (default 30000): the client's request timeout (AIWhisperer's app uses 30 s)
"""
try:
    import pandas as pd
except ImportError:
    pd = None

SLOW_MS = float(params.get("slow_ms", 1000))
TIMEOUT_MS = float(params.get("timeout_ms", 30000))

messages = [{"method": l.details.get("rpc_method") or l.action or "(unknown)", "timestamp": l.timestamp,
             "event_id": l.event_id, "duration_ms": float(l.duration_ms) if l.duration_ms is not None else None,
             "is_error": bool(l.is_error or l.details.get("error_code") is not None or l.details.get("rpc_error_code") is not None),
             "summary": l.event_summary}
            for l in logs if l.source == LogSource.WEBSOCKET]


def r3(x):
    return round(float(x), 3)


if pd is not None and messages:
    frame = pd.DataFrame(messages)
    frame["is_request"] = frame["duration_ms"].notna()
    g = frame.groupby("method").agg(messages=("event_id", "size"), requests=("is_request", "sum"),
                                    errors=("is_error", "sum"), avg_ms=("duration_ms", "mean"), max_ms=("duration_ms", "max"))
    by_method = {str(k): {"messages": int(r.messages), "requests": int(r.requests), "notifications": int(r.messages - r.requests),
                          "errors": int(r.errors), "avg_ms": None if pd.isna(r.avg_ms) else r3(r.avg_ms),
                          "max_ms": None if pd.isna(r.max_ms) else r3(r.max_ms)} for k, r in g.iterrows()}
    slow_frame = frame[frame["duration_ms"] > SLOW_MS].sort_values(["duration_ms", "timestamp"], ascending=[False, True])
    slow = [{"method": r.method, "duration_ms": r3(r.duration_ms), "at": r.timestamp.to_pydatetime().isoformat(), "event_id": r.event_id}
            for r in slow_frame.itertuples()]
    timed_out = int((frame["duration_ms"] >= TIMEOUT_MS).sum())
else:
    by_method = {}
    for m in messages:
        e = by_method.setdefault(m["method"], {"messages": 0, "requests": 0, "errors": 0, "_d": []})
        e["messages"] += 1
        e["errors"] += int(m["is_error"])
        if m["duration_ms"] is not None:
            e["requests"] += 1
            e["_d"].append(m["duration_ms"])
    for e in by_method.values():
        d = e.pop("_d")
        e["notifications"] = e["messages"] - e["requests"]
        e["avg_ms"] = r3(sum(d) / len(d)) if d else None
        e["max_ms"] = r3(max(d)) if d else None
    slow = [{"method": m["method"], "duration_ms": r3(m["duration_ms"]), "at": m["timestamp"].isoformat(), "event_id": m["event_id"]}
            for m in sorted((m for m in messages if m["duration_ms"] is not None and m["duration_ms"] > SLOW_MS),
                            key=lambda m: (-m["duration_ms"], m["timestamp"]))]
    timed_out = sum(1 for m in messages if m["duration_ms"] is not None and m["duration_ms"] >= TIMEOUT_MS)

span_s = (messages[-1]["timestamp"] - messages[0]["timestamp"]).total_seconds() if len(messages) > 1 else 0.0
result = {
    "messages": len(messages),
    "requests": sum(e["requests"] for e in by_method.values()),
    "notifications": sum(e["notifications"] for e in by_method.values()),
    "errors": sum(e["errors"] for e in by_method.values()),
    "by_method": by_method,
    "slow_ms": SLOW_MS,
    "slow": slow[:50],
    "slow_count": len(slow),
    "timed_out": timed_out,
    "messages_per_minute": round(len(messages) / (span_s / 60), 3) if span_s > 0 else None,
    "engine": "pandas" if pd is not None else "stdlib",
}

print(f"{len(messages)} WebSocket messages: {result['requests']} requests, {result['notifications']} notifications, "
      f"{result['errors']} errors")
print_table([{"method": k, **v} for k, v in sorted(by_method.items(), key=lambda kv: -kv[1]["messages"])],
            ["method", "messages", "requests", "notifications", "errors", "avg_ms", "max_ms"])
for s in slow[:20]:
    print(f"⚠️ slow: {s['method']} took {s['duration_ms']:.0f} ms at {s['at']}")
if timed_out:
    print(f"⚠️ {timed_out} responses reached the client timeout of {TIMEOUT_MS / 1000:.0f} s")
