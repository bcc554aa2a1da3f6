import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../packages/cli/src/main.js';
import { COMMANDS } from '../packages/cli/src/commands/index.js';

// The CLI as a user meets it, on the store `debbie demo` writes: every example in every --help and
// in the README runs and prints something; every command answers a missing session, a missing
// output folder and a mistyped flag the way docs/cli.md says; the installed `debbie` works anywhere.
const repo = fileURLToPath(new URL('..', import.meta.url));

async function debbie(args: string[], cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(args, { stdout, stderr, env: { NO_COLOR: '1', PATH: process.env.PATH }, cwd });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** Splits an example line as a shell would (quotes, no expansion); drops a trailing # comment. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(#.*$)|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    if (m[3] !== undefined) break;
    out.push(m[1] ?? m[2] ?? m[4]!);
  }
  return out;
}

/** Examples that need something this test does not run, and why. Everything else must run. */
const NEEDS: [RegExp, string][] = [
  [/^debbie (collect|tail|mcp|ui)\b/, 'a long-running server or a live collector (test/collector-e2e, stream-tail, mcp tests)'],
  [/--follow|--url http|--to https?:/, 'a running collector, Elasticsearch or Splunk (test/exporters-cli, collector-ingest)'],
  [/^source </, 'a shell (the completion script is checked with bash -n below)'],
  [/^debbie ingest output\.jsonl run\.traj/, 'OpenHands and SWE-agent runs (test/ingest-agent-runs)'],
  [/^debbie demo$/, 'is run once before all the others'],
];

function helpExamples(text: string): string[] {
  return text
    .split('\n')
    .map((l) => /^\s*(?:Example[^:]*:\s*)?((?:debbie|source) .*)$/.exec(l)?.[1]?.trim())
    .filter((l): l is string => !!l);
}

function readmeExamples(): string[] {
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Commands'), readme.indexOf('\n## ', readme.indexOf('## Commands') + 5));
  return section
    .split('\n')
    .filter((l) => l.startsWith('debbie '))
    .map((l) => l.trim());
}

describe('debbie, as a user meets it', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'debbie-usage-'));
    const demo = await debbie(['demo'], dir);
    expect(demo.code, demo.stderr).toBe(0);
    // Files the examples name as the user's own.
    writeFileSync(join(dir, 'my_analysis.py'), 'print(f"{len(logs)} events in {session.session_id}")\n');
    mkdirSync(join(dir, 'logs'));
    const line = (ts: string, level: string, name: string, msg: string) => `${ts},123 ${level} ${name}: ${msg}\n`;
    writeFileSync(
      join(dir, 'app.log'),
      line('2025-06-10 10:00:00', 'INFO', 'myapp.tools.read', 'read a file') + line('2025-06-10 10:00:02', 'ERROR', 'myapp.server', 'it broke'),
    );
    for (const f of ['logs/server.log', 'logs/agent_p.log']) {
      writeFileSync(
        join(dir, f),
        '2025-06-10 10:00:00,123 - aiwhisperer.server - INFO - Server started\n2025-06-10 10:00:01,500 - aiwhisperer.server - WARNING - slow\n',
      );
    }
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every example of every --help and of the README, and each prints something', async () => {
    const examples = new Set<string>();
    for (const entry of COMMANDS) {
      const help = await debbie(['help', entry.name], dir);
      expect(help.code).toBe(0);
      for (const e of helpExamples(help.stdout)) examples.add(e);
    }
    for (const e of readmeExamples()) examples.add(e);
    expect(examples.size).toBeGreaterThan(30);
    // EVENT_ID in an example stands for an id the user copies from `debbie events` (ids differ per run).
    const eventId = async () =>
      JSON.parse((await debbie(['events', '--session', 'b7d9a88c', '--format', 'json', '--limit', '1'], dir)).stdout)[0].event_id as string;
    let ran = 0;
    for (const example of examples) {
      if (NEEDS.some(([re]) => re.test(example))) continue;
      const args = await Promise.all(
        words(example)
          .slice(1)
          .map(async (w) => (w === 'EVENT_ID' ? eventId() : w)),
      );
      const r = await debbie(args, dir);
      expect(r.code, `${example}\n${r.stderr}`).toBe(0);
      const out = args.includes('--out') ? args[args.indexOf('--out') + 1]! : undefined;
      if (out) expect(statSync(join(dir, out)).size, example).toBeGreaterThan(0);
      else expect(r.stdout.trim(), `${example} printed nothing`).not.toBe('');
      ran += 1;
    }
    expect(ran).toBeGreaterThan(25);
    const completion = execFileSync('bash', ['-n'], { input: (await debbie(['completion', 'bash'], dir)).stdout });
    expect(completion.toString()).toBe('');
  }, 600_000);

  it('fails every command on a session that is not there (exit 1, one line naming it)', async () => {
    const cases = [
      ['events', '--session', 'nope-nope'],
      ['analyze', '--session', 'nope-nope'],
      ['timeline', '--session', 'nope-nope'],
      ['export', '--session', 'nope-nope', '--format', 'csv'],
      ['run-script', '--library', 'find_errors', '--session', 'nope-nope'],
      ['events', '--correlation', 'nope-nope'],
      ['show', 'nope-nope'],
      ['events', '--id', 'nope-nope'],
    ];
    for (const args of cases) {
      const r = await debbie(args, dir);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(/^debbie [\w-]+: .*"nope-nope"/);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    // A prefix too short to take is named as such (ambiguous prefixes: resolveSession.test.ts).
    expect((await debbie(['events', '--session', 'b7d9a'], dir)).stderr).toMatch(/at least 6 characters/);
  });

  it('creates a missing output folder for every command and format that writes a file', async () => {
    const cases: string[][] = [
      ['analyze', '--session', 'b7d9a88c', '--out', 'new1/a/r.md'],
      ['timeline', '--session', 'b7d9a88c', '--out', 'new2/a/t.html'],
      ...['json', 'jsonl', 'csv', 'parquet'].map((f) => ['export', '--session', 'b7d9a88c', '--format', f, '--out', `new-${f}/a/x.${f}`]),
    ];
    for (const args of cases) {
      const r = await debbie(args, dir);
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      expect(statSync(join(dir, args.at(-1)!)).size).toBeGreaterThan(0);
    }
    // A file where the folder should be: a failure naming the path, no stack trace.
    writeFileSync(join(dir, 'blocker'), 'x');
    for (const args of [
      ['analyze', '--session', 'b7d9a88c', '--out', 'blocker/r.md'],
      ['export', '--session', 'b7d9a88c', '--format', 'csv', '--out', 'blocker/x.csv'],
      ['timeline', '--session', 'b7d9a88c', '--out', 'blocker/t.html'],
    ]) {
      const r = await debbie(args, dir);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/blocker/);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
  });

  it('answers a mistyped command or flag with exit 2 and the nearest match, for every command', async () => {
    for (const entry of COMMANDS) {
      const cmd = await entry.load();
      const flag = Object.keys(cmd.options).find((f) => f.length >= 5) ?? 'help';
      const typo = `${flag[0]}${flag.slice(2)}`; // its second letter left out
      const r = await debbie([cmd.name, `--${typo}`], dir);
      expect(r.code, `${cmd.name} --${typo}`).toBe(2);
      expect(r.stderr, `${cmd.name} --${typo}`).toMatch(new RegExp(`unknown option --${typo}\\. Did you mean (--[\\w-]+ or )*--${flag}\\b`));
      expect(r.stderr).not.toMatch(/positional argument/);
    }
    const r = await debbie(['sesions'], dir);
    expect(r).toMatchObject({ code: 2, stderr: expect.stringContaining('Did you mean `debbie sessions`?') });
    expect((await debbie(['help', 'events'], dir)).stdout).toMatch(/^Usage: debbie events/);
  });

  it('keeps renamed flags working, with a note on stderr', async () => {
    const old = await debbie(['ingest', 'app.log', '--format', 'python-log', '--output-format', 'json', '--store', 'renamed.duckdb', '--no-commentary'], dir);
    expect(old.code, old.stderr).toBe(0);
    expect(old.stderr).toContain('--format python-log names the input format: use --input-format python-log');
    expect(old.stderr).toContain('--output-format is deprecated: use --format json');
    expect(JSON.parse(old.stdout)[0]).toMatchObject({ format: 'python-log', events: 2 });
    const now = await debbie(['ingest', 'app.log', '--input-format', 'python-log', '--format', 'json', '--store', 'renamed2.duckdb', '--no-commentary'], dir);
    expect(now).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(now.stdout)[0]).toMatchObject({ format: 'python-log', events: 2 });
  });

  it('works as `debbie` on PATH from any directory after scripts/install-bin.sh, paths resolved there', () => {
    const bin = join(dir, 'bin');
    execFileSync('bash', [join(repo, 'scripts/install-bin.sh')], { env: { ...process.env, DEBBIE_BIN_DIR: bin } });
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' };
    const run = spawnSync('debbie', ['sessions', '--store', '../.debbie/debbie.duckdb', '--format', 'json'], { cwd: elsewhere, env, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).length).toBeGreaterThan(5);
    const out = spawnSync('debbie', ['export', '--session', 'b7d9a88c', '--store', '../.debbie/debbie.duckdb', '--format', 'csv', '--out', 'here/x.csv'], {
      cwd: elsewhere,
      env,
      encoding: 'utf8',
    });
    expect(out.status, out.stderr).toBe(0);
    expect(existsSync(join(elsewhere, 'here', 'x.csv'))).toBe(true);
    // `pnpm debbie` inside the repository resolves paths where it was typed too (pnpm's INIT_CWD).
    const viaPnpm = spawnSync('pnpm', ['--silent', 'debbie', 'sessions', '--store', 'nope.duckdb'], { cwd: join(repo, 'docs'), env, encoding: 'utf8' });
    expect(viaPnpm.status).toBe(1);
    expect(viaPnpm.stderr).toContain(`no store at ${join(repo, 'docs', 'nope.duckdb')}`);
  });
});
