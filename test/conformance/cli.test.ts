import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OTLP_EXAMPLES, recorded } from './fixtures.js';
import { readFileSync } from 'node:fs';

// What a user sees of each library's recording with the real binary (build first):
// `debbie ingest` of the OTLP/JSON export, then `debbie sessions`, `debbie analyze`, `debbie events`.

const BIN = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'debbie-conformance-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function debbie(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, DEBBIE_TOKEN: '' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

interface Expected {
  session: string;
  tools: string[];
  models: Record<string, [number, number]>;
  errors: RegExp[];
}
const EXPECTED: Record<string, Expected> = {
  'vercel-ai-5': { session: 'vercel5-chat-1', tools: ['weather'], models: { 'mock-model-v2': [100, 21] }, errors: [/^rate limit \(AI_APICallError\)/] },
  'vercel-ai-7': {
    session: 'vercel7-chat-1',
    tools: ['weather'],
    models: { 'mock-model-v4': [100, 21] },
    errors: [/^rate limit \(HTTP 429, AI_APICallError\)/],
  },
  openai: {
    session: 'openai-session-1',
    tools: [],
    models: { 'gpt-4o-mini': [126, 26] },
    errors: [/^rate limit \(HTTP 429, RateLimitError\)/, /^server error \(HTTP 500, InternalServerError\)/],
  },
  langchain: { session: 'lc-thread-1', tools: ['get_weather'], models: { FakeStreamingChatModel: [0, 0] }, errors: [/^rate limit \(HTTP 429\)/] },
  traceloop: { session: 'traceloop-session-1', tools: ['get_weather'], models: { 'gpt-4o-mini': [52, 17] }, errors: [] },
};

describe('debbie on what the real libraries emitted', () => {
  it.each(Object.keys(EXPECTED))(
    "%s: sessions lists the user's session; analyze shows its tools, models, tokens and error causes; events finds it",
    async (name) => {
      const want = EXPECTED[name]!;
      const fixture = recorded(name);
      const file = join(dir, `${name}.jsonl`);
      writeFileSync(
        file,
        `${[fixture.traces, fixture.logs]
          .filter(Boolean)
          .map((r) => JSON.stringify(r))
          .join('\n')}\n`,
      );
      const store = join(dir, `${name}.duckdb`);
      const ingest = await debbie(['ingest', file, '--store', store, '--no-commentary']);
      expect(ingest.code, ingest.stderr).toBe(0);
      const sessions = await debbie(['sessions', '--store', store, '--format', 'json']);
      expect((JSON.parse(sessions.stdout) as { session_id: string }[]).map((s) => s.session_id)).toEqual([want.session]);
      const analyze = await debbie(['analyze', '--session', want.session, '--store', store, '--format', 'json']);
      expect(analyze.code, analyze.stderr).toBe(0);
      const report = JSON.parse(analyze.stdout) as {
        performance: { tools: { name: string }[]; models: { name: string; input_tokens: number; output_tokens: number }[] };
        errors: { groups: { template: string }[] };
      };
      expect(report.performance.tools.map((t) => t.name).sort()).toEqual(want.tools);
      for (const [model, [input, output]] of Object.entries(want.models)) {
        expect(
          report.performance.models.find((m) => m.name === model),
          model,
        ).toMatchObject({ input_tokens: input, output_tokens: output });
      }
      const templates = report.errors.groups.map((g) => g.template);
      for (const cause of want.errors)
        expect(
          templates.some((t) => cause.test(t)),
          `${cause} in ${templates.join(' | ')}`,
        ).toBe(true);
      // No session given: events searches every session.
      const events = await debbie(['events', '--store', store, '--format', 'json', '--limit', '5']);
      expect((JSON.parse(events.stdout) as { session_id: string }[]).every((e) => e.session_id === want.session)).toBe(true);
    },
  );
});

describe('debbie on the OTLP specification example, which names no session', () => {
  it('lists the trace as its own session, marked inferred', async () => {
    const file = join(dir, 'spec-trace.jsonl');
    writeFileSync(file, `${JSON.stringify(JSON.parse(readFileSync(join(OTLP_EXAMPLES, 'opentelemetry-proto/examples/trace.json'), 'utf8')))}\n`);
    const store = join(dir, 'spec.duckdb');
    expect((await debbie(['ingest', file, '--store', store, '--no-commentary'])).code).toBe(0);
    const sessions = JSON.parse((await debbie(['sessions', '--store', store, '--format', 'json'])).stdout) as {
      session_id: string;
      label: string;
      inferred?: boolean;
    }[];
    expect(sessions).toEqual([expect.objectContaining({ session_id: '5b8efff798038103d269b633813fc60c', inferred: true, label: '(inferred) my.service' })]);
  });
});
