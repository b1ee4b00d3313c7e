import { mkdirSync, rmSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EnvironmentError } from '../lib/errors.ts';
import { takeSignals } from '../lib/exit.ts';
import { STAGING_DIR } from './lock.ts';

/** Every change of one run, decided beforehand: writes (with the content they replace) and removals. */
export interface Transaction {
  writes: { path: string; content: string; previous?: string }[];
  removals: { path: string; previous?: string }[];
  /** Folders to create, parents first. */
  newDirs: string[];
  /** Files already staged below stagedTrees(root) while the plan was made, by path (plan-ahead.ts). */
  stagedAhead?: Set<string>;
}

/** This run's staging folder. */
const stagingFolder = (root: string) => join(root, STAGING_DIR, String(process.pid));

/** Where new folders are staged, mirroring their paths: what moves into place whole. */
export const stagedTrees = (root: string) => join(stagingFolder(root), 'tree');

/** What was done so far, so that it can be undone. */
interface Journal {
  /** New folders moved into place whole (with every file in them). */
  trees: string[];
  written: Transaction['writes'];
  removed: Transaction['removals'];
}

/** Set by a signal handler while a run holds the lock: the next step stops and everything is undone. */
let interruptedBy: string | undefined;

/** Runs `work` with SIGINT/SIGTERM/SIGHUP turned into a flag that the transaction checks between steps. */
export async function deferSignals<T>(work: () => Promise<T>): Promise<T> {
  interruptedBy = undefined;
  const release = takeSignals((signal) => {
    interruptedBy ??= signal;
  });
  try {
    return await work();
  } finally {
    release();
  }
}

function checkInterrupt(): void {
  if (interruptedBy) throw new EnvironmentError(`interrupted by ${interruptedBy}; every change of this run was undone`);
}

/**
 * Stages every write under STAGING_DIR, then moves it into place and removes the old files. A write into a
 * folder that does not exist yet is staged inside a copy of its topmost new folder, which moves in whole: a new
 * cluster's files take two renames, not one each. Any failure or signal undoes what was done (old contents are
 * in memory) and removes the staging folder; a SIGKILL leaves only whole files and whole new folders (renames are
 * atomic) and the staging folder, which the next run removes.
 */
export async function runTransaction(root: string, tx: Transaction): Promise<{ stagedAhead: number }> {
  const staging = stagingFolder(root);
  const journal: Journal = { trees: [], written: [], removed: [] };
  const { tops, stagedPath } = stagingLayout(tx.newDirs, staging);
  const ahead = tx.stagedAhead ?? new Set<string>();
  try {
    checkInterrupt();
    mkdirSync(staging, { recursive: true });
    const madeAhead = foldersOf(ahead);
    for (const dir of tx.newDirs) if (!madeAhead.has(dir)) mkdirSync(stagedPath(dir).path, { recursive: true });
    // Not spread: a staged file's content is read back only when it is written (plan-ahead.ts).
    const writes = tx.writes.map((write, i) => ({ write, staged: stagedPath(write.path, i) }));
    const toWrite = writes.filter((w) => !(w.staged.inTree && ahead.has(w.write.path)));
    await forEachInBatches(toWrite, (w) => writeFileSync(w.staged.path, w.write.content));
    // A file staged ahead that this run does not write must not move in with its folder.
    const written = new Set(tx.writes.map((w) => w.path));
    for (const path of ahead) if (!written.has(path) && stagedPath(path).inTree) rmSync(stagedPath(path).path);
    checkInterrupt();
    for (const top of tops) {
      checkInterrupt();
      renameSync(stagedPath(top).path, join(root, top));
      journal.trees.push(top);
    }
    await forEachInBatches(
      writes.filter((w) => !w.staged.inTree),
      (w) => {
        renameSync(w.staged.path, join(root, w.write.path));
        journal.written.push(w.write);
      },
    );
    await forEachInBatches(tx.removals, (r) => {
      rmSync(join(root, r.path));
      journal.removed.push(r);
    });
    return { stagedAhead: writes.length - toWrite.length };
  } catch (err) {
    const failures = undo(root, staging, journal);
    if (failures.length)
      throw new EnvironmentError(
        `${(err as Error).message}\nand undoing the run failed for ${failures.length} file(s); restore them with git checkout:\n${failures.map((f) => `  ${f}`).join('\n')}`,
        { cause: err },
      );
    throw err;
  } finally {
    removeStaging(root);
  }
}

/** Removes every staged file (only the lock's holder stages). */
export const removeStaging = (root: string) => rmSync(join(root, STAGING_DIR), { recursive: true, force: true });

/**
 * Where each new folder and each write is staged: a path at or below a new folder goes to the same path in the
 * staged trees (where the topmost new folder moves in from), any other write into a file of its own (its index).
 */
function stagingLayout(newDirs: string[], staging: string) {
  const isNew = new Set(newDirs);
  const tops = newDirs.filter((dir) => !isNew.has(dir.slice(0, Math.max(0, dir.lastIndexOf('/')))));
  const isTop = new Set(tops);
  const trees = join(staging, 'tree');
  const stagedPath = (path: string, index?: number) => {
    for (let end = path.indexOf('/'); end !== -1; end = path.indexOf('/', end + 1))
      if (isTop.has(path.slice(0, end))) return { path: join(trees, path), inTree: true };
    if (isTop.has(path)) return { path: join(trees, path), inTree: true };
    return { path: join(staging, String(index)), inTree: false };
  };
  return { tops, stagedPath };
}

/** Every folder above these paths. */
function foldersOf(paths: Iterable<string>): Set<string> {
  const folders = new Set<string>();
  for (const path of paths)
    for (let dir = path.slice(0, Math.max(0, path.lastIndexOf('/'))); dir && !folders.has(dir); dir = dir.slice(0, Math.max(0, dir.lastIndexOf('/'))))
      folders.add(dir);
  return folders;
}

/** Puts back every file as it was, newest change first; returns what could not be restored. */
function undo(root: string, staging: string, journal: Journal): string[] {
  const failures: string[] = [];
  const restore = (path: string, previous: string | undefined) => {
    try {
      if (previous === undefined) return void rmSync(join(root, path), { force: true });
      const aside = join(staging, `undo-${failures.length}-${Math.random().toString(36).slice(2)}`);
      mkdirSync(dirname(aside), { recursive: true });
      writeFileSync(aside, previous);
      renameSync(aside, join(root, path));
    } catch {
      failures.push(path);
    }
  };
  for (const r of journal.removed.reverse()) restore(r.path, r.previous);
  for (const w of journal.written.reverse()) restore(w.path, w.previous);
  for (const top of journal.trees.reverse()) {
    try {
      // The folder did not exist before this run: everything in it is this run's.
      rmSync(join(root, top), { recursive: true });
    } catch {
      failures.push(`${top}/`);
    }
  }
  return failures;
}

/**
 * Runs `fn` over `items` synchronously (tens of thousands of small files go several times faster than through
 * fs/promises), yielding to the event loop between batches so that a signal is seen; after a failure or a
 * signal no further item starts.
 */
async function forEachInBatches<T>(items: T[], fn: (item: T) => void): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH) {
    checkInterrupt();
    for (const item of items.slice(start, start + BATCH)) fn(item);
    await new Promise((resolve) => setImmediate(resolve));
  }
  checkInterrupt();
}

/** Files written, moved or removed between two looks at the signal flag. */
const BATCH = 256;
