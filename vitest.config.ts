import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests import workspace packages from source, so unit tests need no build.
// End-to-end tests under test/ run the built CLI (`pnpm build` first).
const root = fileURLToPath(new URL('.', import.meta.url));
// Exact matches only, so subpath exports (e.g. @debbie/sdk/processors) resolve to their own file.
const alias: { find: RegExp; replacement: string }[] = [];
for (const dir of readdirSync(`${root}packages`)) {
  const entry = `${root}packages/${dir}/src/index.ts`;
  if (existsSync(entry)) alias.push({ find: new RegExp(`^@debbie/${dir}$`), replacement: entry });
}
alias.push({ find: /^@debbie\/store\/encode$/, replacement: `${root}packages/store/src/encodeRows.ts` });
alias.push({ find: /^@debbie\/sdk\/processors$/, replacement: `${root}packages/sdk/src/processors.ts` });
alias.push({ find: /^@debbie\/commentary\/eval$/, replacement: `${root}packages/commentary/src/eval/index.ts` });
alias.push({ find: /^@debbie\/stream\/color$/, replacement: `${root}packages/stream/src/colorLine.ts` });
alias.push({ find: /^@debbie\/exporters\/formats$/, replacement: `${root}packages/exporters/src/formats.ts` });

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'test/**/*.test.ts', 'collector-config/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
