import type { DebbieEvent } from '@debbie/model';
import { modelOf, toolNameOf } from './classify.js';
import { Category } from './Observation.js';

/** What an agent did at one step, as the progress detectors compare it. */
export interface StepView {
  kind: 'tool' | 'model' | 'message';
  /** Tool name, model, or the speaking agent. */
  name: string;
  /** What was asked: tool arguments or code; '' when not recorded. */
  input: string;
  /** What came back: observation/result, the model's reply or thought, the message; '' when not recorded. */
  output: string;
  failed: boolean;
  /** The error text when failed ('' otherwise). */
  error: string;
}

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  try {
    return JSON.stringify(v).slice(0, 2000);
  } catch {
    return '';
  }
}

/** An argument value that tells nothing (missing, empty, "{}", "null"): arguments unknown. */
export function argumentsKnown(raw: unknown): boolean {
  if (raw === undefined || raw === null) return false;
  if (typeof raw === 'string') {
    // the words between leading and trailing blanks, looked at in place (trim() would copy every argument string)
    let a = 0;
    let b = raw.length;
    while (a < b && raw.charCodeAt(a) <= 32) a++;
    while (b > a && raw.charCodeAt(b - 1) <= 32) b--;
    if (b - a > 4) return true;
    const t = raw.slice(a, b);
    return t !== '' && t !== '{}' && t !== 'null' && t !== '""' && t !== '[]';
  }
  if (typeof raw === 'object') return Object.keys(raw as object).length > 0;
  return true;
}

/** The one StepView stepOf fills (no allocation per step): read it before the next call, copy what you keep. */
const view: StepView = { kind: 'tool', name: '', input: '', output: '', failed: false, error: '' };

function fill(kind: StepView['kind'], name: string, input: string, output: string, failed: boolean, error: string): StepView {
  view.kind = kind;
  view.name = name;
  view.input = input;
  view.output = output;
  view.failed = failed;
  view.error = error;
  return view;
}

/**
 * The step an event records, or null when it is none: a finished tool call, a model call, or a
 * message an agent spoke (multi-agent logs). Cheap: field reads only. The result is one object
 * reused by every call (the hot path allocates nothing): valid until the next call.
 */
export function stepOf(event: DebbieEvent, category: Category, isError: boolean): StepView | null {
  const d = event.details;
  if (category === Category.TOOL_CALL) {
    const rawArgs = d.tool_arguments ?? d.arguments ?? d.code;
    const error = isError ? text(d.error ?? d.error_message ?? d.observation ?? event.event_summary) : '';
    return fill(
      'tool',
      toolNameOf(event),
      argumentsKnown(rawArgs) ? text(rawArgs) : '',
      text(d.observation ?? d.result ?? d.tool_result ?? d.output),
      isError,
      error,
    );
  }
  if (category === Category.MODEL_CALL) {
    return fill(
      'model',
      modelOf(event),
      text(d.prompt_tail ?? ''),
      text(d.thought ?? d.response ?? d.completion ?? d.output ?? d.content),
      isError,
      isError ? text(d.error ?? d.error_message ?? event.event_summary) : '',
    );
  }
  if (event.source === 'agent' && event.kind === 'log' && (event.action === 'agent_message' || event.action === 'message')) {
    const who = typeof d.agent_name === 'string' ? d.agent_name : event.component;
    return fill('message', who, '', text(d.message ?? event.event_summary), false, '');
  }
  return null;
}
