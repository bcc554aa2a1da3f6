"""agent_behavior_analysis: what each agent did, when it switched, and where the session stalled.

Per agent: events, turns (invoke_agent spans), AI calls, tool calls, errors, first and last
seen. Agent switches in time order. Continuation decisions (session/continuation_decision): how
many, how many declined and why. Stalls, as in the seed: silences longer than `stall_s` between
the end of one activity (agent, ai_service, tool or session event) and the start of the next,
with the event that came before. Nudges: user messages such as "ok" or "continue" sent after a
declined continuation.

Params:
  stall_s (default 30): a silence longer than this is a stall
"""
from collections import Counter

try:
    import pandas as pd
except ImportError:
    pd = None

STALL_S = float(params.get("stall_s", 30))
NUDGES = {"ok", "okay", "continue", "go on", "go ahead", "next", "yes", "proceed", "keep going", "please continue"}
ACTIVITY = (LogSource.AGENT, LogSource.AI_SERVICE, LogSource.TOOL, LogSource.SESSION)

rows = [{"agent_id": l.agent_id, "source": str(l.source), "action": l.action, "timestamp": l.timestamp,
         "is_span": l.duration_ms is not None, "is_error": l.is_error} for l in logs if l.agent_id]


def iso(ts):
    return ts.isoformat() if ts is not None else None


if pd is not None and rows:
    frame = pd.DataFrame(rows)
    frame["turn"] = frame["is_span"] & (frame["source"] == "agent") & (frame["action"] == "invoke_agent")
    frame["ai_call"] = frame["is_span"] & (frame["source"] == "ai_service")
    frame["tool_call"] = frame["is_span"] & (frame["source"] == "tool")
    g = frame.groupby("agent_id").agg(events=("source", "size"), turns=("turn", "sum"), ai_calls=("ai_call", "sum"),
                                      tool_calls=("tool_call", "sum"), errors=("is_error", "sum"),
                                      first_seen=("timestamp", "min"), last_seen=("timestamp", "max"))
    agents = {str(k): {"events": int(r.events), "turns": int(r.turns), "ai_calls": int(r.ai_calls),
                       "tool_calls": int(r.tool_calls), "errors": int(r.errors),
                       "first_seen": iso(r.first_seen.to_pydatetime()), "last_seen": iso(r.last_seen.to_pydatetime())}
              for k, r in g.iterrows()}
else:
    agents = {}
    for r in rows:
        a = agents.setdefault(r["agent_id"], {"events": 0, "turns": 0, "ai_calls": 0, "tool_calls": 0, "errors": 0,
                                              "first_seen": r["timestamp"], "last_seen": r["timestamp"]})
        a["events"] += 1
        a["turns"] += int(r["is_span"] and r["source"] == "agent" and r["action"] == "invoke_agent")
        a["ai_calls"] += int(r["is_span"] and r["source"] == "ai_service")
        a["tool_calls"] += int(r["is_span"] and r["source"] == "tool")
        a["errors"] += int(r["is_error"])
        a["first_seen"] = min(a["first_seen"], r["timestamp"])
        a["last_seen"] = max(a["last_seen"], r["timestamp"])
    for a in agents.values():
        a["first_seen"], a["last_seen"] = iso(a["first_seen"]), iso(a["last_seen"])

switches = []
current = None
for l in logs:
    if l.source == LogSource.AGENT and l.agent_id:
        if current is not None and l.agent_id != current:
            switches.append({"from": current, "to": l.agent_id, "at": iso(l.timestamp)})
        current = l.agent_id

decisions = [l for l in logs if l.source == LogSource.SESSION and l.action == "continuation_decision"]
declined = [d for d in decisions if d.details.get("decision") is False]
declined_reasons = dict(Counter(str(d.details.get("reason")) for d in declined))

# Stalls: silence between the latest end of all earlier activity and the next activity's start.
# "after" is the last activity that started before the silence (e.g. the continuation decision).
stalls = []
latest_end = None
previous = None
for l in logs:
    if l.source not in ACTIVITY or l.timestamp is None:
        continue
    if latest_end is not None:
        gap = (l.timestamp - latest_end).total_seconds()
        if gap > STALL_S:
            stalls.append({"start": iso(latest_end), "end": iso(l.timestamp), "duration_s": round(gap, 3),
                           "after_event": previous.event_summary, "after_source": str(previous.source),
                           "after_action": previous.action, "resumed_by": l.event_summary})
    end = l.end_time
    if latest_end is None or end > latest_end:
        latest_end = end
    previous = l

# Nudges: short "please go on" messages from the user (session/process_message spans).
messages = [l for l in logs if l.source == LogSource.SESSION and l.action == "process_message"]
nudges = [{"at": iso(m.timestamp), "message": m.details.get("message")} for m in messages
          if str(m.details.get("message", "")).strip().lower().rstrip(".!") in NUDGES]

result = {
    "agents": agents,
    "agent_count": len(agents),
    "switches": switches,
    "continuation_decisions": len(decisions),
    "continuations_declined": len(declined),
    "declined_reasons": declined_reasons,
    "stall_s": STALL_S,
    "stalls": stalls,
    "stall_count": len(stalls),
    "longest_stall_s": max((s["duration_s"] for s in stalls), default=0.0),
    "user_messages": len(messages),
    "nudges": nudges,
    "engine": "pandas" if pd is not None else "stdlib",
}

print(f"{len(agents)} agents, {len(switches)} switches, {len(messages)} user messages ({len(nudges)} nudges)")
print_table([{"agent": k, **v} for k, v in agents.items()], ["agent", "events", "turns", "ai_calls", "tool_calls", "errors"])
print(f"\nContinuation decisions: {len(decisions)}, declined: {len(declined)} {declined_reasons or ''}")
print(f"Found {len(stalls)} stalls:")
for s in stalls:
    print(f"- {s['duration_s']:.1f}s after: {s['after_event']}")
