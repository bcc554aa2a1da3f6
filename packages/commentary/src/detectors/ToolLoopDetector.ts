import type { Detector, DetectorContext } from '../Detector.js';
import { Interest, Category, refOf, type Observation } from '../Observation.js';
import type { SessionState } from '../SessionState.js';
import { BASE_CONFIDENCE } from '../patterns.js';
import { toolNameOf } from '../classify.js';
import { normalizeArguments } from '../templates.js';
import { argumentsKnown } from '../steps.js';

const MAX_EVIDENCE = 12;
/** Normal forms of recently seen raw argument strings: loops repeat the raw text, so this saves the parse. */
const argsCache = new Map<string, string>();
const ARGS_CACHE_LIMIT = 2048;

function argumentsKey(raw: unknown): string {
  if (typeof raw !== 'string') return normalizeArguments(raw ?? '');
  let key = argsCache.get(raw);
  if (key === undefined) {
    key = normalizeArguments(raw);
    if (argsCache.size >= ARGS_CACHE_LIMIT) argsCache.clear();
    argsCache.set(raw, key);
  }
  return key;
}

/** Loop keys (`tool\0normal form`) of recent raw argument strings per tool: a hit builds no string. */
const keyCache = new Map<string, Map<string, string>>();
let keyCacheSize = 0;

function loopKeyOf(tool: string, raw: unknown): string {
  if (typeof raw !== 'string') return `${tool}\u0000${argumentsKey(raw)}`;
  let byRaw = keyCache.get(tool);
  let key = byRaw?.get(raw);
  if (key !== undefined) return key;
  key = `${tool}\u0000${argumentsKey(raw)}`;
  if (keyCacheSize >= ARGS_CACHE_LIMIT) {
    keyCache.clear();
    keyCacheSize = 0;
    byRaw = undefined;
  }
  if (byRaw === undefined) {
    byRaw = new Map();
    keyCache.set(tool, byRaw);
  }
  byRaw.set(raw, key);
  keyCacheSize += 1;
  return key;
}

interface LoopState {
  /** Ring of the last `tool_loop_window` call keys. */
  ring: string[];
  next: number;
  /** The key of the loop being reported, if any, with its evidence. */
  loopKey: string;
  loopTool: string;
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
      s = { ring: [], next: 0, loopKey: '', loopTool: '', eventIds: [], spanIds: [] };
      session.slots[this.index] = s;
    }
    const event = obs.event;
    const rawArgs = event.details.tool_arguments ?? event.details.arguments;
    // "the same arguments" is only claimed when they are known: an empty or missing argument is unknown
    if (!argumentsKnown(rawArgs)) return;
    const tool = toolNameOf(event);
    const key = loopKeyOf(tool, rawArgs);
    if (s.ring.length < t.tool_loop_window) {
      s.ring.push(key);
    } else {
      s.ring[s.next] = key;
      s.next = (s.next + 1) % t.tool_loop_window;
    }
    // counted over the ring (a window of ~20 keys, mostly the same cached strings): no map to keep in step
    let count = 0;
    const ring = s.ring;
    for (let i = 0; i < ring.length; i++) if (ring[i] === key) count += 1;

    if (s.loopKey !== '' && key !== s.loopKey) {
      const loopTool = s.loopTool;
      s.loopKey = '';
      s.eventIds = [];
      s.spanIds = [];
      ctx.resolve(session, 'tool_loop', loopTool, {
        message: `Tool loop on ${loopTool} ended: the agent called ${tool} next.`,
        resolution: 'recovered',
        trigger: refOf(event),
      });
    }
    if (count < t.tool_loop_repeats) return;
    if (s.loopKey !== key) {
      s.loopKey = key;
      s.loopTool = tool;
    }
    if (s.eventIds.length < MAX_EVIDENCE) s.eventIds.push(event.event_id);
    if (s.spanIds.length < MAX_EVIDENCE && event.span_id) s.spanIds.push(event.span_id);
    const args = key.slice(tool.length + 1);
    ctx.raise(session, {
      pattern: 'tool_loop',
      key: tool,
      severity: count,
      level: 'WARNING',
      confidence: Math.min(0.97, BASE_CONFIDENCE.tool_loop + 0.02 * (count - t.tool_loop_repeats)),
      message: `Tool loop: ${tool} called ${count} times with the same arguments in the last ${s.ring.length} tool calls.`,
      explanation: `The agent keeps repeating ${tool}(${args.length > 120 ? `${args.slice(0, 120)}…` : args}) and is not making progress; it probably does not see or trust the result.`,
      recommendations: [
        'Reset the agent state or the conversation context',
        'Check the tool result the model receives',
        'Escalate to the user if it continues',
      ],
      trigger: refOf(event),
      evidenceEventIds: s.eventIds,
      evidenceSpanIds: s.spanIds,
      facts: { session_id: session.id, tool_name: tool, repeats: count, window: s.ring.length, tool_arguments: args.slice(0, 200) },
    });
  }
}
