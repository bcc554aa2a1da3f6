import { describe, expect, it } from 'vitest';
import { createEvent, type Clock, type DebbieEvent } from '@debbie/model';
import { LogStreamer } from '../LogStreamer.js';
import { ALERT_TAG } from './Alert.js';
import { logEventAction } from './logEventAction.js';

/** A clock the test moves by hand, so cooldowns are deterministic. */
function manualClock(): Clock & { advance(ms: number): void } {
  let nowUs = 1_000_000_000;
  return {
    now: () => nowUs,
    setTimer: () => () => undefined,
    advance(ms) {
      nowUs += ms * 1000;
    },
  };
}

const error = (summary = 'boom') => createEvent({ source: 'tool', level: 'ERROR', event_summary: summary, session_id: 's1' });
const info = () => createEvent({ source: 'tool', level: 'INFO', event_summary: 'fine' });

describe('alerts on LogStreamer', () => {
  it('fires an action for events meeting a filter condition, after write has returned', async () => {
    const streamer = new LogStreamer();
    const seen: string[] = [];
    streamer.addAlert({
      name: 'errors',
      condition: { minLevel: 'ERROR' },
      action: (e) => {
        seen.push(e.event_summary);
      },
      cooldownMs: 0,
    });
    streamer.write(info());
    streamer.write(error('first'));
    expect(seen).toEqual([]); // not on the producer's stack
    await streamer.forceFlush();
    expect(seen).toEqual(['first']);
    expect(streamer.stats().alerts[0]).toMatchObject({ name: 'errors', matched: 1, fired: 1, suppressed: 0, failed: 0 });
  });

  it('suppresses matches inside the cooldown, counts them and tells the next firing', async () => {
    const clock = manualClock();
    const streamer = new LogStreamer({ clock });
    const firings: number[] = [];
    streamer.addAlert({
      name: 'flood',
      condition: (e) => e.level === 'ERROR',
      action: (_e, ctx) => {
        firings.push(ctx.suppressed);
      },
      cooldownMs: 1000,
    });
    for (let i = 0; i < 500; i += 1) streamer.write(error());
    clock.advance(999);
    streamer.write(error());
    clock.advance(1);
    streamer.write(error());
    await streamer.forceFlush();
    expect(firings).toEqual([0, 500]);
    expect(streamer.stats().alerts[0]).toMatchObject({ matched: 502, fired: 2, suppressed: 500 });
  });

  it('bounds the actions in flight per alert even without a cooldown', async () => {
    const streamer = new LogStreamer();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started = 0;
    streamer.addAlert({
      name: 'slow',
      condition: {},
      cooldownMs: 0,
      maxInFlight: 2,
      action: async () => {
        started += 1;
        await gate;
      },
    });
    for (let i = 0; i < 100; i += 1) streamer.write(info());
    await Promise.resolve();
    expect(streamer.stats().alerts[0]).toMatchObject({ fired: 2, suppressed: 98, inFlight: 2 });
    release();
    await streamer.forceFlush();
    expect(started).toBe(2);
    expect(streamer.stats().alerts[0]?.inFlight).toBe(0);
  });

  it('counts a throwing action and a throwing condition without disturbing the producer', async () => {
    const streamer = new LogStreamer();
    streamer.addAlert({
      name: 'bad-action',
      condition: {},
      cooldownMs: 0,
      action: () => {
        throw new Error('action broke');
      },
    });
    streamer.addAlert({
      name: 'bad-condition',
      condition: () => {
        throw new Error('condition broke');
      },
      action: () => undefined,
    });
    const sub = streamer.subscribe({}, { replay: false });
    expect(() => streamer.write(info())).not.toThrow();
    await streamer.forceFlush();
    const [action, condition] = streamer.stats().alerts;
    expect(action).toMatchObject({ failed: 1, lastError: 'action broke' });
    expect(condition).toMatchObject({ conditionErrors: 1, lastError: 'condition threw: condition broke', fired: 0 });
    expect(sub.queued).toBe(1);
  });

  it('emits a linked debbie event through logEventAction without re-triggering itself', async () => {
    const streamer = new LogStreamer();
    const emitted: DebbieEvent[] = [];
    streamer.addAlert({
      name: 'any-error',
      condition: { minLevel: 'WARNING' },
      cooldownMs: 0,
      action: logEventAction({
        emit: (e) => {
          emitted.push(e);
          streamer.write(e);
        },
      }),
    });
    const trigger = error('tool crashed');
    streamer.write(trigger);
    await streamer.forceFlush();
    expect(emitted).toHaveLength(1);
    expect(emitted[0]).toMatchObject({
      source: 'debbie',
      level: 'WARNING',
      action: 'alert_fired',
      event_summary: 'Alert "any-error": tool crashed',
      session_id: 's1',
      parent_id: trigger.event_id,
      tags: [ALERT_TAG],
    });
    expect(streamer.snapshot().map((e) => e.source)).toEqual(['tool', 'debbie']);
    expect(streamer.stats().alerts[0]?.matched).toBe(1);
  });

  it('rejects a duplicate name and bad limits, and removes an alert', () => {
    const streamer = new LogStreamer();
    const remove = streamer.addAlert({ name: 'a', condition: {}, action: () => undefined });
    expect(() => streamer.addAlert({ name: 'a', condition: {}, action: () => undefined })).toThrow(/already exists/);
    expect(() => streamer.addAlert({ name: 'b', condition: {}, action: () => undefined, maxInFlight: 0 })).toThrow(/maxInFlight must be a positive integer/);
    expect(() => streamer.addAlert({ name: 'c', condition: {}, action: () => undefined, cooldownMs: -1 })).toThrow(/cooldownMs must be >= 0/);
    remove();
    expect(streamer.stats().alerts).toEqual([]);
  });
});
