import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The shared data nobody here wrote (`shared/data`: public agent runs, the OTLP spec examples).
 * CI lays `shared/` beside the clone, so look there first; $DEBBIE_SHARED_DATA overrides.
 */
function findSharedData(): string {
  const repo = fileURLToPath(new URL('..', import.meta.url));
  const candidates = [process.env.DEBBIE_SHARED_DATA, join(repo, '..', 'shared', 'data'), '/work/shared/data'];
  for (const dir of candidates) if (dir && existsSync(join(dir, 'public'))) return dir;
  throw new Error(`shared data not found (looked in ${candidates.filter(Boolean).join(', ')}); set DEBBIE_SHARED_DATA`);
}

export const SHARED_DATA = findSharedData();
export const PUBLIC_DATA = join(SHARED_DATA, 'public');
export const OTLP_EXAMPLES = join(SHARED_DATA, 'otlp-examples');
