// Converters from the public agent data (../shared/data/public, README there) to DebbieEvents, for
// the evaluation: OpenHands and SWE-agent through the collector's own trajectory parsers (what
// `debbie ingest` reads), any-agent's span dumps through the model's foreign-telemetry conversion,
// and MAST's raw multi-agent text through a message splitter of our own (no ingest format exists).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { trajectoryEvents } from '@debbie/collector';
import { convertForeignEvent, createEvent, eventFromSpanParts, isoFromEpochMicros } from '@debbie/model';

/** The public data: $DEBBIE_PUBLIC_DATA, else `shared/data/public` beside the repository (or a folder above it). */
export const PUBLIC = process.env.DEBBIE_PUBLIC_DATA ?? findPublic();

function findPublic() {
  let dir = new URL('../../../', import.meta.url).pathname;
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, '..', 'shared', 'data', 'public');
    if (existsSync(candidate)) return candidate;
    dir = join(dir, '..');
  }
  throw new Error('public data not found: set DEBBIE_PUBLIC_DATA to the shared/data/public folder');
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** OpenHands runs: the multi_swe_bench examples (one ended at its iteration limit), the runtime trajs, the resolver's mock output. */
export function openHandsRuns() {
  const runs = [];
  const jsonl = ['openhands/evaluation/benchmarks/multi_swe_bench/examples/output.jsonl', 'openhands/tests/unit/resolver/mock_output/output.jsonl'];
  for (const rel of jsonl) {
    readFileSync(join(PUBLIC, rel), 'utf8')
      .split('\n')
      .filter(Boolean)
      .forEach((line, i) => {
        const value = JSON.parse(line);
        const r = trajectoryEvents(value, { where: `${rel}:${i + 1}`, runName: `${basename(rel)}-${i + 1}` });
        if (r) runs.push({ name: `openhands/${rel.split('/').at(-3)}#${i + 1}`, events: r.events, raw: value });
      });
  }
  for (const p of walk(join(PUBLIC, 'openhands/tests/runtime/trajs'))) {
    const value = JSON.parse(readFileSync(p, 'utf8'));
    const r = trajectoryEvents(value, { where: p, runName: basename(p, '.json') });
    if (r) runs.push({ name: `openhands/trajs/${basename(p)}`, events: r.events, raw: value });
  }
  return runs;
}

/** SWE-agent .traj files with their exit_status. */
export function sweAgentRuns() {
  return walk(join(PUBLIC, 'swe_agent'))
    .filter((p) => p.endsWith('.traj'))
    .map((p) => {
      const value = JSON.parse(readFileSync(p, 'utf8'));
      const r = trajectoryEvents(value, { where: p, runName: basename(p, '.traj') });
      return { name: `swe_agent/${basename(p)}`, events: r?.events ?? [], exitStatus: value.info?.exit_status ?? null };
    });
}

const hex = (n, width) => BigInt(n).toString(16).padStart(width, '0');
const nanosToMicros = (ns) => Number(BigInt(ns) / 1000n);

/** any-agent's seven framework runs (Python SDK span dumps: int ids, ns times) as converted spans. */
export function anyAgentRuns() {
  const dir = join(PUBLIC, 'otel_sdk_json/any-agent/tests/assets');
  return readdirSync(dir)
    .filter((f) => f.endsWith('_trace.json'))
    .map((f) => {
      const doc = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      const framework = f.replace('_trace.json', '');
      const events = doc.spans.map((s) => {
        const e = convertForeignEvent(
          eventFromSpanParts({
            name: s.name,
            traceId: hex(s.context.trace_id, 32),
            spanId: hex(s.context.span_id, 16),
            parentSpanId: s.parent?.span_id != null ? hex(s.parent.span_id, 16) : undefined,
            startMicros: nanosToMicros(s.start_time),
            endMicros: nanosToMicros(s.end_time),
            statusCode: s.status?.status_code === 'error' ? 2 : s.status?.status_code === 'ok' ? 1 : 0,
            statusMessage: s.status?.description ?? undefined,
            attributes: s.attributes ?? {},
            resource: s.resource?.attributes ?? {},
          }),
        );
        return { ...e, session_id: e.session_id ?? `any-agent-${framework}` };
      });
      events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : 1));
      return { name: `any-agent/${framework}`, events };
    });
}

// --- MAST: raw multi-agent text → one agent message event per turn ---

const HEADERS = [
  // loguru (MetaGPT, OpenManus): "2025-01-17 11:40:27.872 | INFO     | module:fn:12 - Alice(SimpleCoder): …"
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \| \w+ +\| /,
  // ChatDev and MetaGPT's communication log: "[2025-17-01 11:36:43 INFO] …", "[2025-03-27 01:21:03] FROM: …"
  /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: \w+)?\]/,
  // AppWorld: "Response from Supervisor Agent", "Code Execution Output"
  /^(?:Response from .+|Code Execution Output|Message from .+)$/,
  // AutoGen / Magentic-One: "---------- Orchestrator ----------" (a name between the dashes: a bare rule is a separator, not a turn)
  /^-{5,} [^-\s](?:.*[^-\s])? -{5,}$/,
  // Python logging (HyperAgent): "HyperAgent_astropy__astropy-12907 - INFO - Planner's Response: …"
  /^\S+ - (?:INFO|DEBUG|WARNING|ERROR) - /,
];
/**
 * Header forms that name a speaking agent; any other header is a framework's own log line, not an
 * agent's step. Each match ends where the agent's own words begin: what the match covers is the
 * framework's envelope (time, level, module, speaker, and MetaGPT's "to do <Action>" announcement).
 */
const SPEAKERS = [
  / - ([A-Z]\w*)\((\w+)\):(?: to do \w+\(\w+\))?/, // MetaGPT "… - Alice(SimpleCoder): to do SimpleWriteCode(SimpleWriteCode)"
  /FROM: (\S+)(?: TO: .*)?/, // MetaGPT's communication log
  // ChatDev: "[… INFO] Code Reviewer: **Code Reviewer<->Programmer on : CodeReviewComment, turn 0**": the speaker is before the colon
  /^\[[^\]]+\] ([^:*[\]]+?): \*\*[^*[]+?<->[^*]*\*\*/,
  /Response from (.+)$/,
  /^-{5,} (.+?) -{5,}$/,
  / - (?:INFO|DEBUG) - ([\w '-]+?)'s Response:/,
  /(\w+)'s thoughts:/, // OpenManus
];

/** Headers whose speaker is on the next non-blank line. */
const NEXT_LINE_SPEAKER = /\] NEW MESSAGES:\s*$/;

/** The speaker a header names and where the agent's own words start on that line; null when none. */
function speakerOf(header) {
  for (const re of SPEAKERS) {
    const m = re.exec(header);
    if (m) return { speaker: (m[2] ? `${m[1]}(${m[2]})` : m[1]).trim().slice(0, 60), rest: header.slice(m.index + m[0].length) };
  }
  return null;
}

/**
 * What an agent said in a turn, without the framework's envelope: the header up to the speaker,
 * and a bracketed block opening the body, which is the role's system prompt that ChatDev's
 * RolePlaying log prints before every reply (kept as `prompt`, not as the agent's words).
 */
function bodyOf(turn) {
  // a JSON message is all the agent's; a log turn's first line is the header, its words start after the speaker
  const nl = turn.text.indexOf('\n');
  let body = turn.body ?? `${turn.rest ?? ''}\n${nl < 0 ? '' : turn.text.slice(nl + 1)}`.trim();
  let prompt = '';
  if (body.startsWith('[')) {
    const end = body.indexOf(']\n');
    if (end > 0) {
      prompt = body.slice(1, end);
      body = body.slice(end + 1).trim();
    }
  }
  return { body, prompt };
}

/** Splits a MAST trace into turns: header lines start a turn; JSON trajectories of messages give one turn per item. */
export function mastTurns(trace) {
  let text = trace;
  try {
    const doc = JSON.parse(trace);
    if (Array.isArray(doc?.trajectory)) {
      // HyperAgent's trajectory is its log, one line per item: split it by headers like raw text
      if (doc.trajectory.every((item) => typeof item === 'string')) text = doc.trajectory.join('\n');
      else
        return doc.trajectory.map((item) => {
          const content = typeof item === 'string' ? item : Array.isArray(item.content) ? item.content.join('\n') : String(item.content ?? '');
          const speaker = typeof item === 'string' ? null : String(item.name ?? item.role ?? 'agent');
          return { speaker, text: content, body: content };
        });
    } else if (typeof doc?.content === 'string') text = doc.content;
  } catch {
    // raw text
  }
  const turns = [];
  let cur = null;
  for (const line of text.split('\n')) {
    if (HEADERS.some((re) => re.test(line))) {
      if (cur) turns.push(cur);
      const who = speakerOf(line);
      // MetaGPT's communication log names the speaker on the line after "NEW MESSAGES:"
      cur = { speaker: who?.speaker ?? null, text: line, rest: who?.rest ?? '', speakerNext: !who && NEXT_LINE_SPEAKER.test(line) };
    } else if (cur?.speakerNext && line.trim() !== '') {
      const m = /^([A-Za-z]\w*): ?(.*)$/.exec(line);
      cur.speakerNext = false;
      if (m) {
        // the header line and the blank lines before the name are the envelope; the words start after "Name:"
        cur.speaker = m[1];
        cur.rest = m[2];
        cur.text = `${cur.text.replace(/\n+$/, '')}\n`;
      } else cur.text += `\n${line}`;
    } else if (cur) {
      cur.text += `\n${line}`;
    } else {
      cur = { speaker: null, text: line, rest: '' };
    }
  }
  if (cur) turns.push(cur);
  return turns;
}

const SYNTHETIC = Date.UTC(2000, 0, 1) * 1000;

/** An agent's turn: its own words as the message; the header line and a role prompt kept apart (they are the framework's). */
function agentDetails(turn) {
  const { body, prompt } = bodyOf(turn);
  const details = { agent_name: turn.speaker, message: body.slice(0, 4000), header: turn.text.split('\n', 1)[0].slice(0, 300) };
  if (prompt) details.prompt = prompt.slice(0, 2000);
  return details;
}

/** MAST records with their labels: `repetition` = "Step repetition" by at least 2 of the 3 annotators. */
export function mastRuns() {
  // Python's json.dump wrote NaN for a missing vote: read it as null (no vote).
  const data = JSON.parse(readFileSync(join(PUBLIC, 'mast_mad/MAD_human_labelled_dataset.json'), 'utf8').replace(/: NaN\b/g, ': null'));
  return data.map((r, i) => {
    const votes = (needle) => {
      const a = r.annotations.find((x) => x['failure mode'].toLowerCase().includes(needle));
      return a ? ['annotator_1', 'annotator_2', 'annotator_3'].filter((k) => a[k] === true || a[k] === 'True' || a[k] === 1).length : 0;
    };
    const sessionId = `mast-${i}`;
    // A turn with a named speaker is an agent's step (a message); the framework's other lines are plain logs.
    const events = mastTurns(r.trace)
      .filter((t) => t.text.trim().length >= 20)
      .map((t, k) =>
        createEvent({
          source: t.speaker ? 'agent' : 'server',
          kind: 'log',
          component: t.speaker ?? r.mas_name,
          action: t.speaker ? 'agent_message' : 'log',
          session_id: sessionId,
          agent_id: t.speaker,
          timestamp: isoFromEpochMicros(SYNTHETIC + k * 1_000_000),
          event_summary: t.text.split('\n')[0].slice(0, 200),
          details: t.speaker ? agentDetails(t) : { message: t.text.slice(0, 4000) },
        }),
      );
    return {
      name: `mast/${i}:${r.mas_name}/${r.benchmark_name}`,
      index: i,
      events,
      repetition: votes('step repetition') >= 2,
      repetitionVotes: votes('step repetition'),
      stopping: votes('unaware of') >= 2,
      // the same trace text appears twice with different labels (rounds 1 and 2): kept, noted in the output
      textKey: createHash('md5').update(r.trace).digest('hex'),
    };
  });
}
