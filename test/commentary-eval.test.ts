// The commentary against the AIWhisperer simulator: the labelled-corpus score (held-out seeds),
// the healthy scenario's silence, stall timing in simulated time, and a real intervention.
import { describe, expect, it } from 'vitest';
import { runScenario, SCENARIO_NAMES, VARIANTS, SimClock, type ScenarioRun } from '@debbie/aiwhisperer-sim';
import { CommentaryProcessor, ReplayClock, DEFAULT_THRESHOLDS, type CommentaryConfigInput } from '@debbie/commentary';
import { corpusCases, runCase, scoreRuns, formatScoreTable, falsePositives, TEST_SEEDS, type SimulatorApi } from '@debbie/commentary/eval';
import { epochMicros, levelRank, type DebbieEvent } from '@debbie/model';

const sim: SimulatorApi = { runScenario: runScenario as SimulatorApi['runScenario'], newClock: () => new SimClock() };

async function runWithCommentary(
  name: string,
  config: CommentaryConfigInput = {},
  variant: (typeof VARIANTS)[number] = 'default',
): Promise<{ run: ScenarioRun; comments: DebbieEvent[]; processor: CommentaryProcessor }> {
  const clock = new SimClock();
  let url = '';
  let processor!: CommentaryProcessor;
  const run = await runScenario(name, {
    seed: 7,
    variant,
    clock,
    onServerReady: (ready) => {
      url = ready.url;
    },
    debbie: { commentary: (emit) => (processor = new CommentaryProcessor({ clock, config, onComment: emit, interventionUrl: () => url })) },
  });
  await processor.shutdown();
  return { run, comments: run.events.filter((e) => e.source === 'debbie_comment' || e.source === 'debbie'), processor };
}

describe('commentary on the labelled simulator corpus', () => {
  it('reaches recall ≥ 0.9 and precision ≥ 0.9 for every labelled pattern on the held-out seeds', async () => {
    const cases = corpusCases(SCENARIO_NAMES, VARIANTS, TEST_SEEDS);
    const runs = [];
    for (const c of cases) runs.push(await runCase(sim, c));
    const scores = scoreRuns(runs);
    const table = formatScoreTable(scores);
    const labelled = scores.filter((s) => s.faults > 0);
    expect(labelled.length, table).toBeGreaterThanOrEqual(10);
    for (const s of labelled) {
      expect(s.recall, `${s.pattern}\n${table}`).toBeGreaterThanOrEqual(0.9);
      expect(s.precision, `${s.pattern}\n${table}\n${falsePositives(runs).join('\n')}`).toBeGreaterThanOrEqual(0.9);
    }
    // Patterns the simulator never injects must stay silent too.
    for (const s of scores.filter((x) => x.faults === 0)) expect(s.insights, s.pattern).toBe(0);
  }, 120_000);

  it('says nothing above INFO about healthy sessions, in any variant', async () => {
    for (const variant of VARIANTS) {
      const { comments } = await runWithCommentary('healthy', {}, variant);
      const loud = comments.filter((c) => levelRank(c.level) > levelRank('INFO'));
      // noisy-errors adds scattered unrelated errors: still no burst
      expect(
        loud.map((c) => c.event_summary),
        variant,
      ).toEqual([]);
    }
  });
});

describe('continuation stall in simulated time', () => {
  it("comments within threshold + 1 s of the silence starting, with the seed's explain_stall fields", async () => {
    const { run, comments } = await runWithCommentary('continuation-stall');
    const stall = run.truth.faults.find((f) => f.pattern === 'continuation_stall')!;
    const comment = comments.find((c) => c.action === 'insight' && c.details.pattern === 'continuation_stall')!;
    expect(comment).toBeDefined();
    const delayS = (epochMicros(comment.timestamp) - stall.start_us) / 1e6;
    expect(delayS).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.stall_seconds - 0.001);
    expect(delayS).toBeLessThanOrEqual(DEFAULT_THRESHOLDS.stall_seconds + 1);
    expect(comment.details).toMatchObject({ likely_cause: 'continuation_required', suggested_action: 'inject_continuation_prompt', tool_name: stall.tool });
    expect(comment.session_id).toBe(stall.session_id);
    // The comment is linked to the tool span that preceded the silence.
    const parent = run.events.find((e) => e.span_id === comment.parent_id);
    expect(parent?.source).toBe('tool');
  });

  it('with interventions on, injects a continuation over the real WebSocket, the agent resumes, and the outcome carries time_to_resolve', async () => {
    const { run, comments, processor } = await runWithCommentary('continuation-stall', { interventions: { enabled: true } });
    // The simulator saw the message arrive from a connection that is not the user's.
    expect(run.truth.interventions.length).toBeGreaterThan(0);
    expect(run.truth.interventions[0]!.message).toBe('Please continue with the next step.');
    const injected = comments.filter((c) => c.source === 'debbie' && c.action === 'intervention');
    const outcomes = comments.filter((c) => c.action === 'insight_resolved' && c.details.resolution === 'automatic');
    expect(injected.length).toBe(run.truth.interventions.length);
    expect(outcomes.length).toBe(injected.length);
    for (const o of outcomes) {
      expect(o.event_summary).toMatch(/^Intervention successful! Agent resumed processing\. Response time: /);
      expect(o.details.time_to_resolve).toBeGreaterThan(0);
      expect(o.details.time_to_resolve).toBeLessThan(10);
    }
    // After the injection the agent really worked again: a tool ran after the first injection.
    const first = run.truth.interventions[0]!.at_us;
    expect(run.events.some((e) => e.source === 'tool' && e.kind === 'span' && epochMicros(e.timestamp) > first)).toBe(true);
    expect(processor.stats().interventions).toMatchObject({ failed: 0 });
  });
});

describe('replaying recorded events', () => {
  it("finds the same problems offline, driving a ReplayClock to each event's time, as live on the simulator clock", async () => {
    for (const name of ['continuation-stall', 'tool-loop', 'error-burst', 'websocket-timeout']) {
      const live = await runWithCommentary(name);
      const recorded = live.run.events.filter((e) => e.source !== 'debbie_comment' && e.source !== 'debbie');
      const endOf = (e: DebbieEvent) => epochMicros(e.timestamp) + (e.duration_ms ?? 0) * 1000;
      const clock = new ReplayClock(endOf(recorded[0]!));
      const offline: DebbieEvent[] = [];
      const p = new CommentaryProcessor({ clock, onComment: (c) => offline.push(c) });
      for (const e of recorded) {
        clock.advanceTo(endOf(e)); // events are emitted when they end
        p.write(e);
      }
      clock.advanceTo(endOf(recorded.at(-1)!) + 120e6);
      await p.shutdown();
      const opened = (cs: DebbieEvent[]) => cs.filter((c) => c.action === 'insight').map((c) => `${c.details.pattern}@${c.timestamp.slice(11, 19)}`);
      expect(opened(offline), name).toEqual(opened(live.comments));
    }
  });
});
