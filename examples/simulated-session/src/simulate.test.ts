import { describe, expect, it } from 'vitest';
import { simulate } from './simulate.js';

describe('examples/simulated-session', () => {
  it('runs the continuation-stall scenario from the simulator package and reports its injected fault', async () => {
    const session = await simulate('continuation-stall', 'INFO');
    expect(session.events).toBeGreaterThan(20);
    expect(session.faults).toContain('continuation_stall');
    expect(session.lines.some((l) => l.includes('[tool]'))).toBe(true);
  });

  it('names the scenarios when given an unknown one', async () => {
    await expect(simulate('nope')).rejects.toThrow(/unknown scenario "nope"; one of .*continuation-stall/);
  });
});
