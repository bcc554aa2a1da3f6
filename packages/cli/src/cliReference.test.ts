import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { updateCliDoc } from './cliReference.js';

describe('docs/cli.md', () => {
  it("lists every command's flags as the commands define them (run packages/cli/scripts/write-cli-docs.mjs after a change)", async () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../docs/cli.md', import.meta.url)), 'utf8');
    expect(doc).toBe(await updateCliDoc(doc));
    expect(doc).toContain('`--session ID`');
  });
});
