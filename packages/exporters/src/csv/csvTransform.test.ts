import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEvent } from '@debbie/model';
import { EXPORT_COLUMNS } from '../columns.js';
import { csvField, csvHeader, eventToCsvRow } from './csvTransform.js';
import { CsvDestination } from './CsvDestination.js';

describe('csvField', () => {
  it('quotes fields holding quotes, commas, CR or LF and doubles the quotes (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });

  it('keeps null (empty field) apart from the empty string ("")', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField(12.5)).toBe('12.5');
  });
});

describe('CsvDestination', () => {
  it("writes a header and CRLF records that python's csv module reads back field for field", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debbie-csv-'));
    const path = join(dir, 'out.csv');
    const tricky = createEvent({
      source: 'tool',
      component: 'list_rfcs',
      action: 'tool_execution',
      event_summary: 'He said "hi", then\nleft',
      details: { note: 'a, "b"\r\nc', nested: { n: 1 } },
      tags: ['x', 'y,z'],
      duration_ms: 12.5,
      session_id: 's1',
    });
    const empty = createEvent({ source: 'session', event_summary: '', session_id: 's1' });
    const dest = new CsvDestination({ output: path });
    await dest.write([tricky]);
    await dest.write([empty]);
    const summary = await dest.close();
    expect(summary.written).toBe(2);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith(csvHeader())).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);

    const script = join(dir, 'read.py');
    writeFileSync(script, 'import csv, json, sys\nrows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))\nprint(json.dumps(rows))\n');
    const rows = JSON.parse(execFileSync('/usr/bin/python3', [script, path], { encoding: 'utf8' })) as Record<string, string>[];
    expect(rows).toHaveLength(2);
    expect(Object.keys(rows[0]!)).toEqual([...EXPORT_COLUMNS]);
    expect(rows[0]!.event_summary).toBe(tricky.event_summary);
    expect(JSON.parse(rows[0]!.details!)).toEqual(tricky.details);
    expect(JSON.parse(rows[0]!.tags!)).toEqual(['x', 'y,z']);
    expect(Number(rows[0]!.duration_ms)).toBe(12.5);
    expect(rows[1]!.event_summary).toBe('');
    expect(rows[1]!.duration_ms).toBe('');
  });

  it('writes only the header for an empty export', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'debbie-csv-'));
    const path = join(dir, 'empty.csv');
    const summary = await new CsvDestination({ output: path }).close();
    expect(summary.written).toBe(0);
    expect(readFileSync(path, 'utf8')).toBe(csvHeader());
  });

  it('renders one row per event with every column', () => {
    const row = eventToCsvRow(createEvent({ source: 'agent', event_summary: 'x' }));
    expect(row.endsWith('\r\n')).toBe(true);
  });
});
