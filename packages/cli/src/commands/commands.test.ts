import { describe, expect, it } from 'vitest';
import { COMMANDS } from './index.js';

describe('the command list', () => {
  it('names each command as its module does, and lists its own summary', async () => {
    for (const entry of COMMANDS) {
      const cmd = await entry.load();
      expect(cmd.name).toBe(entry.name);
      expect(entry.summary).toBe(cmd.summary);
    }
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });
});
