"""find_errors: every ERROR/CRITICAL event, grouped into similar errors, with bursts and rates.

Two errors are "similar" when they come from the same source and component and their messages
are equal once ids, numbers and quoted values are blanked out. A burst is a run of at least
`min_burst` similar errors, each within `burst_window_s` of the previous one.

Params:
  burst_window_s (default 60): the largest gap between two errors of one burst
  min_burst (default 3): the fewest similar errors that make a burst
"""
import re
from collections import Counter

try:
    import pandas as pd
except ImportError:
    pd = None

WINDOW_S = float(params.get("burst_window_s", 60))
MIN_BURST = int(params.get("min_burst", 3))

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HEX = re.compile(r"\b(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b")
_PREFIXED_ID = re.compile(r"\b[A-Za-z]+_(?=[A-Za-z]*\d)[A-Za-z0-9]{8,}\b")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def signature(log):
    text = _UUID.sub("<id>", log.event_summary or "")
    text = _QUOTED.sub("<str>", text)
    text = _PREFIXED_ID.sub("<id>", text)
    text = _HEX.sub("<id>", text)
    text = _NUMBER.sub("<n>", text)
    return f"{log.source}/{log.component}: {text.strip()}"


errors = [log for log in logs if log.level in ("ERROR", "CRITICAL")]
rows = [{"signature": signature(e), "source": str(e.source), "component": e.component, "timestamp": e.timestamp,
         "event_id": e.event_id, "summary": e.event_summary, "has_stack": bool(e.stack_trace)} for e in errors]


def iso(ts):
    return ts.isoformat() if ts is not None else None


def bursts_of(times_by_signature):
    found = []
    for sig, times in times_by_signature.items():
        run = [times[0]]
        for t in times[1:] + [None]:
            if t is not None and (t - run[-1]).total_seconds() <= WINDOW_S:
                run.append(t)
                continue
            if len(run) >= MIN_BURST:
                found.append({"signature": sig, "count": len(run), "start": iso(run[0]), "end": iso(run[-1]),
                              "span_s": round((run[-1] - run[0]).total_seconds(), 3)})
            if t is not None:
                run = [t]
    found.sort(key=lambda b: (-b["count"], b["start"]))
    return found


if pd is not None and rows:
    frame = pd.DataFrame(rows).sort_values("timestamp", kind="stable")
    g = frame.groupby("signature", sort=False)
    table = g.agg(count=("event_id", "size"), first=("timestamp", "min"), last=("timestamp", "max"),
                  source=("source", "first"), component=("component", "first"), example=("summary", "first"))
    table = table.reset_index().sort_values(["count", "first"], ascending=[False, True])
    groups = [{"signature": r.signature, "source": r.source, "component": r.component, "count": int(r.count),
               "first": iso(r.first.to_pydatetime()), "last": iso(r.last.to_pydatetime()), "example": r.example}
              for r in table.itertuples()]
    by_source = {str(k): int(v) for k, v in frame["source"].value_counts().items()}
    by_component = {str(k): int(v) for k, v in frame["component"].value_counts().items()}
    # Bursts: split each signature's times where the gap exceeds the window, keep long runs.
    frame["gap_s"] = frame.groupby("signature")["timestamp"].diff().dt.total_seconds()
    frame["run"] = (frame["gap_s"].isna() | (frame["gap_s"] > WINDOW_S)).astype(int).groupby(frame["signature"]).cumsum()
    runs = frame.groupby(["signature", "run"]).agg(count=("event_id", "size"), start=("timestamp", "min"), end=("timestamp", "max"))
    runs = runs[runs["count"] >= MIN_BURST].reset_index()
    bursts = [{"signature": r.signature, "count": int(r.count), "start": iso(r.start.to_pydatetime()),
               "end": iso(r.end.to_pydatetime()), "span_s": round((r.end - r.start).total_seconds(), 3)}
              for r in runs.itertuples()]
    bursts.sort(key=lambda b: (-b["count"], b["start"]))
    with_stack = int(frame["has_stack"].sum())
else:
    counts = Counter(r["signature"] for r in rows)
    first_row = {}
    times = {}
    for r in sorted(rows, key=lambda r: r["timestamp"]):
        first_row.setdefault(r["signature"], r)
        times.setdefault(r["signature"], []).append(r["timestamp"])
    groups = [{"signature": sig, "source": first_row[sig]["source"], "component": first_row[sig]["component"],
               "count": n, "first": iso(times[sig][0]), "last": iso(times[sig][-1]), "example": first_row[sig]["summary"]}
              for sig, n in counts.items()]
    groups.sort(key=lambda g: (-g["count"], g["first"]))
    by_source = dict(Counter(r["source"] for r in rows))
    by_component = dict(Counter(r["component"] for r in rows))
    bursts = bursts_of(times)
    with_stack = sum(1 for r in rows if r["has_stack"])

result = {
    "error_count": len(errors),
    "event_count": len(logs),
    "error_rate": round(len(errors) / len(logs), 6) if logs else 0.0,
    "critical_count": sum(1 for e in errors if e.level == "CRITICAL"),
    "with_stack_trace": with_stack,
    "by_source": by_source,
    "by_component": by_component,
    "groups": groups,
    "bursts": bursts,
    "engine": "pandas" if pd is not None else "stdlib",
}

print(f"{len(errors)} errors in {len(logs)} events ({result['error_rate'] * 100:.2f}%), {len(groups)} distinct")
print_table([{"count": g["count"], "first": g["first"], "signature": g["signature"][:100]} for g in groups[:20]],
            ["count", "first", "signature"])
for b in bursts:
    print(f"⚠️ burst: {b['count']} × {b['signature'][:80]} within {b['span_s']:.1f}s from {b['start']}")
