"""memory_analysis: the memory samples of a session (performance_metrics.memory_mb).

Minimum, maximum, average, first and last sample, growth, the peak and where it happened, the
samples over `spike_mb`, the largest rise between two consecutive samples, and the peak per
component.

Params:
  spike_mb (default 400): a sample above this is a spike
"""
try:
    import pandas as pd
except ImportError:
    pd = None

SPIKE_MB = float(params.get("spike_mb", 400))

samples = [{"timestamp": l.timestamp, "event_id": l.event_id, "component": l.component, "source": str(l.source),
            "memory_mb": float(l.metric("memory_mb"))}
           for l in logs if isinstance(l.metric("memory_mb"), (int, float))]


def r3(x):
    return round(float(x), 3)


def sample_ref(s, value_key="memory_mb"):
    ts = s["timestamp"]
    ts = ts.to_pydatetime() if hasattr(ts, "to_pydatetime") else ts
    return {"timestamp": ts.isoformat(), "event_id": s["event_id"], "component": s["component"],
            "memory_mb": r3(s[value_key])}


if not samples:
    stats = {"samples": 0}
    spikes, by_component, largest_rise = [], {}, None
elif pd is not None:
    frame = pd.DataFrame(samples)
    mem = frame["memory_mb"]
    peak = frame.loc[mem.idxmax()]
    stats = {"samples": int(len(frame)), "min_mb": r3(mem.min()), "max_mb": r3(mem.max()), "avg_mb": r3(mem.mean()),
             "first_mb": r3(mem.iloc[0]), "last_mb": r3(mem.iloc[-1]), "growth_mb": r3(mem.iloc[-1] - mem.iloc[0]),
             "peak": sample_ref(peak.to_dict())}
    spikes = [sample_ref(r) for r in frame[mem > SPIKE_MB].to_dict("records")]
    delta = mem.diff()
    if len(frame) > 1 and delta.max() > 0:
        i = int(delta.idxmax())
        largest_rise = {"delta_mb": r3(delta.iloc[i]), "from_mb": r3(mem.iloc[i - 1]), "to": sample_ref(frame.iloc[i].to_dict())}
    else:
        largest_rise = None
    per = frame.groupby("component")["memory_mb"].agg(["count", "max", "mean"])
    by_component = {str(k): {"samples": int(r["count"]), "max_mb": r3(r["max"]), "avg_mb": r3(r["mean"])} for k, r in per.iterrows()}
else:
    values = [s["memory_mb"] for s in samples]
    peak = max(samples, key=lambda s: s["memory_mb"])  # first of equal maxima, like idxmax
    stats = {"samples": len(values), "min_mb": r3(min(values)), "max_mb": r3(max(values)),
             "avg_mb": r3(sum(values) / len(values)), "first_mb": r3(values[0]), "last_mb": r3(values[-1]),
             "growth_mb": r3(values[-1] - values[0]), "peak": sample_ref(peak)}
    spikes = [sample_ref(s) for s in samples if s["memory_mb"] > SPIKE_MB]
    largest_rise = None
    for i in range(1, len(samples)):
        d = values[i] - values[i - 1]
        if d > 0 and (largest_rise is None or d > largest_rise["delta_mb"]):
            largest_rise = {"delta_mb": r3(d), "from_mb": r3(values[i - 1]), "to": sample_ref(samples[i])}
    by_component = {}
    for s in samples:
        entry = by_component.setdefault(s["component"], {"samples": 0, "max_mb": float("-inf"), "sum": 0.0})
        entry["samples"] += 1
        entry["max_mb"] = max(entry["max_mb"], s["memory_mb"])
        entry["sum"] += s["memory_mb"]
    by_component = {k: {"samples": v["samples"], "max_mb": r3(v["max_mb"]), "avg_mb": r3(v["sum"] / v["samples"])}
                    for k, v in by_component.items()}

result = {**stats, "spike_mb": SPIKE_MB, "spike_count": len(spikes), "spikes": spikes[:50],
          "largest_rise": largest_rise, "by_component": by_component,
          "engine": "pandas" if pd is not None else "stdlib"}

if not samples:
    print("No memory samples (performance_metrics.memory_mb) in this session.")
else:
    print(f"Memory over {stats['samples']} samples: min {stats['min_mb']:.0f} MB, avg {stats['avg_mb']:.0f} MB, "
          f"max {stats['max_mb']:.0f} MB, growth {stats['growth_mb']:+.0f} MB")
    print(f"Peak {stats['peak']['memory_mb']:.0f} MB at {stats['peak']['timestamp']} in {stats['peak']['component']}")
    if largest_rise:
        print(f"Largest rise: +{largest_rise['delta_mb']:.0f} MB to {largest_rise['to']['memory_mb']:.0f} MB at {largest_rise['to']['timestamp']}")
    for s in spikes[:20]:
        print(f"⚠️ spike {s['memory_mb']:.0f} MB > {SPIKE_MB:.0f} MB at {s['timestamp']} ({s['component']})")
    print_table([{"component": k, **v} for k, v in by_component.items()], ["component", "samples", "avg_mb", "max_mb"])
