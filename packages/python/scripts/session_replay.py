"""session_replay: the session as a readable story, step by step, with offsets and silences.

Every event in time order as "+offset [source] agent action: summary (duration)", gaps longer
than `gap_s` called out, counts per source and per level, and the turn boundaries (user
messages). Events at DEBUG level are counted but left out of the story unless `include_debug`.

Params:
  gap_s (default 10): silences longer than this are called out
  max_steps (default 300): steps kept in full; the rest are counted
  include_debug (default false): tell DEBUG events too
"""
from collections import Counter

try:
    import pandas as pd
except ImportError:
    pd = None

GAP_S = float(params.get("gap_s", 10))
MAX_STEPS = int(params.get("max_steps", 300))
INCLUDE_DEBUG = str(params.get("include_debug", "false")).lower() in ("1", "true", "yes")

start = logs[0].timestamp if logs else None
end = max((l.end_time for l in logs), default=None)

if pd is not None and df is not None and logs:
    # df has one row per event in the same order as logs (sorted by timestamp).
    by_source = {str(k): int(v) for k, v in df["source"].value_counts().items()}
    by_level = {str(k): int(v) for k, v in df["level"].value_counts().items()}
else:
    by_source = dict(Counter(str(l.source) for l in logs))
    by_level = dict(Counter(str(l.level) for l in logs))

steps, gaps = [], []
latest_end = None
told = [l for l in logs if INCLUDE_DEBUG or l.level != "DEBUG"]
for l in told:
    if latest_end is not None and (l.timestamp - latest_end).total_seconds() > GAP_S:
        gaps.append({"after_s": round((latest_end - start).total_seconds(), 3),
                     "duration_s": round((l.timestamp - latest_end).total_seconds(), 3)})
        steps.append({"offset_s": round((latest_end - start).total_seconds(), 3), "gap_s": gaps[-1]["duration_s"]})
    steps.append({"offset_s": round((l.timestamp - start).total_seconds(), 3), "source": str(l.source),
                  "agent_id": l.agent_id, "action": l.action, "level": str(l.level), "summary": l.event_summary,
                  "duration_ms": l.duration_ms})
    latest_end = l.end_time if latest_end is None else max(latest_end, l.end_time)

turns = sum(1 for l in logs if l.source == LogSource.SESSION and l.action == "process_message" and l.duration_ms is not None)

result = {
    "event_count": len(logs),
    "told": len(told),
    "start": start.isoformat() if start else None,
    "end": end.isoformat() if end else None,
    "duration_s": round((end - start).total_seconds(), 3) if logs else 0.0,
    "turns": turns,
    "by_source": by_source,
    "by_level": by_level,
    "gap_s": GAP_S,
    "gaps": gaps,
    "steps": steps[:MAX_STEPS],
    "steps_omitted": max(len(steps) - MAX_STEPS, 0),
    "engine": "pandas" if pd is not None else "stdlib",
}

print(f"Session {session.get('session_id', '')}: {len(logs)} events over {result['duration_s']:.1f}s, {turns} turns")
for s in steps[:MAX_STEPS]:
    if "gap_s" in s:
        print(f"+{s['offset_s']:>9.3f}s   … {s['gap_s']:.1f}s of silence …")
        continue
    dur = f" ({s['duration_ms']:.0f} ms)" if s["duration_ms"] is not None else ""
    who = f" {s['agent_id']}" if s["agent_id"] else ""
    print(f"+{s['offset_s']:>9.3f}s [{s['source']}]{who} {s['action']}: {s['summary'][:120]}{dur}")
if result["steps_omitted"]:
    print(f"… {result['steps_omitted']} more steps")
