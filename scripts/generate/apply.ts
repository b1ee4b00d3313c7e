import { accessSync, constants, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { lstatOrUndefined } from '../lib/paths.ts';
import { EnvironmentError, FindingsError } from '../lib/errors.ts';
import type { GeneratedTree } from './read-tree.ts';
import type { TreeChanges } from './tree.ts';
import { runTransaction, type Transaction } from './transaction.ts';

export { readGeneratedTree } from './read-tree.ts';

interface AppliedChanges {
  written: string[];
  removed: string[];
  /** Of the written files, those staged while the plan was made (plan-ahead.ts). */
  stagedAhead: number;
}

/**
 * Writes the changes all or nothing: checks that every write and removal can be done (no link or
 * file in the way, every folder writable), then runs them as one transaction that undoes itself on
 * any failure or signal. Call only after refusals are empty, with the lock held. `stagedAhead`: files already
 * staged (plan-ahead.ts), which are not written again.
 */
export async function applyTreeChanges(root: string, changes: TreeChanges, existing: GeneratedTree, stagedAhead?: Set<string>): Promise<AppliedChanges> {
  const writes = [...changes.create, ...changes.update, ...changes.edited.flatMap((e) => (e.write ? [e.write] : []))];
  const removed = [...changes.remove, ...changes.edited.filter((e) => e.action === 'remove').map((e) => e.path)];
  const tx: Transaction = {
    // The content is asked for when written: a file staged ahead reads it back only then (plan-ahead.ts).
    writes: writes.map((w) => ({
      path: w.path,
      get content() {
        return w.content;
      },
      previous: existing.get(w.path),
    })),
    removals: [
      ...removed.map((path) => ({ path, previous: existing.get(path) })),
      ...changes.leftovers.map((path) => ({ path, previous: readFileSync(join(root, path), 'utf8') })),
    ],
    newDirs: [],
    stagedAhead,
  };
  if (!tx.writes.length && !tx.removals.length) return { written: [], removed: [], stagedAhead: 0 };
  tx.newDirs = preflight(root, tx);
  const { stagedAhead: staged } = await runTransaction(root, tx);
  pruneEmptyDirs(
    root,
    tx.removals.map((r) => r.path),
  );
  return { written: writes.map((w) => w.path).sort(), removed: removed.sort(), stagedAhead: staged };
}

/** Folders to create (parents first); refuses links and files in the way, and folders it cannot write. */
function preflight(root: string, tx: Transaction): string[] {
  const newDirs = new Set<string>();
  // Folders found on disk already: at 10,000 clusters each would be looked at once per file below it.
  const existingDirs = new Set<string>();
  const inTheWay = new Set<string>();
  const touched = new Set<string>(['.']);
  // Each folder's ancestors are looked at once, not once per file in it (86,000 files in 49,000 folders at 10,000 clusters).
  const looked = new Set<string>();
  for (const { path } of tx.writes) {
    const folder = path.slice(0, Math.max(0, path.lastIndexOf('/')));
    if (!looked.has(folder)) {
      looked.add(folder);
      let parent = '.';
      for (let end = folder.indexOf('/'); folder; end = folder.indexOf('/', end + 1)) {
        const dir = end === -1 ? folder : folder.slice(0, end);
        if (!newDirs.has(dir) && !existingDirs.has(dir)) {
          // Below a folder this run creates nothing exists yet: no lstat for 50,000 new folders of a new fleet.
          const stats = newDirs.has(parent) ? undefined : lstatOrUndefined(join(root, dir));
          if (stats?.isDirectory()) existingDirs.add(dir);
          if (!stats) {
            newDirs.add(dir);
            touched.add(parent);
          } else if (!stats.isDirectory()) inTheWay.add(dir);
        }
        parent = dir;
        if (end === -1) break;
      }
    }
    if (newDirs.has(folder)) continue;
    touched.add(folder);
    const target = lstatOrUndefined(join(root, path));
    if (target && !target.isFile()) inTheWay.add(path);
  }
  for (const { path } of tx.removals) touched.add(path.split('/').slice(0, -1).join('/'));
  if (inTheWay.size)
    throw new FindingsError(
      [...inTheWay].sort().map((file) => ({
        file,
        message: 'a link or file is where the generator needs a folder; it never writes through links',
        hint: 'remove it (rm, not rm -r) and run generate again',
      })),
      `generate refused to write through ${inTheWay.size} path${inTheWay.size === 1 ? '' : 's'}`,
      true,
    );
  const readOnly = [...touched].filter((dir) => !newDirs.has(dir) && !writable(join(root, dir))).sort();
  if (readOnly.length)
    throw new EnvironmentError(
      `cannot write in ${readOnly.length} folder${readOnly.length === 1 ? '' : 's'}, so nothing was changed:\n${readOnly.map((d) => `  ${d === '.' ? '(the repository root)' : `${d}/`}`).join('\n')}\nfix the permissions (or the read-only mount) and run again`,
    );
  // Parents first (mkdir in this order); by name within a depth, for a stable order.
  const depth = (dir: string) => dir.split('/').length;
  return [...newDirs]
    .map((dir) => ({ dir, depth: depth(dir) }))
    .sort((a, b) => a.depth - b.depth || (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0))
    .map((d) => d.dir);
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Removes folders left empty by removals, up to (not including) the generated roots. */
function pruneEmptyDirs(root: string, removed: string[]): void {
  const dirs = new Set(removed.flatMap((p) => ancestors(p)));
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(join(root, dir));
    } catch {
      // Not empty: that is the point.
    }
  }
}

function ancestors(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  const result: string[] = [];
  for (let i = parts.length; i > 1; i--) result.push(parts.slice(0, i).join('/'));
  return result;
}
