/**
 * Turns an error message into its template so that messages differing only in numbers, ids,
 * uuids, paths, URLs or quoted values group together:
 * `Timeout after 3021 ms on /tmp/x/a.json` → `Timeout after <n> ms on <path>`.
 */
export function messageTemplate(message: string): string {
  return message
    .slice(0, 2000)
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>')
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '<url>')
    .replace(/(?:\b[A-Za-z]:)?(?:[\\/][\w.@~-]+){2,}[\\/]?/g, '<path>')
    .replace(/"[^"\n]{0,200}"|'[^'\n]{0,200}'/g, '<str>')
    .replace(/\b0x[0-9a-f]+\b/gi, '<hex>')
    .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<id>')
    .replace(/\b[A-Za-z]+[_-](?=[A-Za-z0-9]*\d)[A-Za-z0-9]{6,}\b/g, '<id>')
    .replace(/-?\b\d+(?:[.,:]\d+)*\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}
