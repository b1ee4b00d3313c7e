import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { readdir, rename, rmdir, writeFile } from 'node:fs/promises';
import { FILE_CONCURRENCY, mapLimit } from '../lib/concurrency.ts';
import { dirname, join, relative } from 'node:path';
import { GENERATED_ROOTS, isGeneratedPath } from './plan.ts';
import type { TreeChanges } from './tree.ts';

/** Every file currently in the generated trees under `root`, by repository-relative path. */
export async function readGeneratedTree(root: string): Promise<Map<string, string>> {
  const found = (await Promise.all(GENERATED_ROOTS.map((top) => walk(join(root, top))))).flat();
  const paths = found.map((abs) => relative(root, abs).split('\\').join('/')).filter(isGeneratedPath).sort();
  // Synchronous reads: thousands of small files read several times faster than with fs/promises.
  return new Map(paths.map((path) => [path, readFileSync(join(root, path), 'utf8')]));
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : Promise.resolve(e.isFile() ? [join(dir, e.name)] : []))),
  );
  return nested.flat();
}

export interface AppliedChanges {
  written: string[];
  removed: string[];
}

/**
 * Writes the changes: every new content is first staged next to its target, then renamed into
 * place, so a failure while staging leaves the tree as it was. Call only after refusals are empty.
 */
export async function applyTreeChanges(root: string, changes: TreeChanges): Promise<AppliedChanges> {
  const writes = [...changes.create, ...changes.update, ...changes.edited.flatMap((e) => (e.write ? [e.write] : []))];
  const removals = [...changes.remove, ...changes.edited.filter((e) => e.action === 'remove').map((e) => e.path)];
  const staged = writes.map((w) => ({ content: w.content, target: join(root, w.path), tmp: `${join(root, w.path)}.tmp-${process.pid}` }));
  try {
    for (const dir of new Set(staged.map((s) => dirname(s.target)))) mkdirSync(dir, { recursive: true });
    // Many writes in flight: file creation is the slow part here, and the kernel overlaps it well.
    await mapLimit(staged, FILE_CONCURRENCY, (s) => writeFile(s.tmp, s.content));
  } catch (err) {
    for (const s of staged) rmSync(s.tmp, { force: true });
    throw err;
  }
  await mapLimit(staged, FILE_CONCURRENCY, (s) => rename(s.tmp, s.target));
  for (const path of removals) rmSync(join(root, path), { force: true });
  await pruneEmptyDirs(root, removals);
  return { written: writes.map((w) => w.path).sort(), removed: removals.sort() };
}

/** Removes folders left empty by removals, up to (not including) the generated roots. */
async function pruneEmptyDirs(root: string, removed: string[]): Promise<void> {
  const dirs = new Set(removed.flatMap((p) => ancestors(p)));
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    await rmdir(join(root, dir)).catch(() => undefined); // fails when not empty: that is the point
  }
}

function ancestors(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  const result: string[] = [];
  for (let i = parts.length; i > 1; i--) result.push(parts.slice(0, i).join('/'));
  return result;
}
