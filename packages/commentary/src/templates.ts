// Message templates and argument keys: the normal forms that make "the same error" and
// "the same call" comparable although ids, numbers and paths differ.

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const HEX = /\b(?:0x)?(?=[0-9a-f]*\d)[0-9a-f]{6,}\b/gi;
const TOOL_ID = /\b(?:toolu|call|req|msg|run|chatcmpl)[_-][A-Za-z0-9_-]+/g;
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi;
const PATH = /(?:[A-Za-z]:)?(?:[\\/][\w.@~-]+){2,}[\\/]?|(?:\.{1,2}[\\/])[\w.@~/\\-]+/g;
const QUOTED = /(["'`])(?:(?!\1).){1,200}\1/g;
const NUMBER = /[-+]?\b\d+(?:[.,:]\d+)*\b/g;
const SPACES = /\s+/g;
/** Cap on the text we template: error messages can carry whole payloads. */
const MAX_TEMPLATE_INPUT = 300;

/**
 * The template of a message: uuids, hex ids, tool-call ids, URLs, paths, quoted values and
 * numbers become placeholders, so "Timeout after 3012 ms on /tmp/a.json" and
 * "Timeout after 2990 ms on /var/b.json" share one template.
 */
export function messageTemplate(message: string): string {
  return message
    .slice(0, MAX_TEMPLATE_INPUT)
    .replace(UUID, '<uuid>')
    .replace(URL_LIKE, '<url>')
    .replace(TOOL_ID, '<id>')
    .replace(PATH, '<path>')
    .replace(QUOTED, '<str>')
    .replace(HEX, '<hex>')
    .replace(NUMBER, '<num>')
    .replace(SPACES, ' ')
    .trim();
}

function canonical(value: unknown, depth: number): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.trim().replace(SPACES, ' '));
  if (typeof value !== 'object') return String(value);
  if (depth > 6) return '"…"';
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(obj[k], depth + 1)}`).join(',')}}`;
}

/** Cap on the key: two calls whose arguments agree on the first 512 characters are "the same". */
const MAX_ARGS_KEY = 512;

/**
 * Normal form of tool arguments: JSON (object or JSON string, as OpenAI tool calls carry them)
 * with sorted keys and collapsed whitespace; other text is trimmed. Two calls with the same
 * normal form are the same call.
 */
export function normalizeArguments(args: unknown): string {
  let value = args;
  if (typeof args === 'string') {
    const text = args.trim();
    if (text.startsWith('{') || text.startsWith('[')) {
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
    } else {
      value = text;
    }
  }
  const key = canonical(value, 0);
  return key.length > MAX_ARGS_KEY ? key.slice(0, MAX_ARGS_KEY) : key;
}
