#!/usr/bin/env python3
"""Send an AIWhisperer-style session to `debbie collect` over OTLP/HTTP, with the standard library only.

No OpenTelemetry Python SDK can be installed on our machines (only Debian's packages are reachable,
and Debian ships none), so this program writes the OTLP/HTTP JSON encoding that the OTLP
specification allows: lowerCamelCase keys, trace and span ids as hex strings, 64-bit integers as
decimal strings, enums as integers. Bodies are gzip-compressed as the Collector sends them.

Usage: send_session.py [--endpoint http://127.0.0.1:4318] [--token T] [--session-id ID] [--turns N]
Prints one JSON line: what was sent and what the collector answered.
"""
import argparse
import gzip
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid


def new_trace_id():
    return os.urandom(16).hex()


def new_span_id():
    return os.urandom(8).hex()


def attr(key, value):
    """One OTLP KeyValue; ints become intValue strings (int64 in JSON is a string)."""
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    if isinstance(value, float):
        return {"key": key, "value": {"doubleValue": value}}
    if isinstance(value, (list, tuple)):
        return {"key": key, "value": {"arrayValue": {"values": [{"stringValue": str(v)} for v in value]}}}
    return {"key": key, "value": {"stringValue": str(value)}}


class Session:
    """Builds the spans and log records of one simulated server session on a simulated clock."""

    def __init__(self, session_id, agent_id, start_ns):
        self.session_id = session_id
        self.agent_id = agent_id
        self.now = start_ns
        self.spans = []
        self.logs = []

    def advance(self, ms):
        self.now += int(ms * 1_000_000)

    def span(self, name, trace_id, parent_id, duration_ms, attrs, error=None):
        span_id = new_span_id()
        start = self.now
        self.advance(duration_ms)
        base = {"session.id": self.session_id, "gen_ai.agent.id": self.agent_id}
        base.update(attrs)
        span = {
            "traceId": trace_id,
            "spanId": span_id,
            "name": name,
            "kind": 1,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(self.now),
            "attributes": [attr(k, v) for k, v in base.items()],
            "status": {"code": 2, "message": error} if error else {"code": 1},
        }
        if parent_id:
            span["parentSpanId"] = parent_id
        if error:
            span["events"] = [{
                "timeUnixNano": str(self.now),
                "name": "exception",
                "attributes": [attr("exception.type", "FileNotFoundError"), attr("exception.message", error)],
            }]
        self.spans.append(span)
        return span_id

    def log(self, body, severity, trace_id, span_id, attrs):
        base = {"session.id": self.session_id, "gen_ai.agent.id": self.agent_id}
        base.update(attrs)
        self.logs.append({
            "timeUnixNano": str(self.now),
            "observedTimeUnixNano": str(self.now),
            "severityNumber": {"INFO": 9, "WARNING": 13, "ERROR": 17}[severity],
            "severityText": severity,
            "body": {"stringValue": body},
            "attributes": [attr(k, v) for k, v in base.items()],
            "traceId": trace_id,
            "spanId": span_id,
        })

    def turn(self, n):
        trace_id = new_trace_id()
        correlation = f"turn-{n}"
        common = {"debbie.correlation_id": correlation}
        turn_span = new_span_id()  # the parent of this turn's work; written last, once its end is known
        turn_start = self.now
        self.log(f"Received sendUserMessage (turn {n})", "INFO", trace_id, turn_span,
                 {"debbie.source": "websocket", "rpc.method": "sendUserMessage", **common})
        self.span("chat openrouter/gpt-4o-mini", trace_id, turn_span, 850 + 50 * n,
                  {"debbie.source": "ai_service", "gen_ai.operation.name": "chat",
                   "gen_ai.request.model": "openrouter/gpt-4o-mini", "gen_ai.usage.input_tokens": 400 + n,
                   "gen_ai.usage.output_tokens": 60, **common})
        error = "RFC directory not found: /rfcs/archive" if n == 2 else None
        self.span("execute_tool list_rfcs", trace_id, turn_span, 10 + n,
                  {"debbie.source": "tool", "gen_ai.tool.name": "list_rfcs",
                   "gen_ai.tool.call.id": f"toolu_{uuid.uuid4().hex[:20]}",
                   "gen_ai.tool.call.arguments": json.dumps({"status": "in_progress"}), **common}, error)
        self.log("🔄 CONTINUATION DECISION: False", "INFO", trace_id, turn_span,
                 {"debbie.source": "session", "debbie.action": "continuation_decision",
                  "debbie.details": json.dumps({"decision": False, "depth": 0}), **common})
        end = self.now
        self.spans.append({
            "traceId": trace_id, "spanId": turn_span, "name": "invoke_agent patricia", "kind": 2,
            "startTimeUnixNano": str(turn_start), "endTimeUnixNano": str(end),
            "attributes": [attr(k, v) for k, v in {"session.id": self.session_id, "gen_ai.agent.id": self.agent_id,
                                                     "debbie.source": "agent", "gen_ai.operation.name": "invoke_agent",
                                                     "gen_ai.agent.name": "patricia", **common}.items()],
            "status": {"code": 1},
        })
        self.advance(2000)


def resource():
    return {"attributes": [attr("service.name", "aiwhisperer-server"), attr("telemetry.sdk.language", "python"),
                           attr("process.pid", os.getpid())]}


def post(endpoint, path, payload, token):
    body = gzip.compress(json.dumps(payload).encode("utf-8"))
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(endpoint.rstrip("/") + path, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode("utf-8") or "{}"
            return response.status, json.loads(text)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read().decode("utf-8") or "{}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--endpoint", default=os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318"))
    parser.add_argument("--token", default=os.environ.get("DEBBIE_TOKEN"))
    parser.add_argument("--session-id", default=str(uuid.uuid4()))
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()

    session = Session(args.session_id, "p", time.time_ns())
    for n in range(1, args.turns + 1):
        session.turn(n)
    scope = {"name": "python-otlp-example", "version": "1.0"}
    traces = {"resourceSpans": [{"resource": resource(), "scopeSpans": [{"scope": scope, "spans": session.spans}]}]}
    logs = {"resourceLogs": [{"resource": resource(), "scopeLogs": [{"scope": scope, "logRecords": session.logs}]}]}
    trace_status, trace_body = post(args.endpoint, "/v1/traces", traces, args.token)
    log_status, log_body = post(args.endpoint, "/v1/logs", logs, args.token)
    print(json.dumps({"session_id": args.session_id, "spans": len(session.spans), "logs": len(session.logs),
                      "traces_status": trace_status, "traces_response": trace_body,
                      "logs_status": log_status, "logs_response": log_body}))
    return 0 if trace_status == 200 and log_status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
