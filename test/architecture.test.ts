import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// docs/architecture.md's package table is the map a newcomer reads first: it must name every
// package and exactly the workspace packages each one depends on at run time.
const root = new URL('../', import.meta.url);
const doc = readFileSync(new URL('docs/architecture.md', root), 'utf8');

function documentedDependencies(): Map<string, Set<string>> {
  const rows = new Map<string, Set<string>>();
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`([a-z-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name || cells.length < 6) continue;
    const deps =
      cells[3] === '—'
        ? []
        : cells[3]!
            .split(',')
            .map((d) => d.replace(/\(.*\)/, '').trim())
            .filter(Boolean);
    rows.set(name, new Set(deps));
  }
  return rows;
}

function actualDependencies(): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const dir of readdirSync(new URL('packages/', root))) {
    const file = new URL(`packages/${dir}/package.json`, root);
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
    const names = Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })
      .filter((d) => d.startsWith('@debbie/'))
      .map((d) => d.slice('@debbie/'.length));
    result.set(dir, new Set(names));
  }
  return result;
}

describe('docs/architecture.md', () => {
  it('lists every package with exactly the workspace packages it depends on at run time', () => {
    const documented = documentedDependencies();
    const actual = actualDependencies();
    expect([...documented.keys()].sort()).toEqual([...actual.keys()].sort());
    for (const [name, deps] of actual) {
      expect({ name, deps: [...(documented.get(name) ?? [])].sort() }).toEqual({ name, deps: [...deps].sort() });
    }
  });
});
