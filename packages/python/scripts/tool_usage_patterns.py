"""tool_usage_patterns: which tools ran, how they chain, and where the same tool repeats.

Per tool: calls (tool spans), failures (ERROR/CRITICAL, or details.success false, or
details.error), average and total time. Transitions: how often tool A is directly followed by
tool B. Runs: the longest streak of one tool called back to back. Loops, as AIWhisperer's
detector defined them: the same tool more than `loop_threshold` times within `loop_window`
consecutive tool calls.

Params:
  loop_threshold (default 5): more calls than this in the window is a loop
  loop_window (default 20): the window, in consecutive tool calls
"""
from collections import Counter, deque

try:
    import pandas as pd
except ImportError:
    pd = None

LOOP_THRESHOLD = int(params.get("loop_threshold", 5))
LOOP_WINDOW = int(params.get("loop_window", 20))

calls = [{"tool": l.details.get("tool_name") or l.component, "timestamp": l.timestamp, "event_id": l.event_id,
          "duration_ms": float(l.duration_ms), "agent_id": l.agent_id,
          "failed": bool(l.is_error or l.details.get("success") is False or l.details.get("error"))}
         for l in logs if l.source == LogSource.TOOL and l.duration_ms is not None]

if pd is not None and calls:
    frame = pd.DataFrame(calls)
    g = frame.groupby("tool").agg(calls=("event_id", "size"), failures=("failed", "sum"),
                                  avg_ms=("duration_ms", "mean"), total_ms=("duration_ms", "sum"))
    tools = {str(k): {"calls": int(r.calls), "failures": int(r.failures), "avg_ms": round(float(r.avg_ms), 3),
                      "total_ms": round(float(r.total_ms), 3)} for k, r in g.iterrows()}
    pairs = pd.DataFrame({"from": frame["tool"], "to": frame["tool"].shift(-1)}).dropna()
    counted = pairs.value_counts().reset_index(name="count")
    transitions = [{"from": r["from"], "to": r["to"], "count": int(r["count"])} for r in counted.to_dict("records")]
    streak_id = (frame["tool"] != frame["tool"].shift()).cumsum()
    streaks = frame.groupby(streak_id).agg(tool=("tool", "first"), length=("tool", "size"), start=("timestamp", "first"))
    best = streaks.sort_values(["length", "start"], ascending=[False, True]).iloc[0]
    longest_run = {"tool": best["tool"], "length": int(best["length"])}
else:
    tools = {}
    for c in calls:
        t = tools.setdefault(c["tool"], {"calls": 0, "failures": 0, "total_ms": 0.0})
        t["calls"] += 1
        t["failures"] += int(c["failed"])
        t["total_ms"] += c["duration_ms"]
    for t in tools.values():
        t["avg_ms"] = round(t["total_ms"] / t["calls"], 3)
        t["total_ms"] = round(t["total_ms"], 3)
    counted = Counter((a["tool"], b["tool"]) for a, b in zip(calls, calls[1:]))
    transitions = [{"from": a, "to": b, "count": n} for (a, b), n in counted.items()]
    longest_run = None
    i = 0
    while i < len(calls):
        j = i
        while j + 1 < len(calls) and calls[j + 1]["tool"] == calls[i]["tool"]:
            j += 1
        if longest_run is None or j - i + 1 > longest_run["length"]:
            longest_run = {"tool": calls[i]["tool"], "length": j - i + 1}
        i = j + 1

transitions.sort(key=lambda t: (-t["count"], t["from"], t["to"]))

# Loops: slide a window over consecutive tool calls; report each tool once, at its worst window.
loops = {}
window = deque()
for idx, c in enumerate(calls):
    window.append(c["tool"])
    if len(window) > LOOP_WINDOW:
        window.popleft()
    n = window.count(c["tool"])
    if n > LOOP_THRESHOLD and n > loops.get(c["tool"], {}).get("count_in_window", 0):
        loops[c["tool"]] = {"tool": c["tool"], "count_in_window": n, "at_call": idx, "at": c["timestamp"].isoformat()}

result = {
    "tool_calls": len(calls),
    "distinct_tools": len(tools),
    "tools": tools,
    "failures": sum(t["failures"] for t in tools.values()),
    "transitions": transitions[:50],
    "longest_run": longest_run,
    "loops": sorted(loops.values(), key=lambda l: (-l["count_in_window"], l["tool"])),
    "engine": "pandas" if pd is not None else "stdlib",
}

print(f"{len(calls)} tool calls, {len(tools)} tools, {result['failures']} failures")
print_table([{"tool": k, **v} for k, v in sorted(tools.items(), key=lambda kv: -kv[1]["calls"])],
            ["tool", "calls", "failures", "avg_ms", "total_ms"])
print("\nMost common transitions:")
print_table(result["transitions"][:10], ["from", "to", "count"])
if longest_run:
    print(f"\nLongest streak: {longest_run['tool']} × {longest_run['length']}")
for loop in result["loops"]:
    print(f"⚠️ loop: {loop['tool']} called {loop['count_in_window']} times within {LOOP_WINDOW} consecutive tool calls")
