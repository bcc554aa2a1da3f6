import type { DebbieEvent } from '@debbie/model';
import { CommentaryProcessor } from '../CommentaryProcessor.js';
import type { CommentaryConfigInput, CommentaryConfig } from '../config.js';
import { eventMicros } from '../eventTime.js';
import { InsightFolder, type FoldedInsight } from './InsightFolder.js';

export interface SessionReplayOptions {
  /** The `debbie_config.commentary` section the detectors run with (interventions are always off here). */
  config?: CommentaryConfigInput | CommentaryConfig;
  /** Insights kept per replay (default 1,000); more are counted in `dropped`. */
  maxInsights?: number;
  /**
   * How long after the last event the session counts as watched, so a trailing silence can be
   * judged (default 8 × the stall threshold: the stall detector's last re-check).
   */
  trailingMs?: number;
}

/**
 * The one analysis of a recorded session: its events replayed in time order through the
 * commentary's detectors on event time, every insight folded into one finding (opened, updated,
 * resolved). `debbie analyze`, the demo's report, MCP's analyze_session and the timeline all get
 * their Patterns from here, so they agree.
 *
 * @example
 * const replay = new SessionReplay();
 * for await (const page of reader.streamEvents({ sessionId })) for (const e of page) replay.observe(e);
 * const insights = replay.finish();
 */
export class SessionReplay {
  private readonly processor: CommentaryProcessor;
  private readonly folder: InsightFolder;
  private readonly trailingUs: number;
  private lastUs = Number.NEGATIVE_INFINITY;
  private finished: FoldedInsight[] | null = null;

  constructor(options: SessionReplayOptions = {}) {
    this.folder = new InsightFolder(options.maxInsights ?? 1_000);
    const input = (options.config ?? {}) as CommentaryConfigInput;
    this.processor = new CommentaryProcessor({
      time: 'event',
      config: { ...input, interventions: { ...(input.interventions ?? {}), enabled: false } },
      onComment: (c) => this.folder.add(c),
    });
    this.trailingUs = (options.trailingMs ?? 8 * this.processor.thresholds.stall_seconds * 1000) * 1000;
  }

  /** Observes one event (in time order; Debbie's own comments are skipped by the detectors). */
  observe(event: DebbieEvent): void {
    const us = eventMicros(event.timestamp);
    if (!Number.isNaN(us)) {
      const end = us + (event.duration_ms ?? 0) * 1000;
      if (end > this.lastUs) this.lastUs = end;
    }
    this.processor.write(event);
  }

  /** Lets a trailing silence count, stops the detectors and returns one finding per insight. */
  finish(): FoldedInsight[] {
    if (this.finished) return this.finished;
    if (Number.isFinite(this.lastUs)) this.processor.advanceTo(this.lastUs + this.trailingUs);
    this.folder.finalizeOpen(this.processor.openInsights().map((o) => o.insight));
    void this.processor.shutdown();
    this.finished = this.folder.insights();
    return this.finished;
  }

  /** Insights over `maxInsights`, left out. */
  get dropped(): number {
    return this.folder.dropped;
  }

  get config(): CommentaryConfig {
    return this.processor.config;
  }
}

/** Replays a finished list of events (sorted by time first) and returns its insights. */
export function replayInsights(events: readonly DebbieEvent[], options: SessionReplayOptions = {}): FoldedInsight[] {
  const replay = new SessionReplay(options);
  const sorted = [...events].sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  for (const e of sorted) replay.observe(e);
  return replay.finish();
}
