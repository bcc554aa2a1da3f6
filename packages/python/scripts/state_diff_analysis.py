"""state_diff_analysis: what each state change changed (state_before → state_after).

For every event that carries both states, the keys added, removed and changed (dotted paths
into nested objects; lists compared whole), transitions that changed nothing, and which keys
change most often.

Params:
  max_changes (default 200): transitions listed in full; the rest are counted
"""
from collections import Counter

try:
    import pandas as pd
except ImportError:
    pd = None

MAX_CHANGES = int(params.get("max_changes", 200))


def flatten(value, prefix=""):
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        if not value and prefix:
            out[prefix] = {}
        return out
    return {prefix or "(value)": value}


def short(v):
    text = repr(v)
    return v if len(text) <= 200 else text[:200] + "…"


transitions = []
for l in logs:
    if l.state_before is None or l.state_after is None:
        continue
    before, after = flatten(l.state_before), flatten(l.state_after)
    added = sorted(k for k in after if k not in before)
    removed = sorted(k for k in before if k not in after)
    changed = [{"path": k, "before": short(before[k]), "after": short(after[k])}
               for k in sorted(before) if k in after and before[k] != after[k]]
    transitions.append({"event_id": l.event_id, "timestamp": l.timestamp.isoformat(), "source": str(l.source),
                        "action": l.action, "agent_id": l.agent_id, "added": added, "removed": removed, "changed": changed})

rows = [{"path": p, "kind": kind} for t in transitions
        for kind, paths in (("added", t["added"]), ("removed", t["removed"]), ("changed", [c["path"] for c in t["changed"]]))
        for p in paths]

if pd is not None and rows:
    frame = pd.DataFrame(rows)
    key_changes = {str(k): int(v) for k, v in frame["path"].value_counts().items()}
    kinds = {str(k): int(v) for k, v in frame["kind"].value_counts().items()}
else:
    key_changes = dict(Counter(r["path"] for r in rows))
    kinds = dict(Counter(r["kind"] for r in rows))

no_ops = [t for t in transitions if not (t["added"] or t["removed"] or t["changed"])]
most_changed = sorted(key_changes.items(), key=lambda kv: (-kv[1], kv[0]))[:20]

result = {
    "transitions": len(transitions),
    "no_op_transitions": len(no_ops),
    "paths_added": kinds.get("added", 0),
    "paths_removed": kinds.get("removed", 0),
    "paths_changed": kinds.get("changed", 0),
    "key_changes": key_changes,
    "most_changed": [{"path": p, "count": n} for p, n in most_changed],
    "changes": transitions[:MAX_CHANGES],
    "changes_omitted": max(len(transitions) - MAX_CHANGES, 0),
    "engine": "pandas" if pd is not None else "stdlib",
}

print(f"{len(transitions)} state transitions ({len(no_ops)} changed nothing)")
for t in transitions[:MAX_CHANGES]:
    parts = [f"+{p}" for p in t["added"]] + [f"-{p}" for p in t["removed"]]
    parts += [f"{c['path']}: {c['before']!r} → {c['after']!r}" for c in t["changed"]]
    print(f"{t['timestamp']} [{t['source']}] {t['action']}: {'; '.join(parts) or '(no change)'}")
print("\nMost changed keys:")
print_table(result["most_changed"], ["path", "count"])
