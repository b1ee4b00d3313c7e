import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { EnvironmentError } from './errors.ts';

/** The cache folder last checked: the check runs once per process (and again if the variable changes). */
let checked: string | undefined;

/** The toolkit's cache (tools, charts, renders, schema catalogs): MONITORING_GITOPS_CACHE or ~/.cache/monitoring-gitops. */
export function cacheDir(...parts: string[]): string {
  const base = process.env.MONITORING_GITOPS_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'monitoring-gitops');
  if (checked !== base) {
    checkCacheFolder(base);
    checked = base;
  }
  return join(base, ...parts);
}

/** The cache folder, or the nearest of its parents that exists, must be a folder: exit 2 naming it otherwise. */
function checkCacheFolder(base: string): void {
  for (let path = base; ; path = dirname(path)) {
    let isFolder: boolean;
    try {
      isFolder = statSync(path).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(path) !== path) continue;
      throw err;
    }
    if (isFolder) return;
    const where = process.env.MONITORING_GITOPS_CACHE ? `MONITORING_GITOPS_CACHE=${base}` : `the toolkit's cache ${base}`;
    throw new EnvironmentError(
      `${where}: ${path} is a file, not a folder\nfix: point MONITORING_GITOPS_CACHE at a folder (created if missing), or move ${path} away`,
    );
  }
}

/** Writes a cache file whole or not at all (aside, then renamed into place), creating its folder. */
export function writeCacheFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp-${process.pid}`, text);
  renameSync(`${path}.tmp-${process.pid}`, path);
}
