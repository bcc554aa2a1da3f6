import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createEvent, parseDebbieEvent } from '@debbie/model';
import { EXPORT_COLUMNS } from '../columns.js';
import { JsonDestination } from './JsonDestination.js';

const events = [
  createEvent({ source: 'tool', event_summary: 'line\nbreak "quoted"', details: { a: { b: [1, 2] } }, tags: ['t'] }),
  createEvent({ source: 'agent', event_summary: 'second', duration_ms: 3 }),
  createEvent({ source: 'session', event_summary: 'third' }),
];

describe('JsonDestination', () => {
  it('writes JSONL with one event per line in the stable column order, valid for parseDebbieEvent', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'debbie-json-')), 'out.jsonl');
    const dest = new JsonDestination({ output: path, format: 'jsonl' });
    await dest.write(events.slice(0, 2));
    await dest.write(events.slice(2));
    expect((await dest.close()).written).toBe(3);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(Object.keys(parsed[0]!)).toEqual([...EXPORT_COLUMNS]);
    expect(parsed.map((p) => parseDebbieEvent(p))).toEqual(events);
  });

  it('writes one JSON array across batches, and [] when there is nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debbie-json-'));
    const dest = new JsonDestination({ output: join(dir, 'a.json'), format: 'json' });
    await dest.write(events.slice(0, 1));
    await dest.write(events.slice(1));
    await dest.close();
    expect(JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8'))).toEqual(events);
    await new JsonDestination({ output: join(dir, 'b.json'), format: 'json' }).close();
    expect(JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'))).toEqual([]);
  });

  it('writes to a stream it does not own without closing it', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c: Buffer) => {
      text += c.toString();
    });
    const dest = new JsonDestination({ output: { stream, name: 'stdout' }, format: 'jsonl' });
    await dest.write(events);
    const summary = await dest.close();
    expect(summary.target).toBe('stdout');
    expect(stream.writableEnded).toBe(false);
    expect(text.trimEnd().split('\n')).toHaveLength(3);
  });

  it('reports a file it cannot create as a DebbieError naming the path', async () => {
    const dest = new JsonDestination({ output: '/nonexistent-dir/x/out.jsonl' });
    await expect(dest.write(events)).rejects.toThrow(/nonexistent-dir/);
  });
});
