import { isOpenHandsRun, openHandsRunEvents } from './openHands.js';
import { isSweAgentTrajectory, sweAgentEvents } from './sweAgent.js';
import type { TrajectoryOptions, TrajectoryResult } from './TrajectoryEvents.js';

/** The agent frameworks whose run records `debbie ingest` reads. */
export type TrajectoryFormat = 'openhands' | 'swe-agent';

/** Which agent framework wrote this JSON value, if any (cheap: looks at the shape of the first items). */
export function detectTrajectory(value: unknown): TrajectoryFormat | undefined {
  if (isSweAgentTrajectory(value)) return 'swe-agent';
  if (isOpenHandsRun(value)) return 'openhands';
  return undefined;
}

/** Converts an agent run (OpenHands output record or event list, SWE-agent .traj) into events; undefined when it is none. */
export function trajectoryEvents(value: unknown, opts: TrajectoryOptions): (TrajectoryResult & { format: TrajectoryFormat }) | undefined {
  const format = detectTrajectory(value);
  if (format === 'swe-agent') return { format, ...sweAgentEvents(value, opts) };
  if (format === 'openhands') return { format, ...openHandsRunEvents(value, opts) };
  return undefined;
}
