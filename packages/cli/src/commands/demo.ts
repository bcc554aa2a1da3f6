import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runScenario, SCENARIO_NAMES, SCENARIOS, SimClock } from '@debbie/aiwhisperer-sim';
import { CommentaryProcessor, formatCommentary, type CommentaryConfig } from '@debbie/commentary';
import { DebbieError, LOG_SOURCES, type DebbieEvent, type EventReader, type LogSource } from '@debbie/model';
import { LogAnalyzer, renderReportMarkdown, TimelineVisualizer } from '@debbie/report';
import { QueryClient, RemoteEventSink } from '@debbie/collector';
import { openStore, type Store } from '@debbie/store';
import type { Command, CommandIO } from '../Command.js';
import { loadCliConfig } from '../configOptions.js';
import {
  collectorToken,
  collectorUrl,
  CONFIG_FLAG,
  formatFlag,
  outputFormat,
  resolvePath,
  STORE_FLAG,
  storeLocation,
  str,
  TOKEN_FLAG,
  URL_FLAG,
} from '../flags.js';
import { startConfiguredLogging, type ConfiguredLogging } from '../configuredLogging.js';

interface ScenarioSummary {
  scenario: string;
  description: string;
  session_ids: string[];
  events: number;
  /** Events over debbie_config.aggregation.buffer_size, not stored. */
  dropped_events: number;
  events_per_source: Partial<Record<LogSource, number>>;
  simulated_ms: number;
  wall_ms: number;
  commentary: string[];
  interventions: { attempted: number; succeeded: number };
  /** The commentary's counters (sessions tracked and evicted, comments, insights…), when it ran. */
  commentary_stats: ReturnType<CommentaryProcessor['stats']> | null;
  timelines: string[];
  reports: string[];
}

const FORMATS = ['text', 'json'] as const;

/** `debbie demo`: Debbie's main job on the embedded default. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Simulate AIWhisperer sessions (healthy and failing) into the store, with commentary, timelines and reports.',
  usage:
    '[--scenario NAME|all] [--store PATH | --url URL] [--seed N] [--speed N] [--interventions on|dry-run|off] [--config PATH] [--out-dir DIR] [--format text|json]',
  description: [
    "Runs the simulator's scenarios through the whole pipeline: a real WebSocket JSON-RPC server and",
    "client instrumented with Debbie, events into the store, Debbie's commentary, and for each session",
    'a timeline (debug_timelines/session_<id>.html) and a Markdown analysis report (debug_reports/).',
    '',
    `Scenarios: ${SCENARIO_NAMES.join(', ')}.`,
    '',
    'With --speed N the simulation runs at N× real time (timestamps start now), so a watcher of --url sees',
    "its silences happen: the demo's commentary comments on a stall after stall_seconds/N of wall silence,",
    'and the console of `debbie collect` shows a session stalled after its own stall_seconds of silence',
    '(give collect a smaller one, e.g. 1 with --speed 5, to see the stall before the comment).',
    '',
    'Examples:',
    '  debbie demo',
    '  debbie demo --scenario continuation-stall --interventions dry-run --format json',
    '  debbie demo --url http://127.0.0.1:4318 --scenario continuation-stall --speed 5   (watch it in the console)',
  ].join('\n'),
  options: {
    scenario: { type: 'string', value: 'NAME', description: 'A scenario name, or all (default all).', default: 'all' },
    store: STORE_FLAG,
    url: { ...URL_FLAG, description: `${URL_FLAG.description}: the sessions are sent to it live, and \`debbie tail\` shows them as they happen` },
    token: TOKEN_FLAG,
    seed: { type: 'string', value: 'N', description: 'Seed for the simulation (default 1); the same seed gives the same sessions.', default: '1' },
    speed: {
      type: 'string',
      value: 'N',
      description:
        'Run the simulation at N× real time (e.g. 1 or 10), so its silences last in wall time and a console or `debbie tail` watching --url sees a stall while it happens (default: as fast as possible).',
    },
    'out-dir': { type: 'string', value: 'DIR', description: 'Where debug_timelines/ and debug_reports/ go (default: the working directory).' },
    format: formatFlag(FORMATS, 'text', 'output format (json: one array of scenario summaries)'),
    interventions: {
      type: 'string',
      value: 'on|dry-run|off',
      description:
        "Let Debbie unstick stalled simulated agents, only recommend (dry-run), or neither (default: debbie_config.commentary.interventions when the config sets it, else on: the demo's sessions are simulated).",
    },
    config: CONFIG_FLAG,
  },
  async run(values, _positionals, io) {
    const format = outputFormat(values, FORMATS, 'text');
    const seed = Number(values.seed);
    if (!Number.isInteger(seed) || seed < 0)
      throw new DebbieError('invalid_option', `--seed must be a non-negative integer, got "${String(values.seed)}"`, '--seed');
    const speed = values.speed === undefined ? undefined : Number(values.speed);
    if (speed !== undefined && !(Number.isFinite(speed) && speed > 0))
      throw new DebbieError('invalid_option', `--speed must be a positive number (N× real time), got "${String(values.speed)}"`, '--speed');
    const requested = String(values.scenario);
    const names = requested === 'all' ? [...SCENARIO_NAMES] : [requested];
    for (const n of names) {
      if (!SCENARIO_NAMES.includes(n))
        throw new DebbieError('unknown_scenario', `unknown scenario "${n}"; expected one of ${SCENARIO_NAMES.join(', ')}, all`, '--scenario');
    }
    const cli = loadCliConfig(values, io);
    const configured = cli.config.debbie_config.commentary.interventions !== undefined;
    const mode = typeof values.interventions === 'string' ? values.interventions : configured ? undefined : 'on';
    if (mode !== undefined && !['on', 'dry-run', 'off'].includes(mode))
      throw new DebbieError('invalid_option', `--interventions must be on, dry-run or off, got "${mode}"`, '--interventions');
    const commentaryConfig: CommentaryConfig =
      mode === undefined
        ? cli.commentary
        : {
            ...cli.commentary,
            interventions: { ...cli.commentary.interventions, enabled: mode !== 'off', dry_run: mode === 'dry-run' },
          };
    const outDir = resolvePath(io, str(values['out-dir']) ?? '.');
    // Either the embedded store, or a running collector: events go to it live, reports read it back.
    const remoteUrl = collectorUrl(values);
    const token = collectorToken(values, io);
    const storePath = storeLocation(values, io);
    const store: Store | undefined = remoteUrl ? undefined : await openStore(storePath);
    // The demo's own pipeline (the simulator's createDebbie) runs the commentary: the collector must not comment again.
    const remote = remoteUrl
      ? {
          sink: new RemoteEventSink({ url: remoteUrl, commentaryDone: cli.commentary.enabled, ...(token ? { token } : {}) }),
          reader: new QueryClient({ url: remoteUrl, ...(token ? { token } : {}) }),
        }
      : undefined;
    const reader: EventReader = store ?? remote!.reader;
    const summaries: ScenarioSummary[] = [];
    let logging: ConfiguredLogging | undefined;
    try {
      // With a debbie.yaml, its handlers (console, rotating file, realtime stream) see the demo live.
      if (cli.config.source) logging = await startConfiguredLogging(cli, io);
      for (const name of names) {
        const started = Date.now();
        // The commentary runs on the simulator's clock, so its stall timers fire in simulated time,
        // and its interventions reach the simulator's WebSocket server.
        // Paced, it starts at the wall clock's now: the console shows the session as happening now.
        const clock = speed === undefined ? new SimClock() : new SimClock({ speed, startUs: Date.now() * 1000 });
        let url = '';
        let processor: CommentaryProcessor | undefined;
        const run = await runScenario(name, {
          seed,
          clock,
          // debbie_config.aggregation.buffer_size bounds what one run holds; the rest is counted.
          maxEvents: cli.bufferSize,
          sinks: [...(logging ? [logging.sink] : []), ...(remote ? [remote.sink] : [])],
          onServerReady: (ready) => {
            url = ready.url;
          },
          debbie: cli.commentary.enabled
            ? {
                commentary: (emit) =>
                  (processor = new CommentaryProcessor({
                    clock,
                    config: commentaryConfig,
                    correlationTimeoutMs: cli.correlationTimeoutMs,
                    onComment: emit,
                    interventionUrl: () => url,
                  })),
              }
            : {},
        });
        await processor?.shutdown();
        const interventionStats = processor?.stats().interventions;
        if (store) {
          // Scenarios are deterministic: a second demo replaces its sessions instead of doubling them.
          await store.deleteSessions(run.sessionIds);
          // run.events already went through the one pipeline (the simulator's createDebbie): converted,
          // redacted and commented on once; the store trusts it.
          await store.append(run.events);
        } else {
          await remote!.sink.forceFlush();
        }
        const summary: ScenarioSummary = {
          scenario: name,
          description: SCENARIOS.find((s) => s.name === name)?.description ?? '',
          session_ids: run.sessionIds,
          events: run.events.length,
          dropped_events: run.droppedEvents,
          events_per_source: countSources(run.events),
          simulated_ms: Math.round(run.simulatedMs),
          wall_ms: Date.now() - started,
          commentary: run.events.filter((e) => e.source === 'debbie_comment' || e.source === 'debbie').map((e) => formatCommentary(e, 'brief')),
          interventions: { attempted: interventionStats?.attempted ?? 0, succeeded: interventionStats?.succeeded ?? 0 },
          commentary_stats: processor?.stats() ?? null,
          timelines: [],
          reports: [],
        };
        for (const sessionId of run.sessionIds) {
          const timeline = await new TimelineVisualizer({ reader }).generate(sessionId, join(outDir, 'debug_timelines', `session_${sessionId}.html`));
          summary.timelines.push(relative(io.cwd, timeline) || timeline);
          const report = await new LogAnalyzer({ reader, commentary: cli.commentary }).analyze(sessionId);
          const reportPath = join(outDir, 'debug_reports', `session_${sessionId}.md`);
          await mkdir(join(outDir, 'debug_reports'), { recursive: true });
          await writeFile(reportPath, renderReportMarkdown(report));
          summary.reports.push(relative(io.cwd, reportPath) || reportPath);
        }
        summaries.push(summary);
        if (format === 'text') printScenario(summary, io);
      }
    } finally {
      await store?.close();
      await remote?.sink.shutdown();
      await remote?.reader.close();
      await logging?.close();
    }
    if (format === 'json') {
      io.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
    } else {
      const sessions = summaries.reduce((n, s) => n + s.session_ids.length, 0);
      const events = summaries.reduce((n, s) => n + s.events, 0);
      io.stdout.write(
        `\n${sessions} sessions, ${events} events ${remoteUrl ? `sent to ${remoteUrl}` : `stored in ${store && store.path !== storePath ? store.path : relative(io.cwd, storePath) || storePath}`}\n`,
      );
      io.stdout.write('Next: debbie sessions · debbie events --session ID · debbie analyze --session ID · debbie timeline --session ID\n');
    }
    return 0;
  },
};

function countSources(events: readonly DebbieEvent[]): Partial<Record<LogSource, number>> {
  const counts: Partial<Record<LogSource, number>> = {};
  for (const e of events) counts[e.source] = (counts[e.source] ?? 0) + 1;
  return counts;
}

function printScenario(s: ScenarioSummary, io: CommandIO): void {
  const out = io.stdout;
  out.write(`\n== ${s.scenario}: ${s.description}\n`);
  out.write(`   sessions: ${s.session_ids.join(', ')}\n`);
  out.write(`   ${s.events} events in ${(s.simulated_ms / 1000).toFixed(1)} s simulated (${s.wall_ms} ms real)\n`);
  if (s.dropped_events) out.write(`   ${s.dropped_events} more events dropped: over debbie_config.aggregation.buffer_size\n`);
  const perSource = LOG_SOURCES.filter((src) => s.events_per_source[src])
    .map((src) => `${src} ${s.events_per_source[src]}`)
    .join(', ');
  out.write(`   per source: ${perSource}\n`);
  if (s.commentary.length) {
    out.write('   Debbie says:\n');
    for (const line of s.commentary) out.write(`     ${line}\n`);
  } else {
    out.write('   Debbie says: nothing worth a comment.\n');
  }
  out.write(`   timeline: ${s.timelines.join(', ')}\n   report:   ${s.reports.join(', ')}\n`);
}
