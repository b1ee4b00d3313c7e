import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SchemaFile } from './schema.ts';

/** Bump when the conversion changes: cached catalogs built by an older toolkit are then rebuilt. */
export const CATALOG_FORMAT = 2; // 2: built-in catalogs also hold scopes.json

/** Written last into a finished catalog folder; a folder without it (or with another format/source) is rebuilt. */
interface CatalogMarker {
  format: number;
  /** What the schemas were converted from, e.g. `k8s.io/kubernetes@v1.34.2`. */
  source: string;
  files: number;
}

const MARKER = '.catalog.json';

/** The marker of a finished catalog folder, if it is one. */
export function readCatalogMarker(dir: string): CatalogMarker | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, MARKER), 'utf8')) as CatalogMarker;
  } catch {
    return undefined;
  }
}

/** Whether `dir` holds a finished catalog built from `source` by this toolkit's conversion. */
export function isCurrentCatalog(dir: string, source: string): boolean {
  const marker = readCatalogMarker(dir);
  return marker?.format === CATALOG_FORMAT && marker.source === source;
}

/**
 * Writes `files` as the folder `dir`, replacing what was there: everything goes to a staging folder
 * first and is renamed into place with its marker, so an interrupted build is never taken as done.
 */
export function writeCatalogDir(dir: string, files: SchemaFile[], source: string): void {
  mkdirSync(dirname(dir), { recursive: true });
  removeStaleStaging(dir);
  const staging = `${dir}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    for (const file of files) {
      const target = join(staging, ...file.path.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      // Compact JSON: the catalog is read by kubeconform, and indentation would double its size.
      writeFileSync(target, `${JSON.stringify(file.schema)}\n`);
    }
    mkdirSync(staging, { recursive: true });
    const marker: CatalogMarker = { format: CATALOG_FORMAT, source, files: files.length };
    writeFileSync(join(staging, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
    if (isCurrentCatalog(dir, source)) {
      rmSync(staging, { recursive: true, force: true }); // another build of the same source won the race
      return;
    }
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    // Another process finished the same catalog first: theirs is as good as ours.
    if (isCurrentCatalog(dir, source)) return;
    throw err;
  }
}

/** Staging folders left by builds whose process is gone (killed, crashed). */
function removeStaleStaging(dir: string): void {
  const prefix = `${basename(dir)}.partial-`;
  for (const name of readdirSync(dirname(dir))) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (!isRunning(pid)) rmSync(join(dirname(dir), name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
