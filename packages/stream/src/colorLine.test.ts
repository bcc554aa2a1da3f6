import { describe, expect, it } from 'vitest';
import { createEvent, formatDebbieLine } from '@debbie/model';
import { formatColoredLine, shouldUseColor } from './colorLine.js';

const event = createEvent({ source: 'tool', level: 'ERROR', component: 'list_rfcs', event_summary: 'tool failed', timestamp: '2025-05-29T10:15:32.123456Z' });

describe('formatColoredLine', () => {
  it('is exactly the seed line without color', () => {
    expect(formatColoredLine(event, false)).toBe(formatDebbieLine(event));
  });

  it('colors the source and level tags and keeps the text identical once codes are stripped', () => {
    const colored = formatColoredLine(event, true);
    expect(colored).toContain('\x1b[96m[tool]\x1b[0m');
    expect(colored).toContain('\x1b[31m[ERROR]\x1b[0m');
    expect(colored.replace(/\x1b\[[\d;]*m/g, '')).toBe(formatDebbieLine(event));
  });
});

describe('shouldUseColor', () => {
  it('honors NO_COLOR over everything, then FORCE_COLOR, then the TTY', () => {
    expect(shouldUseColor({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(shouldUseColor({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(shouldUseColor({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(shouldUseColor({}, true)).toBe(true);
    expect(shouldUseColor({}, false)).toBe(false);
    expect(shouldUseColor({ NO_COLOR: '' }, true)).toBe(true);
  });
});
