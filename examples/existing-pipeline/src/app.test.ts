import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDebbieEvent } from '@debbie/model';

const app = fileURLToPath(new URL('../dist/app.js', import.meta.url));

describe('examples/existing-pipeline', () => {
  it('adds Debbie to an app with its own NodeSDK without taking anything from the app', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'debbie-existing-')), 'events.jsonl');
    const printed = JSON.parse(execFileSync(process.execPath, [app, out], { encoding: 'utf8' }).trim().split('\n').pop()!);
    expect(printed).toMatchObject({ app_spans: 9, app_logs: 3 });
    const events = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l, i) => parseDebbieEvent(JSON.parse(l), `line ${i + 1}`));
    expect(events).toHaveLength(12);
    const bySource = (s: string) => events.filter((e) => e.source === s);
    expect(bySource('agent')).toHaveLength(3);
    expect(bySource('ai_service').map((e) => e.performance_metrics?.input_tokens)).toEqual([121, 122, 123]);
    expect(bySource('tool').map((e) => e.details.tool_name)).toEqual(['list_rfcs', 'list_rfcs', 'list_rfcs']);
    const failed = bySource('tool').find((e) => e.level === 'ERROR');
    expect(failed?.stack_trace).toContain('RFC directory not found');
    for (const e of events) expect(e).toMatchObject({ session_id: 'existing-session-1', service_name: 'existing-app' });
    const logsInTurns = events.filter((e) => e.kind === 'log');
    expect(logsInTurns).toHaveLength(3);
    for (const log of logsInTurns) expect(bySource('agent').map((a) => a.span_id)).toContain(log.parent_id);
  });
});
