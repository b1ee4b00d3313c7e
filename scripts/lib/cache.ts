import { homedir } from 'node:os';
import { join } from 'node:path';

/** The toolkit's cache (tools, charts, renders, schema catalogs): MONITORING_GITOPS_CACHE or ~/.cache/monitoring-gitops. */
export function cacheDir(...parts: string[]): string {
  const base = process.env.MONITORING_GITOPS_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'monitoring-gitops');
  return join(base, ...parts);
}
