"""token_usage_report: AI token usage per model and per agent, with totals and the biggest calls.

Counts the AI calls (source ai_service with performance_metrics.input_tokens or output_tokens):
calls, input, output and total tokens per model and per agent, the average per call, output
tokens per second of call time, and the largest calls.

Params:
  top (default 5): how many of the largest calls to list
"""
try:
    import pandas as pd
except ImportError:
    pd = None

TOP = int(params.get("top", 5))

calls = []
for l in logs:
    if l.source != LogSource.AI_SERVICE:
        continue
    tin, tout = l.metric("input_tokens"), l.metric("output_tokens")
    if tin is None and tout is None:
        continue
    calls.append({"event_id": l.event_id, "timestamp": l.timestamp, "model": l.details.get("model") or "(unknown)",
                  "agent_id": l.agent_id or "(none)", "input_tokens": int(tin or 0), "output_tokens": int(tout or 0),
                  "duration_ms": float(l.duration_ms) if l.duration_ms is not None else None})
for c in calls:
    c["total_tokens"] = c["input_tokens"] + c["output_tokens"]


def summarize_stdlib(key):
    out = {}
    for c in calls:
        e = out.setdefault(c[key], {"calls": 0, "input_tokens": 0, "output_tokens": 0, "total_tokens": 0})
        e["calls"] += 1
        for k in ("input_tokens", "output_tokens", "total_tokens"):
            e[k] += c[k]
    for e in out.values():
        e["avg_tokens_per_call"] = round(e["total_tokens"] / e["calls"], 3)
    return out


def summarize_pandas(frame, key):
    g = frame.groupby(key).agg(calls=("event_id", "size"), input_tokens=("input_tokens", "sum"),
                               output_tokens=("output_tokens", "sum"), total_tokens=("total_tokens", "sum"))
    g["avg_tokens_per_call"] = g["total_tokens"] / g["calls"]
    return {str(k): {"calls": int(r["calls"]), "input_tokens": int(r["input_tokens"]), "output_tokens": int(r["output_tokens"]),
                     "total_tokens": int(r["total_tokens"]), "avg_tokens_per_call": round(float(r["avg_tokens_per_call"]), 3)}
            for k, r in g.iterrows()}


if pd is not None and calls:
    frame = pd.DataFrame(calls)
    by_model = summarize_pandas(frame, "model")
    by_agent = summarize_pandas(frame, "agent_id")
    totals = {"calls": int(len(frame)), "input_tokens": int(frame["input_tokens"].sum()),
              "output_tokens": int(frame["output_tokens"].sum()), "total_tokens": int(frame["total_tokens"].sum())}
    timed = frame[frame["duration_ms"].notna() & (frame["duration_ms"] > 0)]
    out_per_s = float(timed["output_tokens"].sum() / (timed["duration_ms"].sum() / 1000)) if len(timed) else None
    top = frame.sort_values(["total_tokens", "timestamp"], ascending=[False, True]).head(TOP)
    largest = [{"event_id": r.event_id, "model": r.model, "agent_id": r.agent_id, "total_tokens": int(r.total_tokens)}
               for r in top.itertuples()]
else:
    by_model = summarize_stdlib("model")
    by_agent = summarize_stdlib("agent_id")
    totals = {"calls": len(calls), "input_tokens": sum(c["input_tokens"] for c in calls),
              "output_tokens": sum(c["output_tokens"] for c in calls), "total_tokens": sum(c["total_tokens"] for c in calls)}
    timed = [c for c in calls if c["duration_ms"]]
    out_per_s = sum(c["output_tokens"] for c in timed) / (sum(c["duration_ms"] for c in timed) / 1000) if timed else None
    largest = [{"event_id": c["event_id"], "model": c["model"], "agent_id": c["agent_id"], "total_tokens": c["total_tokens"]}
               for c in sorted(calls, key=lambda c: (-c["total_tokens"], c["timestamp"]))[:TOP]]

totals["avg_tokens_per_call"] = round(totals["total_tokens"] / totals["calls"], 3) if totals["calls"] else 0.0
result = {"totals": totals, "by_model": by_model, "by_agent": by_agent,
          "output_tokens_per_second": round(out_per_s, 3) if out_per_s is not None else None,
          "largest_calls": largest, "engine": "pandas" if pd is not None else "stdlib"}

print(f"{totals['calls']} AI calls: {totals['input_tokens']} input + {totals['output_tokens']} output = "
      f"{totals['total_tokens']} tokens ({totals['avg_tokens_per_call']:.0f} per call)")
print("\nBy model:")
print_table([{"model": k, **v} for k, v in sorted(by_model.items(), key=lambda kv: -kv[1]["total_tokens"])],
            ["model", "calls", "input_tokens", "output_tokens", "total_tokens", "avg_tokens_per_call"])
print("\nBy agent:")
print_table([{"agent": k, **v} for k, v in sorted(by_agent.items(), key=lambda kv: -kv[1]["total_tokens"])],
            ["agent", "calls", "input_tokens", "output_tokens", "total_tokens"])
if result["output_tokens_per_second"] is not None:
    print(f"\nOutput speed: {result['output_tokens_per_second']:.1f} tokens/s of call time")
