// The evaluation's MAST converter (packages/commentary/eval/publicData.mjs) on the real traces in
// shared/data/public/mast_mad: a wrong split makes fake repeats, so check turns, speakers and bodies.
import { describe, expect, it } from 'vitest';
import { PUBLIC_DATA } from './sharedData.js';

// the converters find the data themselves; point them at the same folder the other tests use
process.env.DEBBIE_PUBLIC_DATA ??= PUBLIC_DATA;
// @ts-expect-error: the evaluation's converters are plain ESM without types
const { mastRuns, mastTurns } = await import('../packages/commentary/eval/publicData.mjs');

type Turn = { speaker: string | null; text: string };
type Run = { index: number; textKey: string; repetition: boolean; events: { details: Record<string, unknown> }[] };

describe('MAST converter', () => {
  const runs = mastRuns() as Run[];

  it('keeps a MetaGPT header out of the message: "to do SimpleWriteReview" with nothing after it is an empty turn (record 4)', () => {
    const charlie = runs[4]!.events.filter((e) => e.details.agent_name === 'Charlie(SimpleReviewer)');
    expect(charlie).toHaveLength(2);
    for (const e of charlie) expect(e.details.message).toBe('');
    const bob = runs[4]!.events.filter((e) => e.details.agent_name === 'Bob(SimpleTester)');
    expect(String(bob[1]!.details.message)).toMatch(/^```python\nimport pytest/);
  });

  it('names the ChatDev speaker before the colon and moves the role prompt out of the reply (record 3)', () => {
    const speakers = new Set(runs[3]!.events.map((e) => e.details.agent_name).filter(Boolean));
    expect(speakers).toContain('Chief Executive Officer');
    const review = runs[3]!.events.find((e) => e.details.agent_name === 'Code Reviewer')!;
    expect(String(review.details.message)).toMatch(/^The code is mostly well-structured/);
    expect(String(review.details.prompt)).toMatch(/^ChatDev is a software company/);
  });

  it('splits HyperAgent logs (one line per trajectory item) into turns at their headers, not per line (record 1)', () => {
    const planner = runs[1]!.events.filter((e) => e.details.agent_name === 'Planner');
    expect(planner.length).toBeGreaterThan(3);
    expect(String(planner[0]!.details.message)).toMatch(/^Thought: [\s\S]*Intern Name: Codebase Navigator/);
  });

  it('reads the speaker of MetaGPT\'s communication log from the line after "NEW MESSAGES:" (record 16)', () => {
    const speakers = runs[16]!.events.map((e) => e.details.agent_name).filter(Boolean);
    expect(speakers).toEqual(['Human', 'SimpleCoder', 'SimpleTester', 'SimpleReviewer', 'SimpleTester', 'SimpleReviewer']);
    const review = runs[16]!.events.find((e) => e.details.agent_name === 'SimpleReviewer')!;
    expect(String(review.details.message)).toMatch(/^One critical comment on the test cases/);
  });

  it('does not read a bare rule of dashes, or a line of code naming a class, as a speaker', () => {
    const turns = mastTurns(
      '---------- WebSurfer ----------\nI clicked it.\n--------------------------------------------------------------------------------\nclass QDPReader(BaseReader):\n    pass',
    ) as Turn[];
    expect(turns.map((t) => t.speaker)).toEqual(['WebSurfer']);
  });

  it('gives identical traces the same key (md5): records 3 and 8 are one text with opposite labels', () => {
    expect(runs[3]!.textKey).toBe(runs[8]!.textKey);
    expect(runs[3]!.textKey).toMatch(/^084ff342/);
    expect(runs[3]!.repetition).not.toBe(runs[8]!.repetition);
  });
});
