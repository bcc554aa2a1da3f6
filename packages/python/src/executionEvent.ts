import { createEvent, isoFromEpochMillis, type DebbieEvent } from '@debbie/model';
import type { ExecutionContext, ExecutionResult } from './PythonExecutor.js';

/**
 * The session a script's runs are recorded in: one of their own per analysed session, so a run
 * never stretches, re-times or adds errors to the session it analyses (issues 13 and 17). It
 * starts with "python_exec-" so a prefix of the analysed session's id never matches it.
 */
export function scriptRunSessionId(analysedSessionId: string): string {
  return `python_exec-${analysedSessionId}`;
}

/**
 * The `python_exec` event recorded for one run (the seed's "script_executed" log), in the runs'
 * own session and linked to the analysed one by `details.analysed_session_id`.
 */
export function executionEvent(result: ExecutionResult, script: string, context: ExecutionContext, startedAt: number): DebbieEvent {
  const lines = script.split('\n').length;
  const name = context.scriptName ? ` ${context.scriptName}` : '';
  return createEvent({
    timestamp: isoFromEpochMillis(startedAt),
    source: 'python_exec',
    level: result.error ? 'ERROR' : 'INFO',
    component: 'python_executor',
    action: 'script_executed',
    event_summary: `Executed ${lines} line Python script${name}${result.error ? `: ${result.error}` : ''}`.slice(0, 500),
    duration_ms: result.wall_time_ms,
    session_id: context.sessionId ? scriptRunSessionId(context.sessionId) : null,
    details: {
      analysed_session_id: context.sessionId ?? null,
      script_sha256: result.script_sha256,
      script_name: context.scriptName ?? null,
      script_lines: lines,
      execution_time: result.execution_time,
      output_size: result.output_bytes,
      error: result.error,
      error_kind: result.error_kind,
      isolation: result.isolation,
      events_loaded: result.events_loaded,
      events_dropped: result.events_dropped,
    },
    tags: ['python_exec'],
  });
}
