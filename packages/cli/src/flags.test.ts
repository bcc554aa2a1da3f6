import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '@debbie/store';
import { QueryClient } from '@debbie/collector';
import { filterFromValues, outputFormat, storeLocation } from './flags.js';
import { openReader } from './readerOptions.js';
import type { CommandIO } from './Command.js';

describe('filterFromValues', () => {
  it('maps every filter flag onto the EventFilter', () => {
    expect(
      filterFromValues({
        source: ['tool,session', 'agent'],
        level: ['debug', 'ERROR'],
        'min-level': 'warn',
        session: 's1',
        agent: 'p',
        correlation: 'turn-1',
        since: '2025-05-29T10:15:00Z',
        until: '2025-05-29 10:16:00.5',
        grep: 'Continuation',
        tag: ['a', 'b,c'],
      }),
    ).toEqual({
      sources: ['tool', 'session', 'agent'],
      levels: ['DEBUG', 'ERROR'],
      minLevel: 'WARNING',
      sessionId: 's1',
      agentId: 'p',
      correlationId: 'turn-1',
      since: '2025-05-29T10:15:00.000000Z',
      until: '2025-05-29T10:16:00.500000Z',
      text: 'Continuation',
      tags: ['a', 'b', 'c'],
    });
    expect(filterFromValues({})).toEqual({});
  });

  it('names the flag and the bad value', () => {
    expect(() => filterFromValues({ source: ['toolz'] })).toThrow('--source: unknown source "toolz"');
    expect(() => filterFromValues({ 'min-level': 'loud' })).toThrow('--min-level: unknown level "loud"');
    expect(() => filterFromValues({ until: 'soon' })).toThrow('--until: "soon" is not an ISO-8601 timestamp');
  });
});

describe('outputFormat', () => {
  it("accepts the command's choices only", () => {
    expect(outputFormat({}, ['text', 'json'], 'text')).toBe('text');
    expect(outputFormat({ format: 'json' }, ['text', 'json'], 'text')).toBe('json');
    expect(() => outputFormat({ format: 'csv' }, ['text', 'json'], 'text')).toThrow('--format: unknown format "csv"; expected text, json');
  });
});

describe('storeLocation', () => {
  const io = { stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd: '/home/me/work' };
  it('resolves a path against the working directory and keeps a store URL as given', () => {
    expect(storeLocation({ store: 'runs/a.duckdb' }, io)).toBe('/home/me/work/runs/a.duckdb');
    expect(storeLocation({}, io)).toBe('/home/me/work/.debbie/debbie.duckdb');
    expect(storeLocation({ store: '/abs/b.duckdb' }, io)).toBe('/abs/b.duckdb');
    expect(storeLocation({ store: 'clickhouse://127.0.0.1:8123/debbie' }, io)).toBe('clickhouse://127.0.0.1:8123/debbie');
  });
});

describe('openReader', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'debbie-reader-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const io = (cwd: string): CommandIO => ({ stdout: new PassThrough(), stderr: new PassThrough(), env: {}, cwd });

  it('opens --store read-only, relative to the working directory', async () => {
    await (await openStore(join(dir, 'my.duckdb'))).close();
    const reader = await openReader({ store: 'my.duckdb' }, io(dir));
    try {
      expect(await reader.listSessions()).toEqual([]);
      expect((reader as unknown as { readOnly: boolean }).readOnly).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('names a missing store and suggests debbie demo', async () => {
    await expect(openReader({ store: 'nope.duckdb' }, io(dir))).rejects.toThrow(`no store at ${join(dir, 'nope.duckdb')}; run \`debbie demo\``);
  });

  it('reads a running collector for --url', async () => {
    const reader = await openReader({ url: 'http://127.0.0.1:4318', store: 'ignored.duckdb' }, io(dir));
    expect(reader).toBeInstanceOf(QueryClient);
  });
});
