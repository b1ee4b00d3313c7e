import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { GENERATED_ROOTS, isGeneratedPath } from './plan.ts';
import type { TreeChanges } from './tree.ts';

/** Every file currently in the generated trees under `root`, by repository-relative path. */
export async function readGeneratedTree(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const top of GENERATED_ROOTS) {
    for (const abs of await walk(join(root, top))) {
      const path = relative(root, abs).split('\\').join('/');
      if (isGeneratedPath(path)) files.set(path, await readFile(abs, 'utf8'));
    }
  }
  return files;
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
  const staged: { tmp: string; target: string }[] = [];
  try {
    for (const write of writes) {
      const target = join(root, write.path);
      const tmp = `${target}.tmp-${process.pid}`;
      await mkdir(dirname(target), { recursive: true });
      await writeFile(tmp, write.content);
      staged.push({ tmp, target });
    }
  } catch (err) {
    await Promise.all(staged.map((s) => rm(s.tmp, { force: true })));
    throw err;
  }
  for (const { tmp, target } of staged) await rename(tmp, target);
  for (const path of removals) await rm(join(root, path), { force: true });
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
