import { createHash } from 'node:crypto';
import { createEvent, isoFromEpochMicros, type DebbieEvent, type DebbieEventInit } from '@debbie/model';

/** What a trajectory converter needs besides the document. */
export interface TrajectoryOptions {
  /** Shown in errors: file and line. */
  where: string;
  /** A name for a run that carries no id of its own (the file name without extension). */
  runName?: string | undefined;
  /** Session for the run (overrides the id derived from the run). */
  sessionId?: string | undefined;
  /**
   * Start of the synthetic clock for runs that record no time (SWE-agent), epoch µs.
   * Default: 2000-01-01T00:00:00Z, so a synthetic time can never pass for a real one.
   */
  syntheticStartMicros?: number | undefined;
}

/** Events converted from one agent run. */
export interface TrajectoryResult {
  events: DebbieEvent[];
  /** Items of the run that could not be read (counted, never silently dropped). */
  rejected: number;
}

export const SYNTHETIC_EPOCH_MICROS = Date.UTC(2000, 0, 1) * 1000;

/** Cap for long texts (observations, prompts) kept in details. */
export const MAX_TEXT_CHARS = 4000;

export function clip(text: string, max = MAX_TEXT_CHARS): string {
  return text.length > max ? `${text.slice(0, max)}… [${text.length - max} more chars]` : text;
}

/** One line for a summary. */
export function firstLine(text: string, max = 200): string {
  const line = text.trim().split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/** A short, stable hash of a text (hex). */
export function shortHash(text: string, hexChars = 12): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hexChars);
}

/**
 * Builds the events of one run: session, agent and service on every event, ids stable from the
 * run and the event's position in it (converting the same run twice gives the same ids).
 */
export class TrajectoryEventBuilder {
  readonly events: DebbieEvent[] = [];
  private lastMicros = Number.NEGATIVE_INFINITY;

  /**
   * @param runKey identifies the run (its content and the --session override, if any), so converting
   *   the same run again gives the same ids.
   */
  constructor(
    private readonly runKey: string,
    readonly sessionId: string,
    private readonly common: { agent_id: string | null; service_name: string; framework: string; synthetic: boolean },
  ) {}

  /** Adds an event at `micros` (epoch µs). */
  add(micros: number, init: Omit<DebbieEventInit, 'timestamp'>): DebbieEvent {
    const at = micros;
    if (at > this.lastMicros) this.lastMicros = at;
    const seq = this.events.length;
    const details: Record<string, unknown> = { ...init.details, framework: this.common.framework, trajectory_seq: seq };
    // Said in the event: a reader must know this time was made up from the step order.
    if (this.common.synthetic) details.timestamp_synthetic = true;
    const event = createEvent({
      agent_id: this.common.agent_id,
      service_name: this.common.service_name,
      ...init,
      timestamp: isoFromEpochMicros(at),
      session_id: this.sessionId,
      details,
      event_id: `${shortHash(`${this.runKey}\u0000${seq}`, 24)}`,
    });
    this.events.push(event);
    return event;
  }

  get lastTimestampMicros(): number {
    return this.lastMicros;
  }
}
