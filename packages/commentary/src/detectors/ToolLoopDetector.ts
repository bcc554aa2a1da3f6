import type { Detector, DetectorContext } from '../Detector.js';
import { Interest, Category, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { toolNameOf } from '../classify.js';
import { normalizeArguments, quickNormalForm } from '../templates.js';
import { argumentsKnown } from '../steps.js';

const MAX_EVIDENCE = 12;
/** Normal forms of recently seen argument strings that had to be parsed (loops repeat the raw text, so this saves the parse). */
const argsCache = new Map<string, string>();
const ARGS_CACHE_LIMIT = 2048;

/** The normal form of a call's arguments: most strings are their own (quickNormalForm), the rest parsed once while cached. */
function argumentsKey(raw: unknown): string {
  if (typeof raw !== 'string') return normalizeArguments(raw ?? '');
  const quick = quickNormalForm(raw);
  if (quick !== null) return quick;
  let key = argsCache.get(raw);
  if (key === undefined) {
    key = normalizeArguments(raw);
    if (argsCache.size >= ARGS_CACHE_LIMIT) argsCache.clear();
    argsCache.set(raw, key);
  }
  return key;
}

/** FNV-1a of a string (a 31-bit small integer). */
function textHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 1;
}

interface LoopState {
  /** Ring of the last `tool_loop_window` calls: tool names and their arguments' normal forms side by side (no joined key per call). */
  tools: string[];
  args: string[];
  /** Each call's hash of its arguments' normal form: most calls differ, and a number tells so without comparing text. */
  hashes: number[];
  next: number;
  /** Whether a loop is being reported, and of which call, with its evidence. */
  looping: boolean;
  loopTool: string;
  loopArgs: string;
  eventIds: string[];
  spanIds: string[];
}

/**
 * Tool loop: the same tool with the same (normalized) arguments repeated within the last
 * `tool_loop_window` calls. Counting over a ring keeps it O(1) per call.
 */
export class ToolLoopDetector implements Detector {
  readonly name = 'tool_loop';
  readonly patterns = ['tool_loop'] as const;
  readonly interest = Interest.of(Category.TOOL_CALL);

  constructor(private readonly index: number) {}

  observe(obs: Observation, session: SessionState, ctx: DetectorContext): void {
    if (obs.category !== Category.TOOL_CALL) return;
    const t = ctx.thresholds;
    let s = session.slots[this.index] as LoopState | undefined;
    if (!s) {
      s = { tools: [], args: [], hashes: [], next: 0, looping: false, loopTool: '', loopArgs: '', eventIds: [], spanIds: [] };
      session.slots[this.index] = s;
    }
    const event = obs.event;
    const rawArgs = event.details.tool_arguments ?? event.details.arguments;
    // "the same arguments" is only claimed when they are known: an empty or missing argument is unknown
    if (!argumentsKnown(rawArgs)) return;
    const tool = toolNameOf(event);
    const args = argumentsKey(rawArgs);
    const hash = textHash(args);
    if (s.tools.length < t.tool_loop_window) {
      s.tools.push(tool);
      s.args.push(args);
      s.hashes.push(hash);
    } else {
      s.tools[s.next] = tool;
      s.args[s.next] = args;
      s.hashes[s.next] = hash;
      s.next = (s.next + 1) % t.tool_loop_window;
    }
    // counted over the ring (a window of ~20 calls): no map to keep in step
    let count = 0;
    const tools = s.tools;
    const ring = s.args;
    const hashes = s.hashes;
    for (let i = 0; i < ring.length; i++) if (hashes[i] === hash && ring[i] === args && tools[i] === tool) count += 1;

    if (s.looping && (tool !== s.loopTool || args !== s.loopArgs)) {
      const loopTool = s.loopTool;
      s.looping = false;
      s.loopTool = '';
      s.loopArgs = '';
      s.eventIds = [];
      s.spanIds = [];
      ctx.resolve(session, 'tool_loop', loopTool, {
        message: `Tool loop on ${loopTool} ended: the agent called ${tool} next.`,
        resolution: 'recovered',
        trigger: refOf(event),
      });
    }
    if (count < t.tool_loop_repeats) return;
    s.looping = true;
    s.loopTool = tool;
    s.loopArgs = args;
    if (s.eventIds.length < MAX_EVIDENCE) s.eventIds.push(event.event_id);
    if (s.spanIds.length < MAX_EVIDENCE && event.span_id) s.spanIds.push(event.span_id);
    ctx.raise(session, {
      pattern: 'tool_loop',
      key: tool,
      severity: count,
      level: 'WARNING',
      confidence: Math.min(0.97, BASE_CONFIDENCE.tool_loop + 0.02 * (count - t.tool_loop_repeats)),
      message: `Tool loop: ${tool} called ${count} times with the same arguments in the last ${ring.length} tool calls.`,
      explanation: `The agent keeps repeating ${tool}(${args.length > 120 ? `${args.slice(0, 120)}…` : args}) and is not making progress; it probably does not see or trust the result.`,
      recommendations: [
        'Reset the agent state or the conversation context',
        'Check the tool result the model receives',
        'Escalate to the user if it continues',
      ],
      trigger: refOf(event),
      evidenceEventIds: s.eventIds,
      evidenceSpanIds: s.spanIds,
      facts: { session_id: session.id, tool_name: tool, repeats: count, window: ring.length, tool_arguments: args.slice(0, 200) },
    });
  }
}
