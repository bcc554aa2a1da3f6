import { isoFromEpochMicros } from '@debbie/model';
import type { DecoyPattern, FaultPattern } from '../script.js';

/** One labelled interval of a run: a fault that happened, or a decoy that looks like one. */
export interface LabelledInterval<P extends string = string> {
  pattern: P;
  session_id: string;
  /** ISO timestamps (simulated time), comparable with DebbieEvent.timestamp. */
  start: string;
  end: string;
  start_us: number;
  end_us: number;
  /** The tool involved, where one is. */
  tool?: string;
  /** How many occurrences the interval groups (loop iterations, errors, nudges). */
  count?: number;
  /** Slowness factor against the usual duration, for slow_* faults. */
  factor?: number;
  details?: Record<string, unknown>;
}

export type Fault = LabelledInterval<FaultPattern>;
export type Decoy = LabelledInterval<DecoyPattern>;

/** What a run really contained, for scoring detectors and checking reports. */
export interface GroundTruth {
  scenario: string;
  seed: number;
  jitter: number;
  variant: string;
  sessions: { session_id: string; user_id: string; agent_id: string }[];
  faults: Fault[];
  decoys: Decoy[];
  /** The slow tool of a slow-tool run (the report must name it and its factor). */
  slow?: { session_id: string; tool: string; expected_ms: number; actual_ms: number; factor: number };
  /** Continuation messages that arrived on a connection other than the session owner's. */
  interventions: { session_id: string; at: string; at_us: number; message: string }[];
}

interface Occurrence {
  pattern: string;
  decoy: boolean;
  session_id: string;
  group: string;
  startUs: number;
  endUs: number;
  tool?: string | undefined;
  factor?: number | undefined;
  details?: Record<string, unknown> | undefined;
}

/** Nudges in a row that make a nudge_pattern. */
export const MIN_NUDGES = 2;

/** Collects fault and decoy occurrences as they happen; `build()` groups them into intervals. */
export class TruthRecorder {
  private readonly occurrences: Occurrence[] = [];
  private readonly sessions: GroundTruth['sessions'] = [];
  private readonly interventions: GroundTruth['interventions'] = [];
  private slow: GroundTruth['slow'];
  /** Occurrences are bounded (a misbehaving live run must not grow memory); extra ones are counted. */
  dropped = 0;
  private static readonly LIMIT = 100_000;

  addSession(session_id: string, user_id: string, agent_id: string): void {
    this.sessions.push({ session_id, user_id, agent_id });
  }

  fault(
    pattern: FaultPattern,
    session_id: string,
    startUs: number,
    endUs: number,
    extra: { group?: string; tool?: string; factor?: number; details?: Record<string, unknown> } = {},
  ): void {
    this.add({
      pattern,
      decoy: false,
      session_id,
      group: extra.group ?? pattern,
      startUs,
      endUs,
      tool: extra.tool,
      factor: extra.factor,
      details: extra.details,
    });
  }

  decoy(
    pattern: DecoyPattern,
    session_id: string,
    startUs: number,
    endUs: number,
    extra: { group?: string; tool?: string; details?: Record<string, unknown> } = {},
  ): void {
    this.add({ pattern, decoy: true, session_id, group: extra.group ?? pattern, startUs, endUs, tool: extra.tool, details: extra.details });
  }

  setSlow(slow: NonNullable<GroundTruth['slow']>): void {
    this.slow ??= slow;
  }

  intervention(session_id: string, atUs: number, message: string): void {
    if (this.interventions.length < 10_000) this.interventions.push({ session_id, at: isoFromEpochMicros(atUs), at_us: atUs, message });
  }

  build(meta: { scenario: string; seed: number; jitter: number; variant: string }): GroundTruth {
    const faults: Fault[] = [];
    const decoys: Decoy[] = [];
    const groups = new Map<string, Occurrence[]>();
    for (const o of this.occurrences) {
      const key = `${o.decoy}|${o.session_id}|${o.pattern}|${o.group}`;
      const list = groups.get(key);
      if (list) list.push(o);
      else groups.set(key, [o]);
    }
    for (const list of groups.values()) {
      const first = list[0]!;
      // One "ok" after a stall is a reply; a run of them is the nudge pattern.
      if (first.pattern === 'nudge_pattern' && list.length < MIN_NUDGES) continue;
      const startUs = Math.min(...list.map((o) => o.startUs));
      const endUs = Math.max(...list.map((o) => o.endUs));
      const interval: LabelledInterval = {
        pattern: first.pattern,
        session_id: first.session_id,
        start: isoFromEpochMicros(startUs),
        end: isoFromEpochMicros(endUs),
        start_us: startUs,
        end_us: endUs,
        count: list.length,
        ...(first.tool !== undefined ? { tool: first.tool } : {}),
        ...(first.factor !== undefined ? { factor: first.factor } : {}),
        ...(first.details !== undefined ? { details: first.details } : {}),
      };
      if (first.decoy) decoys.push(interval as Decoy);
      else faults.push(interval as Fault);
    }
    const byStart = (a: LabelledInterval, b: LabelledInterval) => a.start_us - b.start_us || a.pattern.localeCompare(b.pattern);
    return {
      ...meta,
      sessions: [...this.sessions],
      faults: faults.sort(byStart),
      decoys: decoys.sort(byStart),
      ...(this.slow ? { slow: this.slow } : {}),
      interventions: [...this.interventions],
    };
  }

  private add(o: Occurrence): void {
    if (this.occurrences.length >= TruthRecorder.LIMIT) {
      this.dropped += 1;
      return;
    }
    this.occurrences.push(o);
  }
}
