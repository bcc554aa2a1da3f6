import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEvent } from '@debbie/model';
import { openStore } from '@debbie/store';

// A query command starts in a fraction of a second only if it loads no more than it needs: each
// command imports its dependencies when it runs, and the store path of `sessions`, `events` and
// `export --format parquet` never touches the collector (gRPC, protobuf), the exporters, the
// stream server (ws), commentary or OpenTelemetry. This test records every module the built CLI
// loads (build first) and names what should not be there.

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const PACK = fileURLToPath(new URL('../packages/store/dist/duckdb-node-api.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'debbie-startup-'));
const store = join(dir, 'store.duckdb');
const loadedFile = join(dir, 'loaded.txt');
const hook = join(dir, 'hook.mjs');

/** Packages a store query must not load: [what, a pattern of its path]. */
const NOT_NEEDED: [string, RegExp][] = [
  ['@debbie/collector', /packages\/collector\//],
  ['@debbie/commentary', /packages\/commentary\//],
  ['@debbie/exporters (beyond its format names)', /packages\/exporters\/dist\/(?!formats\.js)/],
  ['@debbie/pipeline', /packages\/pipeline\//],
  ['@debbie/sdk', /packages\/sdk\//],
  ['the stream server', /packages\/stream\/dist\/(?!colorLine)/],
  ['OpenTelemetry', /@opentelemetry/],
  ['gRPC', /@grpc/],
  ['protobufjs', /protobufjs/],
  ['ws', /node_modules\/\.pnpm\/ws@/],
  ['hyparquet', /hyparquet/],
];

beforeAll(async () => {
  const s = await openStore(store);
  await s.append(
    Array.from({ length: 20 }, (_, i) =>
      createEvent({ timestamp: `2025-06-02T21:05:${String(i).padStart(2, '0')}.000000Z`, source: 'tool', event_summary: `e${i}`, session_id: `s-${i % 2}` }),
    ),
  );
  await s.close();
  // Every module loaded: ESM through a resolve hook (its own thread), CommonJS through Module._load.
  writeFileSync(
    join(dir, 'record.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(loadedFile)}, resolved.url + '\\n');
  return resolved;
}`,
  );
  writeFileSync(
    hook,
    `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(pathToFileURL(join(dir, 'record.mjs')).href)});
const Module = createRequire(import.meta.url)('node:module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  appendFileSync(${JSON.stringify(loadedFile)}, (parent?.filename ?? '') + ' -> ' + request + '\\n');
  return load.call(this, request, parent, isMain);
};`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadedBy(args: string[]): Promise<{ code: number; loaded: string; stderr: string }> {
  writeFileSync(loadedFile, '');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', pathToFileURL(hook).href, BIN, ...args],
      { cwd: dir, env: { ...process.env, DEBBIE_STORE: '' } },
      (error, _stdout, stderr) => {
        resolve({ code: error ? 1 : 0, loaded: readFileSync(loadedFile, 'utf8'), stderr });
      },
    );
  });
}

describe('what a store query loads', () => {
  const commands: [string, string[]][] = [
    ['sessions', ['sessions', '--store', store]],
    ['events --session', ['events', '--store', store, '--session', 's-1']],
    ['export --format parquet', ['export', '--store', store, '--all', '--format', 'parquet', '--out', join(dir, 'all.parquet')]],
  ];
  for (const [name, args] of commands) {
    it(`debbie ${name} loads the store and DuckDB, and none of the collector, exporters, stream server, commentary or OpenTelemetry`, async () => {
      const run = await loadedBy(args);
      expect(run.stderr).not.toMatch(/error/i);
      expect(run.code).toBe(0);
      expect(run.loaded).toMatch(/packages\/store\/dist\/index\.js/);
      // DuckDB's API from the build's one-file pack, not the package's 180 files.
      expect(existsSync(PACK), `${PACK} is missing: build with \`pnpm run build\` (tsc, then the pack)`).toBe(true);
      expect(run.loaded).toMatch(/-> \.\/duckdb-node-api\.cjs$/m);
      expect(run.loaded).not.toMatch(/-> @duckdb\/node-api$/m);
      expect(run.loaded).toMatch(/-> @duckdb\/node-bindings$/m);
      const found = NOT_NEEDED.filter(([, pattern]) => pattern.test(run.loaded)).map(([what]) => what);
      expect(found).toEqual([]);
    });
  }

  it('@debbie/store loads DuckDB only when a DuckDB store is opened (a ClickHouse store never needs it)', async () => {
    const storeIndex = pathToFileURL(fileURLToPath(new URL('../packages/store/dist/index.js', import.meta.url))).href;
    const code = `import { createRequire } from 'node:module';
const { openStore } = await import(${JSON.stringify(storeIndex)});
const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('@duckdb'));
const before = loaded();
const s = await openStore(':memory:');
await s.close();
console.log(JSON.stringify({ before, after: loaded() }));`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', code], { cwd: dir }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    expect(JSON.parse(out)).toEqual({ before: false, after: true });
  });

  it('the recorder sees those packages when a command does load them (debbie export --format jsonl)', async () => {
    const run = await loadedBy(['export', '--store', store, '--all', '--format', 'jsonl', '--out', join(dir, 'all.jsonl')]);
    expect(run.code).toBe(0);
    expect(NOT_NEEDED.filter(([, pattern]) => pattern.test(run.loaded)).map(([what]) => what)).toContain('@debbie/exporters (beyond its format names)');
  });
});
