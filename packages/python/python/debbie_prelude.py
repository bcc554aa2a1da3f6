"""Debbie's script prelude: runs ONE user script inside the sandbox's work directory.

Reads context.json and logs.jsonl (DebbieEvents, one JSON object a line) from the current
directory, exposes them to the script as `logs`, `LogSource`, `LogLevel`, `session`, `state`,
`params`, `df` and a few helpers, enforces the import policy on the script's own imports, runs
script.py, and writes its result to descriptor 4, a pipe to the parent (error with traceback, a JSON-safe snapshot of the script's
top-level variables, timings) for the TypeScript side.

The import policy is a courtesy on top of the sandbox, not the security boundary: bubblewrap
and prlimit are. The script's stdout/stderr go straight to the process pipes (the TypeScript
side caps them), so a script killed by the wall-clock timeout still shows what it printed.
"""

import builtins
import datetime as _dt
import enum
import json
import importlib.util
import math
import operator
import re
import sys
import time
import traceback

_T0 = time.perf_counter()

sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace", line_buffering=True)
sys.stderr.reconfigure(encoding="utf-8", errors="backslashreplace", line_buffering=True)

with open("context.json", encoding="utf-8") as _f:
    CONTEXT = json.load(_f)

MEMORY_LIMIT_MB = CONTEXT.get("memory_limit_mb")
MAX_VARIABLES_BYTES = int(CONTEXT.get("max_variables_bytes", 1 << 20))
MAX_VARIABLE_BYTES = int(CONTEXT.get("max_variable_bytes", 256 << 10))
PANDAS_ENABLED = bool(CONTEXT.get("pandas", True))
ALLOWED_IMPORTS = frozenset(CONTEXT.get("allowed_imports", []))


# ---------------------------------------------------------------- the event model, Python side

class LogSource(str, enum.Enum):
    """Where an event came from (the seed's ten sources). Compares equal to its string value."""

    DEBBIE = "debbie"
    DEBBIE_COMMENT = "debbie_comment"
    SERVER = "server"
    AGENT = "agent"
    AI_SERVICE = "ai_service"
    TOOL = "tool"
    SESSION = "session"
    WEBSOCKET = "websocket"
    USER_SCRIPT = "user_script"
    PYTHON_EXEC = "python_exec"

    def __str__(self):
        return self.value


class LogLevel(str, enum.Enum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"

    def __str__(self):
        return self.value

    @property
    def rank(self):
        return _LEVEL_RANK[self.value]


_LEVEL_RANK = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
_SOURCES = {s.value: s for s in LogSource}
_LEVELS = {l.value: l for l in LogLevel}

FIELDS = (
    "timestamp", "level", "source", "component", "action", "event_summary", "event_id",
    "duration_ms", "session_id", "agent_id", "correlation_id", "parent_id",
    "trace_id", "span_id", "parent_span_id", "kind", "service_name", "tags",
    "performance_metrics", "details", "state_before", "state_after", "stack_trace", "context_snapshot",
)


def parse_timestamp(text):
    """ISO-8601 (Z or offset, any fraction) -> aware UTC datetime; None when unparseable."""
    if not isinstance(text, str):
        return None
    try:
        value = _dt.datetime.fromisoformat(text)  # 3.11+: takes Z and any fraction digits
    except ValueError:
        value = _parse_timestamp_slow(text)
        if value is None:
            return None
    if value.tzinfo is None:
        return value.replace(tzinfo=_dt.timezone.utc)
    if value.utcoffset():
        return value.astimezone(_dt.timezone.utc)
    return value


def _parse_timestamp_slow(text):
    """Older interpreters: normalise Z and the fraction to what fromisoformat takes."""
    t = text.strip().replace(" ", "T", 1)
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    dot = t.find(".")
    if dot != -1:
        end = dot + 1
        while end < len(t) and t[end].isdigit():
            end += 1
        t = t[:dot + 1] + t[dot + 1:end][:6].ljust(6, "0") + t[end:]
    try:
        return _dt.datetime.fromisoformat(t)
    except ValueError:
        return None




def _intern(value):
    return sys.intern(value) if type(value) is str else value



class LogEntry:
    """One DebbieEvent with attribute access; `timestamp` is an aware UTC datetime."""

    __slots__ = FIELDS

    def __init__(self, r):
        # Written out (no setattr loop) for speed; slots (no per-event dict) and interned
        # repeated strings keep 100k events in well under the sandbox's default 512 MB.
        g = r.get
        self.timestamp = parse_timestamp(g("timestamp"))
        source = g("source")
        self.source = _SOURCES.get(source, source)
        level = g("level")
        self.level = _LEVELS.get(level, level)
        self.component = _intern(g("component"))
        self.action = _intern(g("action"))
        self.event_summary = g("event_summary")
        self.event_id = g("event_id")
        self.duration_ms = g("duration_ms")
        self.session_id = _intern(g("session_id"))
        self.agent_id = _intern(g("agent_id"))
        self.correlation_id = _intern(g("correlation_id"))
        self.parent_id = g("parent_id")
        self.trace_id = g("trace_id")
        self.span_id = g("span_id")
        self.parent_span_id = g("parent_span_id")
        self.kind = _intern(g("kind"))
        self.service_name = _intern(g("service_name"))
        tags = g("tags")
        self.tags = tags if isinstance(tags, list) else []
        metrics = g("performance_metrics")
        self.performance_metrics = metrics if isinstance(metrics, dict) else None
        details = g("details")
        self.details = details if isinstance(details, dict) else {}
        self.state_before = g("state_before")
        self.state_after = g("state_after")
        self.stack_trace = g("stack_trace")
        self.context_snapshot = g("context_snapshot")

    # Conveniences for the fields every analysis reaches for.
    @property
    def message(self):
        return self.event_summary

    @property
    def end_time(self):
        if self.timestamp is None or self.duration_ms is None:
            return self.timestamp
        return self.timestamp + _dt.timedelta(milliseconds=self.duration_ms)

    @property
    def tool_name(self):
        return self.details.get("tool_name")

    @property
    def model(self):
        return self.details.get("model")

    @property
    def rpc_method(self):
        return self.details.get("rpc_method")

    def metric(self, name, default=None):
        pm = self.performance_metrics
        if not pm:
            return default
        value = pm.get(name)
        return default if value is None else value

    @property
    def input_tokens(self):
        return self.metric("input_tokens")

    @property
    def output_tokens(self):
        return self.metric("output_tokens")

    @property
    def memory_mb(self):
        return self.metric("memory_mb")

    @property
    def is_error(self):
        return self.level in ("ERROR", "CRITICAL")

    def get(self, key, default=None):
        """A detail by key (log.get('tool_name'))."""
        return self.details.get(key, default)

    def to_dict(self):
        return {name: getattr(self, name) for name in FIELDS}

    def __repr__(self):
        ts = self.timestamp.isoformat() if self.timestamp else "?"
        return f"<LogEntry {ts} {self.source} {self.level} {self.component}: {self.event_summary!r}>"


class AttrDict(dict):
    """A dict whose keys are also attributes (session.session_id)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _attr(value):
    if isinstance(value, dict):
        return AttrDict((k, _attr(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_attr(v) for v in value]
    return value


def load_logs(path):
    entries = []
    skipped = 0
    with open(path, encoding="utf-8") as f:
        loads = json.loads
        for line in f:
            if not line.strip():
                continue
            try:
                record = loads(line)
            except ValueError:
                skipped += 1
                continue
            if isinstance(record, dict):
                entries.append(LogEntry(record))
            else:
                skipped += 1
    entries.sort(key=lambda e: (e.timestamp is None, e.timestamp or _dt.datetime.min.replace(tzinfo=_dt.timezone.utc)))
    return entries, skipped


# ---------------------------------------------------------------- helpers for scripts

def spans(source=None):
    """Events with a duration (operations), optionally of one source."""
    return [l for l in logs if l.duration_ms is not None and (source is None or l.source == source)]


def by_source(source):
    return [l for l in logs if l.source == source]


def group_by(items, key):
    """{key(item): [items]} in first-seen order."""
    out = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def percentile(values, q):
    """Linear-interpolated percentile (q in 0..100), the same rule as numpy and pandas."""
    data = sorted(v for v in values if v is not None)
    if not data:
        return None
    pos = (len(data) - 1) * q / 100.0
    lo = math.floor(pos)
    hi = math.ceil(pos)
    if lo == hi:
        return float(data[lo])
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def print_table(rows, columns=None):
    """Prints a list of dicts as an aligned text table."""
    rows = list(rows)
    if not rows:
        print("(none)")
        return
    columns = columns or list(rows[0].keys())

    def cell(v):
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:.1f}"
        return str(v)

    table = [[str(c) for c in columns]] + [[cell(r.get(c, "")) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(columns))]
    for n, row in enumerate(table):
        print("  ".join(v.ljust(widths[i]) for i, v in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def build_dataframe(entries):
    """One row per event; nested fields stay objects, common ones are flattened to columns."""
    import pandas as pd

    # One C-level attrgetter per event feeding from_records: the fastest way from objects to a frame.
    frame = pd.DataFrame.from_records(list(map(operator.attrgetter(*FIELDS), entries)), columns=list(FIELDS))
    frame["source"] = [str(s) if s is not None else None for s in frame["source"]]
    frame["level"] = [str(s) if s is not None else None for s in frame["level"]]
    frame["tool_name"] = [e.details.get("tool_name") for e in entries]
    frame["model"] = [e.details.get("model") for e in entries]
    frame["rpc_method"] = [e.details.get("rpc_method") for e in entries]
    for m in ("input_tokens", "output_tokens", "memory_mb"):
        frame[m] = [e.metric(m) for e in entries]
    frame["timestamp"] = pd.to_datetime(frame["timestamp"], utc=True)
    for numeric in ("duration_ms", "input_tokens", "output_tokens", "memory_mb"):
        frame[numeric] = pd.to_numeric(frame[numeric], errors="coerce")
    return frame


# ---------------------------------------------------------------- the import policy

class ImportPolicyError(ImportError):
    """Raised for an import the policy refuses."""


_real_import = builtins.__import__


def _policy_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level:
        raise ImportPolicyError("relative imports are not allowed by Debbie's Python import policy", name=name)
    top = name.partition(".")[0]
    if top == "pandas" and not PANDAS_ENABLED:
        raise ImportPolicyError("pandas is disabled for this run (Debbie's Python import policy, usePandas: false)", name=name)
    if top not in ALLOWED_IMPORTS:
        allowed = ", ".join(sorted(ALLOWED_IMPORTS))
        raise ImportPolicyError(
            f"import of '{name}' is not allowed by Debbie's Python import policy (allowed: {allowed})", name=name
        )
    return _real_import(name, globals, locals, fromlist, level)


# ---------------------------------------------------------------- JSON-safe variable snapshot

_MAX_ITEMS = 1000
_MAX_STR = 10_000
_MAX_DEPTH = 8
_MAX_ROWS = 100


def to_jsonable(value, depth=0):
    if value is None or isinstance(value, (bool, int)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            return str(value)
        return value
    if isinstance(value, enum.Enum):
        return to_jsonable(value.value, depth)
    if isinstance(value, str):
        return value if len(value) <= _MAX_STR else value[:_MAX_STR] + "…"
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        try:
            if value != value:  # pandas NaT
                return None
        except Exception:
            pass
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return value.total_seconds()
    if isinstance(value, LogEntry):
        return to_jsonable(value.to_dict(), depth)
    if depth >= _MAX_DEPTH:
        return repr(value)[:200]
    mod = type(value).__module__ or ""
    if mod.startswith("pandas"):
        return _pandas_jsonable(value, depth)
    if mod.startswith("numpy"):
        if hasattr(value, "tolist"):
            data = value.tolist()
            if isinstance(data, list) and len(data) > _MAX_ITEMS:
                data = data[:_MAX_ITEMS]
            return to_jsonable(data, depth + 1)
    if isinstance(value, dict):
        out = {}
        for i, (k, v) in enumerate(value.items()):
            if i >= _MAX_ITEMS:
                out["…"] = f"{len(value) - _MAX_ITEMS} more items"
                break
            out[k if isinstance(k, str) else str(to_jsonable(k, depth + 1))] = to_jsonable(v, depth + 1)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if isinstance(value, (set, frozenset)):
            try:
                items.sort()
            except TypeError:
                pass
        out = [to_jsonable(v, depth + 1) for v in items[:_MAX_ITEMS]]
        if len(items) > _MAX_ITEMS:
            out.append(f"… {len(items) - _MAX_ITEMS} more items")
        return out
    return repr(value)[:1000]


def _pandas_jsonable(value, depth):
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        head = value.head(_MAX_ROWS).reset_index()
        records = [{str(k): to_jsonable(v, depth + 2) for k, v in row.items()} for row in head.to_dict("records")]
        return {"__type__": "DataFrame", "shape": list(value.shape), "columns": [str(c) for c in value.columns], "records": records}
    if isinstance(value, pd.Series):
        head = value.head(_MAX_ITEMS)
        return {"__type__": "Series", "name": to_jsonable(value.name, depth + 1), "length": len(value),
                "data": {str(to_jsonable(k, depth + 1)): to_jsonable(v, depth + 1) for k, v in head.items()}}
    if value is pd.NaT:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return repr(value)[:1000]


def snapshot_variables(namespace, injected):
    variables, omitted = {}, []
    total = 0
    for name, value in namespace.items():
        if name.startswith("_") or (name in injected and injected[name] is value):
            continue
        if isinstance(value, type(sys)) or callable(value) and not hasattr(value, "__len__"):
            continue  # modules, functions and classes are code, not results
        try:
            encoded = json.dumps(to_jsonable(value), ensure_ascii=False, allow_nan=False)
        except Exception as exc:  # a __repr__ that raises, a cycle: say so, keep the rest
            encoded = json.dumps({"__unserializable__": f"{type(value).__name__}: {exc}"[:500]})
        if len(encoded) > MAX_VARIABLE_BYTES:
            encoded = json.dumps({"__truncated__": True, "type": type(value).__name__, "bytes": len(encoded),
                                  "preview": encoded[:1000]})
        if total + len(encoded) > MAX_VARIABLES_BYTES:
            omitted.append(name)
            continue
        total += len(encoded)
        variables[name] = json.loads(encoded)
    return variables, omitted


# ---------------------------------------------------------------- run the script

def _format_error(exc):
    tb = exc.__traceback__
    # Drop the prelude's own frame (the exec call) so the traceback starts in the script.
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    if isinstance(exc, ImportPolicyError):
        # The policy's own frame says nothing about the script.
        frames = [f for f in traceback.extract_tb(tb) if f.filename != __file__]
        lines = ["Traceback (most recent call last):\n"] + traceback.StackSummary.from_list(frames).format()
        lines += traceback.format_exception_only(type(exc), exc)
    else:
        lines = traceback.format_exception(type(exc), exc, tb)
    text = "".join(lines)
    message = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, MemoryError) and MEMORY_LIMIT_MB:
        message = f"MemoryError: the script exceeded the sandbox memory limit of {MEMORY_LIMIT_MB} MB"
    return {"type": type(exc).__name__, "message": message, "traceback": text[-20_000:]}


def main():
    global logs, df
    result = {"error": None, "variables": {}, "variables_omitted": [], "events_loaded": 0, "events_skipped": 0}
    try:
        with open("script.py", encoding="utf-8") as f:
            source = f.read()
        logs, skipped = load_logs("logs.jsonl")
        result["events_loaded"] = len(logs)
        result["events_skipped"] = skipped
        df = None
        # find_spec tells whether pandas is installed without paying for its import (~0.3 s).
        have_pandas = PANDAS_ENABLED and importlib.util.find_spec("pandas") is not None
        if have_pandas and re.search(r"\bdf\b", source):
            df = build_dataframe(logs)
    except Exception as exc:
        result["error"] = _format_error(exc)
        result["error"]["message"] = "setup failed: " + result["error"]["message"]
        _write_result(result, 0.0)
        return

    safe_builtins = dict(vars(builtins))
    safe_builtins["__import__"] = _policy_import
    injected = {
        "logs": logs, "LogSource": LogSource, "LogLevel": LogLevel, "LogEntry": LogEntry,
        "session": _attr(CONTEXT.get("session") or {}), "state": _attr(CONTEXT.get("state")),
        "params": _attr(CONTEXT.get("params") or {}), "df": df, "HAVE_PANDAS": have_pandas,
        "EVENTS_DROPPED": int(CONTEXT.get("events_dropped", 0)),
        "spans": spans, "by_source": by_source, "group_by": group_by, "percentile": percentile,
        "print_table": print_table, "parse_timestamp": parse_timestamp, "AttrDict": AttrDict,
    }
    namespace = {"__name__": "__main__", "__builtins__": safe_builtins, **injected}
    setup_s = time.perf_counter() - _T0
    started = time.perf_counter()
    try:
        code = compile(source, "script.py", "exec")
        exec(code, namespace)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            result["error"] = {"type": "SystemExit", "message": f"SystemExit: {exc.code}", "traceback": None}
    except BaseException as exc:  # noqa: BLE001 — every failure of the script is a result
        result["error"] = _format_error(exc)
    elapsed = time.perf_counter() - started
    try:
        sys.stdout.flush()
        result["variables"], result["variables_omitted"] = snapshot_variables(namespace, injected)
    except BaseException as exc:  # noqa: BLE001
        result["variables_error"] = f"{type(exc).__name__}: {exc}"[:500]
    result["setup_time"] = setup_s
    _write_result(result, elapsed)


RESULT_FD = 4  # a pipe to the parent (see PythonExecutor): no file the script could replace


def _write_result(result, elapsed):
    result["execution_time"] = elapsed
    import os
    with os.fdopen(RESULT_FD, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, allow_nan=False, default=str)


if __name__ == "__main__":
    main()
    # Skip the interpreter's teardown: freeing 100k events one by one costs seconds, and the
    # result is already on disk.
    sys.stdout.flush()
    sys.stderr.flush()
    import os
    os._exit(0)
